{#- Every CFBD team (`/teams`, all divisions), the newest fetch of each. Empty when raw_cfbd was
    never loaded. -#}

with

raw_teams as (
    {{ cfbd_raw_rows('teams') }}
),

keyed as (
    select
        cast({{ json_text('payload', 'id') }} as {{ dbt.type_bigint() }}) as team_id,
        payload,
        fetched_at,
        load_id
    from raw_teams
),

newest as (
    {{ newest_version('keyed', 'team_id', 'fetched_at desc, load_id desc') }}
),

final as (
    select
        team_id,
        {{ json_text('payload', 'school') }} as school,
        {{ json_text('payload', 'mascot') }} as mascot,
        {{ json_text('payload', 'abbreviation') }} as abbreviation,
        {{ json_text('payload', 'conference') }} as conference,
        {{ json_text('payload', 'classification') }} as classification,
        {{ json_text('payload', 'location.city') }} as city,
        {{ json_text('payload', 'location.state') }} as state,
        fetched_at,
        load_id
    from newest
)

select * from final
