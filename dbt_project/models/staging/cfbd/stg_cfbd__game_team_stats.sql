{#- CFBD box scores (`/games/teams`), one row per game and team: the stat strings typed ("7-12"
    made-attempted pairs split, "32:15" possession time in seconds, counts as integers). A stat
    the API did not report, or in an unreadable form, is null. Empty when raw_cfbd was never
    loaded. -#}

with

raw_box_scores as (
    {{ cfbd_raw_rows('box_scores') }}
),

keyed as (
    select
        cast({{ json_text('payload', 'id') }} as {{ dbt.type_bigint() }}) as game_id,
        payload,
        fetched_at,
        load_id
    from raw_box_scores
),

newest as (
    {{ newest_version('keyed', 'game_id', 'fetched_at desc, load_id desc') }}
),

teams as (
    select
        newest.game_id,
        team_side.item as team_item,
        newest.fetched_at,
        newest.load_id
    from newest
    {{ json_array_rows('newest.payload', 'teams', 'team_side') }}
),

team_stats as (
    select
        teams.game_id,
        teams.team_item,
        {{ json_text('stat.item', 'category') }} as category,
        {{ json_text('stat.item', 'stat') }} as stat_value,
        teams.fetched_at,
        teams.load_id
    from teams
    {{ json_array_rows('teams.team_item', 'stats', 'stat', keep_empty=true) }}
),

-- one column per stat category this model types (the stat strings as reported)
stats as (
    select
        game_id,
        cast({{ json_text('team_item', 'teamId') }} as {{ dbt.type_bigint() }}) as team_id,
        {{ json_text('team_item', 'team') }} as team,
        {{ json_text('team_item', 'conference') }} as conference,
        {{ json_text('team_item', 'homeAway') }} as home_away,
        {{ cfbd_int(json_text('team_item', 'points')) }} as points,
        max(case when category = 'possessionTime' then stat_value end) as possession_time,
        max(case when category = 'thirdDownEff' then stat_value end) as third_down_eff,
        max(case when category = 'fourthDownEff' then stat_value end) as fourth_down_eff,
        max(case when category = 'completionAttempts' then stat_value end) as completion_attempts,
        max(case when category = 'totalPenaltiesYards' then stat_value end) as total_penalties_yards,
        max(case when category = 'totalYards' then stat_value end) as total_yards,
        max(case when category = 'rushingYards' then stat_value end) as rushing_yards,
        max(case when category = 'netPassingYards' then stat_value end) as net_passing_yards,
        max(case when category = 'rushingAttempts' then stat_value end) as rushing_attempts,
        max(case when category = 'turnovers' then stat_value end) as turnovers,
        max(case when category = 'firstDowns' then stat_value end) as first_downs,
        fetched_at,
        load_id
    from team_stats
    group by game_id, team_item, fetched_at, load_id
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            dbt.cast('game_id', dbt.type_string()), "'|'", dbt.cast('team_id', dbt.type_string())
        ])) }} as game_team_id,
        game_id,
        team_id,
        team,
        conference,
        home_away,
        points,
        {{ cfbd_clock_seconds('possession_time') }} as possession_seconds,
        {{ cfbd_pair_part('third_down_eff', 1) }} as third_down_conversions,
        {{ cfbd_pair_part('third_down_eff', 2) }} as third_down_attempts,
        {{ cfbd_pair_part('fourth_down_eff', 1) }} as fourth_down_conversions,
        {{ cfbd_pair_part('fourth_down_eff', 2) }} as fourth_down_attempts,
        {{ cfbd_pair_part('completion_attempts', 1) }} as pass_completions,
        {{ cfbd_pair_part('completion_attempts', 2) }} as pass_attempts,
        {{ cfbd_pair_part('total_penalties_yards', 1) }} as penalties,
        {{ cfbd_pair_part('total_penalties_yards', 2) }} as penalty_yards,
        {{ cfbd_int('total_yards') }} as total_yards,
        {{ cfbd_int('rushing_yards') }} as rushing_yards,
        {{ cfbd_int('net_passing_yards') }} as net_passing_yards,
        {{ cfbd_int('rushing_attempts') }} as rushing_attempts,
        {{ cfbd_int('turnovers') }} as turnovers,
        {{ cfbd_int('first_downs') }} as first_downs,
        fetched_at,
        load_id
    from stats
    where team_id is not null
)

select * from final
