{#- Air-quality locations: the current version of each location's metadata from the snapshot
    snp_openaq__locations, with how many versions it has had since the warehouse first saw it
    and the parameters its sensors measure. -#}

with

versions as (
    select
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
        dbt_valid_from,
        dbt_valid_to
    from {{ ref('snp_openaq__locations') }}
),

history as (
    select
        location_id,
        min(dbt_valid_from) as first_seen_at,
        count(*) as version_count
    from versions
    group by location_id
),

sensors as (
    select
        location_id,
        count(*) as sensor_count,
        array_agg(distinct parameter_name order by parameter_name) as parameter_names
    from {{ ref('stg_openaq__sensors') }}
    group by location_id
),

final as (
    select
        versions.location_id,
        versions.location_name,
        versions.locality,
        versions.timezone,
        versions.country_code,
        versions.latitude,
        versions.longitude,
        versions.provider_name,
        versions.owner_name,
        versions.is_mobile,
        versions.is_monitor,
        coalesce(sensors.sensor_count, 0) as sensor_count,
        coalesce(sensors.parameter_names, array[]::text[]) as parameter_names,
        versions.dbt_valid_from as current_version_since,
        history.first_seen_at,
        history.version_count
    from versions
    inner join history on versions.location_id = history.location_id
    left join sensors on versions.location_id = sensors.location_id
    where versions.dbt_valid_to is null
)

select * from final
