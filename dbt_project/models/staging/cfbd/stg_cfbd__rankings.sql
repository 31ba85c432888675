{#- CFBD poll rankings, one row per season, season type, week, poll and rank. Empty when raw_cfbd
    was never loaded. -#}

with

raw_rankings as (
    {{ cfbd_raw_rows('rankings') }}
),

newest as (
    select distinct on ((payload ->> 'season')::integer, payload ->> 'seasonType', (payload ->> 'week')::integer)
        payload,
        fetched_at,
        load_id
    from raw_rankings
    order by
        (payload ->> 'season')::integer asc, payload ->> 'seasonType' asc, (payload ->> 'week')::integer asc,
        fetched_at desc, load_id desc
),

ranks as (
    select
        (newest.payload ->> 'season')::integer as season,
        newest.payload ->> 'seasonType' as season_type,
        (newest.payload ->> 'week')::integer as week,  -- noqa: RF04
        poll.item ->> 'poll' as poll,
        team_rank.item as ranked,
        newest.fetched_at,
        newest.load_id
    from newest
    cross join lateral jsonb_array_elements(newest.payload -> 'polls') as poll (item)
    cross join lateral jsonb_array_elements(poll.item -> 'ranks') as team_rank (item)
),

final as (
    select
        season,
        season_type,
        week,
        poll,
        {{ cfbd_int("ranked ->> 'rank'") }} as poll_rank,
        ranked ->> 'school' as school,
        ranked ->> 'conference' as conference,
        {{ cfbd_int("ranked ->> 'firstPlaceVotes'") }} as first_place_votes,
        {{ cfbd_int("ranked ->> 'points'") }} as poll_points,
        fetched_at,
        load_id
    from ranks
)

select * from final
