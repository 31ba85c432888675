{#- One row per team per game (two per game), played or not: the team's side (home, away, or
    neutral at a neutral site, where neither team is at home), its opponent, its points and its
    result once the game is completed (W, L or T; null before). The base of the season records,
    standings and ratings. -#}

with

games as (
    select
        game_id,
        season,
        week,
        season_type,
        start_date,
        is_completed,
        game_status,
        is_neutral_site,
        is_conference_game,
        notes,
        home_team_id,
        home_team,
        home_classification,
        home_conference,
        home_points,
        away_team_id,
        away_team,
        away_classification,
        away_conference,
        away_points
    from {{ ref('stg_cfbd__games') }}
),

sides as (
    select
        game_id,
        season,
        week,
        season_type,
        start_date,
        is_completed,
        game_status,
        is_neutral_site,
        is_conference_game,
        notes,
        case when is_neutral_site then 'neutral' else 'home' end as home_away,
        home_team_id as team_id,
        home_team as team,
        home_classification as classification,
        home_conference as conference,
        home_points as points_for,
        away_team_id as opponent_id,
        away_team as opponent,
        away_classification as opponent_classification,
        away_conference as opponent_conference,
        away_points as points_against
    from games
    union all
    select
        game_id,
        season,
        week,
        season_type,
        start_date,
        is_completed,
        game_status,
        is_neutral_site,
        is_conference_game,
        notes,
        case when is_neutral_site then 'neutral' else 'away' end as home_away,
        away_team_id as team_id,
        away_team as team,
        away_classification as classification,
        away_conference as conference,
        away_points as points_for,
        home_team_id as opponent_id,
        home_team as opponent,
        home_classification as opponent_classification,
        home_conference as opponent_conference,
        home_points as points_against
    from games
),

final as (
    select
        md5(game_id::text || '|' || team_id::text) as team_game_id,
        game_id,
        season,
        week,
        season_type,
        start_date,
        is_completed,
        game_status,
        is_neutral_site,
        is_conference_game,
        -- a conference title game: a neutral-site conference game CFBD notes as a championship
        is_conference_game and is_neutral_site and coalesce(notes ilike '%championship%', false)
            as is_conference_championship,
        home_away,
        team_id,
        team,
        classification,
        conference,
        opponent_id,
        opponent,
        opponent_classification,
        opponent_conference,
        points_for,
        points_against,
        case when is_completed then points_for - points_against end as point_margin,
        case
            when not is_completed then null
            when points_for > points_against then 'W'
            when points_for < points_against then 'L'
            else 'T'
        end as result
    from sides
)

select * from final
