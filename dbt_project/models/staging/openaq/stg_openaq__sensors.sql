{#- OpenAQ sensors from complete dlt loads: the parameter each measures and its reported unit,
    with the canonical unit staging converts it to. Empty when raw_openaq was never loaded. -#}

with

{% if openaq_raw_exists('sensors') %}
    complete_loads as (
        {{ new_complete_loads('raw_openaq') }}
    ),

    raw_sensors as (
        select
            sensors.sensor_id::bigint as sensor_id,
            sensors.location_id::bigint as location_id,
            sensors.parameter_id::bigint as parameter_id,
            lower(trim(sensors.parameter_name)) as parameter_name,
            sensors.units as units_reported,
            {{ openaq_unit('sensors.units') }} as unit,
            sensors.fetched_at,
            sensors._dlt_load_id::text as load_id
        from {{ source('raw_openaq', 'sensors') }} as sensors
        where sensors._dlt_load_id in (select complete_loads.load_id from complete_loads)
    ),
{% else %}
    raw_sensors as (
        select
            null::bigint as sensor_id,
            null::bigint as location_id,
            null::bigint as parameter_id,
            null::text as parameter_name,
            null::text as units_reported,
            null::text as unit,
            null::timestamptz as fetched_at,
            null::text as load_id
        where false
    ),
{% endif %}

conversions as (
    select
        parameter_name,
        unit,
        canonical_unit
    from {{ ref('air_quality_unit_conversions') }}
),

newest as (
    select distinct on (sensor_id)
        sensor_id,
        location_id,
        parameter_id,
        parameter_name,
        units_reported,
        unit,
        fetched_at,
        load_id
    from raw_sensors
    order by sensor_id asc, fetched_at desc, load_id desc
),

final as (
    select
        newest.sensor_id,
        newest.location_id,
        newest.parameter_id,
        newest.parameter_name,
        newest.units_reported,
        newest.unit,
        conversions.canonical_unit,
        newest.fetched_at,
        newest.load_id
    from newest
    left join conversions
        on
            newest.parameter_name = conversions.parameter_name
            and newest.unit = conversions.unit
)

select * from final
