{#- The FBS members of each season (`/teams/fbs?year=`), one row per season and team, with the
    conference they played in that season. Empty when raw_cfbd was never loaded. -#}

with

raw_fbs_teams as (
    {{ cfbd_raw_rows('fbs_teams', {'season': 'integer'}) }}
),

newest as (
    select distinct on (season, (payload ->> 'id')::bigint)
        season,
        payload,
        fetched_at,
        load_id
    from raw_fbs_teams
    where season is not null
    order by season asc, (payload ->> 'id')::bigint asc, fetched_at desc, load_id desc
),

final as (
    select
        season,
        (payload ->> 'id')::bigint as team_id,
        payload ->> 'school' as school,
        payload ->> 'conference' as conference,
        nullif(payload ->> 'division', '') as conference_division,
        fetched_at,
        load_id
    from newest
)

select * from final
