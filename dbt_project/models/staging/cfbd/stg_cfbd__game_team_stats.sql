{#- CFBD box scores (`/games/teams`), one row per game and team: the stat strings typed ("7-12"
    made-attempted pairs split, "32:15" possession time in seconds, counts as integers). A stat
    the API did not report, or in an unreadable form, is null. Empty when raw_cfbd was never
    loaded. -#}

with

raw_box_scores as (
    {{ cfbd_raw_rows('box_scores') }}
),

newest as (
    select distinct on ((payload ->> 'id')::bigint)
        (payload ->> 'id')::bigint as game_id,
        payload,
        fetched_at,
        load_id
    from raw_box_scores
    order by (payload ->> 'id')::bigint asc, fetched_at desc, load_id desc
),

teams as (
    select
        newest.game_id,
        team_side.team,
        newest.fetched_at,
        newest.load_id
    from newest
    cross join lateral jsonb_array_elements(
        case when jsonb_typeof(newest.payload -> 'teams') = 'array' then newest.payload -> 'teams' else '[]' end
    ) as team_side (team)
),

stats as (
    select
        teams.game_id,
        (teams.team ->> 'teamId')::bigint as team_id,
        teams.team ->> 'team' as team,
        teams.team ->> 'conference' as conference,
        teams.team ->> 'homeAway' as home_away,
        {{ cfbd_int("teams.team ->> 'points'") }} as points,
        coalesce(
            jsonb_object_agg(stat.item ->> 'category', stat.item ->> 'stat')
            filter (where stat.item ->> 'category' is not null), '{}'
        ) as stat_values,
        teams.fetched_at,
        teams.load_id
    from teams
    left join lateral jsonb_array_elements(
        case when jsonb_typeof(teams.team -> 'stats') = 'array' then teams.team -> 'stats' else '[]' end
    ) as stat (item) on true
    group by teams.game_id, teams.team, teams.fetched_at, teams.load_id
),

final as (
    select
        md5(game_id::text || '|' || team_id::text) as game_team_id,
        game_id,
        team_id,
        team,
        conference,
        home_away,
        points,
        {{ cfbd_clock_seconds("stat_values ->> 'possessionTime'") }} as possession_seconds,
        {{ cfbd_pair_part("stat_values ->> 'thirdDownEff'", 1) }} as third_down_conversions,
        {{ cfbd_pair_part("stat_values ->> 'thirdDownEff'", 2) }} as third_down_attempts,
        {{ cfbd_pair_part("stat_values ->> 'fourthDownEff'", 1) }} as fourth_down_conversions,
        {{ cfbd_pair_part("stat_values ->> 'fourthDownEff'", 2) }} as fourth_down_attempts,
        {{ cfbd_pair_part("stat_values ->> 'completionAttempts'", 1) }} as pass_completions,
        {{ cfbd_pair_part("stat_values ->> 'completionAttempts'", 2) }} as pass_attempts,
        {{ cfbd_pair_part("stat_values ->> 'totalPenaltiesYards'", 1) }} as penalties,
        {{ cfbd_pair_part("stat_values ->> 'totalPenaltiesYards'", 2) }} as penalty_yards,
        {{ cfbd_int("stat_values ->> 'totalYards'") }} as total_yards,
        {{ cfbd_int("stat_values ->> 'rushingYards'") }} as rushing_yards,
        {{ cfbd_int("stat_values ->> 'netPassingYards'") }} as net_passing_yards,
        {{ cfbd_int("stat_values ->> 'rushingAttempts'") }} as rushing_attempts,
        {{ cfbd_int("stat_values ->> 'turnovers'") }} as turnovers,
        {{ cfbd_int("stat_values ->> 'firstDowns'") }} as first_downs,
        fetched_at,
        load_id
    from stats
    where team_id is not null
)

select * from final
