{{
    config(
        materialized='incremental',
        meta={'new_rows_column': 'last_staged_at'},
        unique_key=['location_id', 'measurement_date_local'],
        incremental_strategy='delete+insert',
        indexes=[
            {'columns': ['location_id', 'measurement_date_local']},
            {'columns': ['last_staged_at']},
        ],
    )
}}

{#- One row per location, parameter and LOCAL day: mean, min and max of the hourly values, how
    many hours were observed and whether the day is complete (at least 18 of 24 hours, EPA's 75%).
    Incomplete days are kept and flagged. Incremental: the location-days of new hourly rows are
    recomputed whole. -#}

with

changed_days as (
    {{ changed_air_quality_days('fct_air_quality_hourly') }}
),

hourly as (
    select
        location_id,
        parameter_name,
        unit,
        measurement_date_local,
        hour_local,
        hourly_value,
        last_staged_at
    from {{ ref('fct_air_quality_hourly') }}
    where (location_id, measurement_date_local) in (
        select
            changed_days.location_id,
            changed_days.measurement_date_local
        from changed_days
    )
),

final as (
    select
        md5(location_id::text || '|' || parameter_name || '|' || measurement_date_local::text) as daily_id,
        location_id,
        parameter_name,
        unit,
        measurement_date_local,
        count(distinct hour_local) as hours_observed,
        count(distinct hour_local) >= 18 as is_complete,
        avg(hourly_value) as value_mean,
        min(hourly_value) as value_min,
        max(hourly_value) as value_max,
        max(last_staged_at) as last_staged_at
    from hourly
    group by location_id, parameter_name, unit, measurement_date_local
)

select * from final
