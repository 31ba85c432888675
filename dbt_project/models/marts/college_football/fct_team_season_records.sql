{#- Season records per team, as CFBD's own `/records` computes them: completed games only; a
    neutral-site game counts as neither home nor away (it has its own `neutral` split); win
    percentage = (wins + 0.5 * ties) / games. One row per season, team and split: total,
    conference (CFBD's conferenceGame flag, the conference championship game included), home,
    away, neutral, regular (season type regular, conference championships included) and
    postseason. Every FBS member of a season has its seven rows, with zero games where it played
    none; other teams have rows for the seasons they played a completed game. -#}

with

team_games as (
    select
        season,
        team_id,
        season_type,
        home_away,
        is_conference_game,
        result,
        points_for,
        points_against
    from {{ ref('int_team_games') }}
    where is_completed
),

fbs_teams as (
    select
        season,
        team_id,
        school,
        conference
    from {{ ref('stg_cfbd__fbs_teams') }}
),

latest_conference as (
    select distinct on (season, team_id)
        season,
        team_id,
        team,
        conference,
        classification
    from {{ ref('int_team_games') }}
    where is_completed
    order by season asc, team_id asc, start_date desc
),

teams as (
    select
        coalesce(fbs_teams.season, latest_conference.season) as season,
        coalesce(fbs_teams.team_id, latest_conference.team_id) as team_id,
        coalesce(fbs_teams.school, latest_conference.team) as team,
        coalesce(fbs_teams.conference, latest_conference.conference) as conference,
        case when fbs_teams.team_id is not null then 'fbs' else latest_conference.classification end
            as classification
    from fbs_teams
    full outer join latest_conference
        on fbs_teams.season = latest_conference.season and fbs_teams.team_id = latest_conference.team_id
),

splits as (
    select split_name
    from (values ('total'), ('conference'), ('home'), ('away'), ('neutral'), ('regular'), ('postseason'))
        as split_names (split_name)
),

split_games as (
    select
        team_games.season,
        team_games.team_id,
        splits.split_name,
        team_games.result,
        team_games.points_for,
        team_games.points_against
    from team_games
    inner join splits
        on
            splits.split_name = 'total'
            or (splits.split_name = 'conference' and team_games.is_conference_game)
            or team_games.home_away = splits.split_name
            or team_games.season_type = splits.split_name
),

tallies as (
    select
        season,
        team_id,
        split_name,
        count(*) as games,
        count(*) filter (where result = 'W') as wins,
        count(*) filter (where result = 'L') as losses,
        count(*) filter (where result = 'T') as ties,  -- noqa: RF04
        sum(points_for) as points_for,
        sum(points_against) as points_against
    from split_games
    group by season, team_id, split_name
),

final as (
    select
        teams.season,
        teams.team_id,
        teams.team,
        teams.conference,
        teams.classification,
        splits.split_name,
        coalesce(tallies.games, 0) as games,
        coalesce(tallies.wins, 0) as wins,
        coalesce(tallies.losses, 0) as losses,
        coalesce(tallies.ties, 0) as ties,  -- noqa: RF04
        coalesce(tallies.points_for, 0) as points_for,
        coalesce(tallies.points_against, 0) as points_against,
        round((tallies.wins + 0.5 * tallies.ties)::numeric / nullif(tallies.games, 0), 4) as win_pct
    from teams
    cross join splits
    left join tallies
        on
            teams.season = tallies.season
            and teams.team_id = tallies.team_id
            and splits.split_name = tallies.split_name
)

select * from final
