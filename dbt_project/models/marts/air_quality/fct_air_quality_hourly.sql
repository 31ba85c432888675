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

{#- One row per location, parameter and hour: the mean of the location's clean (not quarantined)
    sensor values in the parameter's canonical unit. Incremental: the location-days that newly
    staged values (clean or not) touch are recomputed whole. -#}

with

changed_days as (
    {{ changed_air_quality_days('stg_openaq__measurements', 'staged_at', 'last_staged_at') }}
),

measurements as (
    select
        location_id,
        sensor_id,
        parameter_name,
        canonical_unit,
        canonical_value,
        period_start_utc,
        period_end_utc,
        period_start_local,
        period_end_local,
        utc_offset,
        measurement_date_local,
        hour_local,
        load_id,
        staged_at
    from {{ ref('stg_openaq__measurements') }}
    where
        not is_quarantined
        and (location_id, measurement_date_local) in (
            select
                changed_days.location_id,
                changed_days.measurement_date_local
            from changed_days
        )
),

final as (
    select
        md5(location_id::text || '|' || parameter_name || '|' || period_end_utc::text) as hourly_id,
        location_id,
        parameter_name,
        canonical_unit as unit,
        min(period_start_utc) as period_start_utc,
        period_end_utc,
        min(period_start_local) as period_start_local,
        min(period_end_local) as period_end_local,
        min(utc_offset) as utc_offset,
        min(measurement_date_local) as measurement_date_local,
        min(hour_local) as hour_local,
        avg(canonical_value) as hourly_value,
        count(distinct sensor_id) as sensor_count,
        max(load_id) as last_load_id,
        max(staged_at) as last_staged_at
    from measurements
    group by location_id, parameter_name, canonical_unit, period_end_utc
)

select * from final
