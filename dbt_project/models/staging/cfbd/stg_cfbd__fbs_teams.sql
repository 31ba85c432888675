{#- The FBS members of each season (`/teams/fbs?year=`), one row per season and team, with the
    conference they played in that season. Empty when raw_cfbd was never loaded. -#}

with

raw_fbs_teams as (
    {{ cfbd_raw_rows('fbs_teams', {'season': dbt.type_int()}) }}
),

keyed as (
    select
        season,
        cast({{ json_text('payload', 'id') }} as {{ dbt.type_bigint() }}) as team_id,
        payload,
        fetched_at,
        load_id
    from raw_fbs_teams
    where season is not null
),

newest as (
    {{ newest_version('keyed', ['season', 'team_id'], 'fetched_at desc, load_id desc') }}
),

final as (
    select
        season,
        team_id,
        {{ json_text('payload', 'school') }} as school,
        {{ json_text('payload', 'conference') }} as conference,
        nullif({{ json_text('payload', 'division') }}, '') as conference_division,
        fetched_at,
        load_id
    from newest
)

select * from final
