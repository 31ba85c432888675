{#- Every CFBD team (`/teams`, all divisions), the newest fetch of each. Empty when raw_cfbd was
    never loaded. -#}

with

raw_teams as (
    {{ cfbd_raw_rows('teams') }}
),

newest as (
    select distinct on ((payload ->> 'id')::bigint)
        payload,
        fetched_at,
        load_id
    from raw_teams
    order by (payload ->> 'id')::bigint asc, fetched_at desc, load_id desc
),

final as (
    select
        (payload ->> 'id')::bigint as team_id,
        payload ->> 'school' as school,
        payload ->> 'mascot' as mascot,
        payload ->> 'abbreviation' as abbreviation,
        payload ->> 'conference' as conference,
        payload ->> 'classification' as classification,
        payload #>> '{location,city}' as city,
        payload #>> '{location,state}' as state,
        fetched_at,
        load_id
    from newest
)

select * from final
