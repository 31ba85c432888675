{{
    config(
        materialized='incremental',
        meta={'new_rows_column': 'staged_at'},
        unique_key='measurement_id',
        incremental_strategy='merge',
        on_schema_change='append_new_columns',
        indexes=[
            {'columns': ['measurement_id'], 'unique': true},
            {'columns': ['load_id']},
            {'columns': ['staged_at']},
            {'columns': ['location_id', 'measurement_date_local']},
        ],
        pre_hook="{{ ensure_load_id_index('raw_openaq', 'measurements') }}",
    )
}}

{#- OpenAQ hourly values from complete dlt loads not staged yet, one row per sensor and hour (a
    value delivered twice: the newest fetch wins, raw_row_count says how many there were), in the
    parameter's canonical unit (air_quality_unit_conversions), with UTC and local time. Values
    failing a rule (sentinel, negative, unknown unit, out of range, no local time) are kept and
    quarantined with the rule in quality_issues, never dropped. Empty when raw_openaq was never
    loaded. -#}

with

{% if openaq_raw_exists('measurements') %}
    raw_measurements as (
        select
            measurements.sensor_id::bigint as sensor_id,
            measurements.location_id::bigint as location_id,
            measurements.parameter_id::bigint as parameter_id,
            lower(trim(measurements.parameter_name)) as parameter_name,
            measurements.units as units_reported,
            measurements.period_start_utc,
            measurements.period_end_utc,
            measurements.period_end_local as period_end_local_text,
            measurements.value::double precision as value_reported,
            measurements.fetched_at,
            measurements._dlt_load_id::text as load_id
        from {{ source('raw_openaq', 'measurements') }} as measurements
        where measurements._dlt_load_id in (
            {{ new_complete_loads('raw_openaq') }}
        )
    ),
{% else %}
    raw_measurements as (
        select
            null::bigint as sensor_id,
            null::bigint as location_id,
            null::bigint as parameter_id,
            null::text as parameter_name,
            null::text as units_reported,
            null::timestamptz as period_start_utc,
            null::timestamptz as period_end_utc,
            null::text as period_end_local_text,
            null::double precision as value_reported,
            null::timestamptz as fetched_at,
            null::text as load_id
        where false
    ),
{% endif %}

counted as (
    select
        *,
        count(*) over (partition by sensor_id, period_end_utc) as raw_row_count
    from raw_measurements
),

deduplicated as (
    select distinct on (sensor_id, period_end_utc) *
    from counted
    order by sensor_id asc, period_end_utc asc, fetched_at desc, load_id desc
),

conversions as (
    select
        parameter_name,
        unit,
        canonical_unit,
        multiplier,
        offset_value
    from {{ ref('air_quality_unit_conversions') }}
),

converted_parameters as (
    select distinct conversions.parameter_name
    from conversions
),

ranges as (
    select
        parameter_name,
        min_value,
        max_value
    from {{ ref('air_quality_parameter_ranges') }}
),

timed as (
    select
        deduplicated.*,
        {{ openaq_unit('deduplicated.units_reported') }} as unit,
        case
            when deduplicated.period_end_local_text ~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?'
                then left(deduplicated.period_end_local_text, 19)::timestamp
        end as period_end_local
    from deduplicated
),

normalized as (
    select
        timed.*,
        -- a parameter without conversions (pm1, um003, ...) stays in its reported unit
        case
            when conversions.parameter_name is not null then conversions.canonical_unit
            when converted_parameters.parameter_name is null then timed.unit
        end as canonical_unit,
        case
            when conversions.parameter_name is not null
                then timed.value_reported::numeric * conversions.multiplier + conversions.offset_value
            when converted_parameters.parameter_name is null then timed.value_reported::numeric
        end as canonical_value,
        timed.period_end_local
        - coalesce(timed.period_end_utc - timed.period_start_utc, interval '1 hour') as period_start_local,
        ranges.min_value,
        ranges.max_value
    from timed
    left join conversions
        on
            timed.parameter_name = conversions.parameter_name
            and timed.unit = conversions.unit
    left join converted_parameters on timed.parameter_name = converted_parameters.parameter_name
    left join ranges on timed.parameter_name = ranges.parameter_name
),

checked as (
    select
        *,
        array_remove(array[
            case when value_reported is null then 'missing_value' end,
            case when value_reported in (-9999, -999) then 'sentinel_value' end,
            case
                when value_reported < 0 and value_reported not in (-9999, -999) and coalesce(min_value, 0) >= 0
                    then 'negative_value'
            end,
            case when value_reported is not null and canonical_unit is null then 'unknown_unit' end,
            case
                when
                    value_reported >= 0 or coalesce(min_value, 0) < 0 and value_reported not in (-9999, -999)
                    then case when canonical_value < min_value or canonical_value > max_value then 'out_of_range' end
            end,
            case when period_end_local is null then 'missing_local_time' end
        ], null) as quality_issues
    from normalized
),

final as (
    select
        md5(sensor_id::text || '|' || period_end_utc::text) as measurement_id,
        sensor_id,
        location_id,
        parameter_id,
        parameter_name,
        units_reported,
        value_reported,
        canonical_unit,
        canonical_value,
        period_start_utc,
        period_end_utc,
        period_end_local,
        period_start_local,
        period_end_local - (period_end_utc at time zone 'UTC') as utc_offset,
        period_start_local::date as measurement_date_local,
        extract(hour from period_start_local)::integer as hour_local,
        raw_row_count,
        quality_issues,
        nullif(array_to_string(quality_issues, ', '), '') as quarantine_reason,
        cardinality(quality_issues) > 0 as is_quarantined,
        fetched_at,
        load_id,
        {{ dbt.current_timestamp() }} as staged_at
    from checked
)

select * from final
