{#- CFBD conferences, the newest fetch of each. Empty when raw_cfbd was never loaded. -#}

with

raw_conferences as (
    {{ cfbd_raw_rows('conferences') }}
),

keyed as (
    select
        cast({{ json_text('payload', 'id') }} as {{ dbt.type_bigint() }}) as conference_id,
        payload,
        fetched_at,
        load_id
    from raw_conferences
),

newest as (
    {{ newest_version('keyed', 'conference_id', 'fetched_at desc, load_id desc') }}
),

final as (
    select
        conference_id,
        {{ json_text('payload', 'name') }} as conference_name,
        {{ json_text('payload', 'shortName') }} as short_name,
        {{ json_text('payload', 'abbreviation') }} as abbreviation,
        {{ json_text('payload', 'classification') }} as classification,
        fetched_at,
        load_id
    from newest
)

select * from final
