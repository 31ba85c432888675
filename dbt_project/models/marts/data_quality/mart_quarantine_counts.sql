{{ config(materialized='view') }}

{#- Quarantined records per run, source and rule: how many records each run kept out of the marts
    and why. A record belongs to the run whose extract-load delivered its dlt load; records from
    loads outside a recorded run (`make el`, tests) have no run_id. A view: always current. -#}

with

quarantined as (
    select
        source_name,
        rule_name,
        load_id,
        detected_at
    from {{ ref('quarantined_records') }}
),

run_loads as (
    select distinct
        loads.run_id,
        run_load.load_id
    from {{ ref('stg_ops__run_loads') }} as loads
    cross join lateral unnest(loads.load_ids) as run_load (load_id)
),

final as (
    select
        run_loads.run_id,
        quarantined.source_name,
        quarantined.rule_name,
        count(*) as quarantined_records,
        array_agg(distinct quarantined.load_id order by quarantined.load_id) as load_ids,
        min(quarantined.detected_at) as first_detected_at,
        max(quarantined.detected_at) as last_detected_at
    from quarantined
    left join run_loads on quarantined.load_id = run_loads.load_id
    group by run_loads.run_id, quarantined.source_name, quarantined.rule_name
)

select * from final
