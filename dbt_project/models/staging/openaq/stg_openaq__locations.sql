{#- OpenAQ locations from complete dlt loads: the newest metadata of each location. Empty when
    raw_openaq was never loaded. -#}

with

{% if openaq_raw_exists('locations') %}
    complete_loads as (
        {{ new_complete_loads('raw_openaq') }}
    ),

    raw_locations as (
        select
            locations.location_id::bigint as location_id,
            nullif(trim(locations.name), '') as location_name,
            nullif(trim(locations.locality), '') as locality,
            nullif(trim(locations.timezone), '') as timezone,
            upper(nullif(trim(locations.country_code), '')) as country_code,
            locations.latitude::double precision as latitude,
            locations.longitude::double precision as longitude,
            nullif(trim(locations.provider_name), '') as provider_name,
            nullif(trim(locations.owner_name), '') as owner_name,
            coalesce(locations.is_mobile, false) as is_mobile,
            coalesce(locations.is_monitor, false) as is_monitor,
            locations.fetched_at,
            locations._dlt_load_id::text as load_id
        from {{ source('raw_openaq', 'locations') }} as locations
        where locations._dlt_load_id in (select complete_loads.load_id from complete_loads)
    ),
{% else %}
    raw_locations as (
        select
            null::bigint as location_id,
            null::text as location_name,
            null::text as locality,
            null::text as timezone,
            null::text as country_code,
            null::double precision as latitude,
            null::double precision as longitude,
            null::text as provider_name,
            null::text as owner_name,
            null::boolean as is_mobile,
            null::boolean as is_monitor,
            null::timestamptz as fetched_at,
            null::text as load_id
        where false
    ),
{% endif %}

final as (
    select distinct on (location_id)
        location_id,
        location_name,
        locality,
        timezone,
        country_code,
        latitude,
        longitude,
        provider_name,
        owner_name,
        is_mobile,
        is_monitor,
        fetched_at,
        load_id
    from raw_locations
    order by location_id asc, fetched_at desc, load_id desc
)

select * from final
