{#- CFBD poll rankings, one row per season, season type, week, poll and rank. Empty when raw_cfbd
    was never loaded. -#}

with

raw_rankings as (
    {{ cfbd_raw_rows('rankings') }}
),

keyed as (
    select
        cast({{ json_text('payload', 'season') }} as {{ dbt.type_int() }}) as season,
        {{ json_text('payload', 'seasonType') }} as season_type,
        cast({{ json_text('payload', 'week') }} as {{ dbt.type_int() }}) as week,  -- noqa: RF04
        payload,
        fetched_at,
        load_id
    from raw_rankings
),

newest as (
    {{ newest_version('keyed', ['season', 'season_type', 'week'], 'fetched_at desc, load_id desc') }}
),

ranks as (
    select
        newest.season,
        newest.season_type,
        newest.week,
        {{ json_text('poll.item', 'poll') }} as poll,
        team_rank.item as ranked,
        newest.fetched_at,
        newest.load_id
    from newest
    {{ json_array_rows('newest.payload', 'polls', 'poll') }}
    {{ json_array_rows('poll.item', 'ranks', 'team_rank') }}
),

final as (
    select
        season,
        season_type,
        week,
        poll,
        {{ cfbd_int(json_text('ranked', 'rank')) }} as poll_rank,
        {{ json_text('ranked', 'school') }} as school,
        {{ json_text('ranked', 'conference') }} as conference,
        {{ cfbd_int(json_text('ranked', 'firstPlaceVotes')) }} as first_place_votes,
        {{ cfbd_int(json_text('ranked', 'points')) }} as poll_points,
        fetched_at,
        load_id
    from ranks
)

select * from final
