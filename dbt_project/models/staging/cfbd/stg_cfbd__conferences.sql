{#- CFBD conferences, the newest fetch of each. Empty when raw_cfbd was never loaded. -#}

with

raw_conferences as (
    {{ cfbd_raw_rows('conferences') }}
),

newest as (
    select distinct on ((payload ->> 'id')::bigint)
        payload,
        fetched_at,
        load_id
    from raw_conferences
    order by (payload ->> 'id')::bigint asc, fetched_at desc, load_id desc
),

final as (
    select
        (payload ->> 'id')::bigint as conference_id,
        payload ->> 'name' as conference_name,
        payload ->> 'shortName' as short_name,
        payload ->> 'abbreviation' as abbreviation,
        payload ->> 'classification' as classification,
        fetched_at,
        load_id
    from newest
)

select * from final
