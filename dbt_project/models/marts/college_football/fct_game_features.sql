{#- Pre-game features of every game, played or upcoming, for the win-probability model: nothing
    here is known only after kick-off. Each team's Elo is its rating after its last completed game
    that started before this one (regressed to the mean when that game was in an earlier season;
    the first rating when it has none), so a played game's features equal what was known before
    it. Also the home-field flag (0 at a neutral site), rest days since the team's previous game,
    and the previous season's win percentage. `home_won` is the label (null until completed, and
    for a tie). -#}

{%- set initial = var('cfbd_elo_initial', 1500) %}
{%- set initial_non_fbs = var('cfbd_elo_initial_non_fbs', 1200) %}
{%- set home_field = var('cfbd_elo_home_field', 55) %}
{%- set regression = var('cfbd_elo_regression', 0.25) %}
{%- set max_rest = var('cfbd_max_rest_days', 28) %}

with

games as (
    select
        game_id,
        season,
        week,
        season_type,
        start_date,
        is_completed,
        is_neutral_site,
        home_team_id,
        home_team,
        home_classification,
        home_points,
        away_team_id,
        away_team,
        away_classification,
        away_points
    from {{ ref('stg_cfbd__games') }}
),

elo_sides as (
    select
        season,
        start_date,
        home_team_id as team_id,
        home_elo_post as elo_post
    from {{ ref('int_game_elo') }}
    union all
    select
        season,
        start_date,
        away_team_id as team_id,
        away_elo_post as elo_post
    from {{ ref('int_game_elo') }}
),

team_games as (
    select
        game_id,
        team_id,
        season,
        start_date,
        lag(start_date) over (partition by team_id, season order by start_date, game_id) as previous_start
    from {{ ref('int_team_games') }}
),

previous_records as (
    select
        season + 1 as season,
        team_id,
        win_pct
    from {{ ref('fct_team_season_records') }}
    where split_name = 'total'
),

rated as (
    select
        games.*,
        coalesce(
            case
                when home_last.season = games.season then home_last.elo_post
                else (1 - {{ regression }}) * home_last.elo_post + {{ regression }} * {{ initial }}
            end,
            case when games.home_classification = 'fbs' then {{ initial }} else {{ initial_non_fbs }} end
        ) as home_elo_pre,
        coalesce(
            case
                when away_last.season = games.season then away_last.elo_post
                else (1 - {{ regression }}) * away_last.elo_post + {{ regression }} * {{ initial }}
            end,
            case when games.away_classification = 'fbs' then {{ initial }} else {{ initial_non_fbs }} end
        ) as away_elo_pre
    from games
    left join lateral (
        select
            sides.season,
            sides.elo_post
        from elo_sides as sides
        where sides.team_id = games.home_team_id and sides.start_date < games.start_date
        order by sides.start_date desc
        limit 1
    ) as home_last on true
    left join lateral (
        select
            sides.season,
            sides.elo_post
        from elo_sides as sides
        where sides.team_id = games.away_team_id and sides.start_date < games.start_date
        order by sides.start_date desc
        limit 1
    ) as away_last on true
),

final as (
    select
        rated.game_id,
        rated.season,
        rated.week,
        rated.season_type,
        rated.start_date,
        rated.is_completed,
        rated.home_team_id,
        rated.home_team,
        rated.away_team_id,
        rated.away_team,
        case when rated.is_neutral_site then 0 else 1 end as is_home_field,
        rated.home_elo_pre,
        rated.away_elo_pre,
        rated.home_elo_pre - rated.away_elo_pre as elo_difference,
        1.0 / (1.0 + power(10.0, -(
            rated.home_elo_pre - rated.away_elo_pre
            + case when rated.is_neutral_site then 0 else {{ home_field }} end
        ) / 400.0)) as elo_home_win_probability,
        -- least() ignores nulls: a first game keeps no rest days
        case
            when home_games.previous_start is not null
                then least(extract(epoch from rated.start_date - home_games.previous_start) / 86400.0, {{ max_rest }})
        end as home_rest_days,
        -- least() ignores nulls: a first game keeps no rest days
        case
            when away_games.previous_start is not null
                then least(extract(epoch from rated.start_date - away_games.previous_start) / 86400.0, {{ max_rest }})
        end as away_rest_days,
        home_previous.win_pct as home_previous_win_pct,
        away_previous.win_pct as away_previous_win_pct,
        case
            when not rated.is_completed or rated.home_points = rated.away_points then null
            else (rated.home_points > rated.away_points)::integer
        end as home_won
    from rated
    left join team_games as home_games
        on rated.game_id = home_games.game_id and rated.home_team_id = home_games.team_id
    left join team_games as away_games
        on rated.game_id = away_games.game_id and rated.away_team_id = away_games.team_id
    left join previous_records as home_previous
        on rated.season = home_previous.season and rated.home_team_id = home_previous.team_id
    left join previous_records as away_previous
        on rated.season = away_previous.season and rated.away_team_id = away_previous.team_id
)

select * from final
