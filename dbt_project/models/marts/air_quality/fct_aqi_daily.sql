{{
    config(
        materialized='incremental',
        meta={'new_rows_column': 'last_staged_at'},
        unique_key=['location_id', 'measurement_date_local'],
        incremental_strategy='delete+insert',
        indexes=[{'columns': ['location_id', 'measurement_date_local']}],
    )
}}

{#- The US EPA Air Quality Index per location and local day (EPA-454/B-24-002): each pollutant's
    concentration over EPA's averaging time (PM2.5 and PM10: the 24-hour mean of a complete day;
    O3: the day's highest 8-hour rolling mean, and the highest 1-hour value where 1-hour
    breakpoints apply, from 0.125 ppm; CO: highest 8-hour mean; SO2 and NO2: highest 1-hour value;
    an 8-hour mean needs 6 of its 8 hours), truncated as EPA does, then
    I = (I_hi - I_lo) / (C_hi - C_lo) * (C - C_lo) + I_lo, rounded to an integer. The day's AQI is
    the highest pollutant AQI; that pollutant is the dominant one. Incremental: days with new
    daily rows, and the day after each (its 8-hour windows reach back into them). -#}

with

new_days as (
    {{ changed_air_quality_days('fct_air_quality_daily') }}
),

changed_days as (
    select
        new_days.location_id,
        new_days.measurement_date_local
    from new_days
    union
    select
        new_days.location_id,
        new_days.measurement_date_local + 1 as measurement_date_local
    from new_days
),

complete_days as (
    select
        location_id,
        measurement_date_local,
        parameter_name,
        value_mean,
        last_staged_at
    from {{ ref('fct_air_quality_daily') }}
    where
        is_complete
        and parameter_name in ('pm25', 'pm10')
        and (location_id, measurement_date_local) in (
            select
                changed_days.location_id,
                changed_days.measurement_date_local
            from changed_days
        )
),

hourly as (
    -- the changed days and the day before each, for the 8-hour windows
    select
        location_id,
        parameter_name,
        period_end_utc,
        measurement_date_local,
        hourly_value,
        last_staged_at
    from {{ ref('fct_air_quality_hourly') }}
    where
        parameter_name in ('o3', 'co', 'so2', 'no2')
        and (
            (location_id, measurement_date_local) in (
                select
                    changed_days.location_id,
                    changed_days.measurement_date_local
                from changed_days
            )
            or (location_id, measurement_date_local + 1) in (
                select
                    changed_days.location_id,
                    changed_days.measurement_date_local
                from changed_days
            )
        )
),

rolling as (
    select
        location_id,
        parameter_name,
        period_end_utc,
        measurement_date_local,
        hourly_value,
        last_staged_at,
        avg(hourly_value) over eight_hours as mean_8h,
        count(*) over eight_hours as hours_in_8h
    from hourly
    window eight_hours as (
        partition by location_id, parameter_name
        order by period_end_utc
        range between interval '7 hours' preceding and current row
    )
),

-- one row per location, day, pollutant and averaging time: EPA's concentration
concentrations as (
    select
        location_id,
        measurement_date_local,
        parameter_name as pollutant,
        24 as averaging_hours,
        value_mean as concentration,
        last_staged_at
    from complete_days
    union all
    select
        location_id,
        measurement_date_local,
        parameter_name as pollutant,
        8 as averaging_hours,
        max(mean_8h) filter (where hours_in_8h >= 6) as concentration,
        max(last_staged_at) as last_staged_at
    from rolling
    where parameter_name in ('o3', 'co')
    group by location_id, measurement_date_local, parameter_name
    union all
    select
        location_id,
        measurement_date_local,
        parameter_name as pollutant,
        1 as averaging_hours,
        max(hourly_value) as concentration,
        max(last_staged_at) as last_staged_at
    from rolling
    where parameter_name in ('o3', 'so2', 'no2')
    group by location_id, measurement_date_local, parameter_name
),

breakpoints as (
    select
        pollutant,
        averaging_hours,
        truncate_digits,
        aqi_category,
        aqi_low,
        aqi_high,
        concentration_low,
        concentration_high,
        is_open_ended
    from {{ ref('us_aqi_breakpoints') }}
),

pollutant_scales as (
    select
        pollutant,
        averaging_hours,
        min(truncate_digits) as truncate_digits,
        max(concentration_high) as top_concentration
    from breakpoints
    group by pollutant, averaging_hours
),

truncated as (
    select
        concentrations.location_id,
        concentrations.measurement_date_local,
        concentrations.pollutant,
        concentrations.averaging_hours,
        concentrations.concentration,
        trunc(concentrations.concentration::numeric, pollutant_scales.truncate_digits) as truncated_concentration,
        pollutant_scales.top_concentration,
        concentrations.last_staged_at
    from concentrations
    inner join pollutant_scales
        on
            concentrations.pollutant = pollutant_scales.pollutant
            and concentrations.averaging_hours = pollutant_scales.averaging_hours
    where concentrations.concentration is not null
),

indexed as (
    select
        truncated.location_id,
        truncated.measurement_date_local,
        truncated.pollutant,
        truncated.averaging_hours,
        truncated.concentration,
        truncated.last_staged_at,
        case
            when breakpoints.pollutant is not null
                then round(
                    (breakpoints.aqi_high - breakpoints.aqi_low)::numeric
                    / (breakpoints.concentration_high - breakpoints.concentration_low)
                    * (truncated.truncated_concentration - breakpoints.concentration_low)
                    + breakpoints.aqi_low
                )::integer
            -- beyond the top of the index (the open-ended Hazardous category)
            when truncated.truncated_concentration > truncated.top_concentration then 500
        end as aqi
    from truncated
    left join breakpoints
        on
            truncated.pollutant = breakpoints.pollutant
            and truncated.averaging_hours = breakpoints.averaging_hours
            and truncated.truncated_concentration
            between breakpoints.concentration_low and breakpoints.concentration_high
),

pollutant_days as (
    select
        location_id,
        measurement_date_local,
        max(concentration) filter (where pollutant = 'pm25' and averaging_hours = 24) as pm25_24h,
        max(concentration) filter (where pollutant = 'pm10' and averaging_hours = 24) as pm10_24h,
        max(concentration) filter (where pollutant = 'o3' and averaging_hours = 8) as o3_8h_max,
        max(concentration) filter (where pollutant = 'o3' and averaging_hours = 1) as o3_1h_max,
        max(concentration) filter (where pollutant = 'co' and averaging_hours = 8) as co_8h_max,
        max(concentration) filter (where pollutant = 'so2' and averaging_hours = 1) as so2_1h_max,
        max(concentration) filter (where pollutant = 'no2' and averaging_hours = 1) as no2_1h_max,
        max(aqi) filter (where pollutant = 'pm25') as aqi_pm25,
        max(aqi) filter (where pollutant = 'pm10') as aqi_pm10,
        -- O3: the higher of the 8-hour and (from 0.125 ppm) the 1-hour index
        max(aqi) filter (where pollutant = 'o3') as aqi_o3,
        max(aqi) filter (where pollutant = 'co') as aqi_co,
        max(aqi) filter (where pollutant = 'so2') as aqi_so2,
        max(aqi) filter (where pollutant = 'no2') as aqi_no2,
        max(last_staged_at) as last_staged_at
    from indexed
    group by location_id, measurement_date_local
),

overall as (
    select
        *,
        greatest(aqi_pm25, aqi_pm10, aqi_o3, aqi_co, aqi_so2, aqi_no2) as aqi
    from pollutant_days
),

categories as (
    select distinct
        aqi_category,
        aqi_low,
        aqi_high
    from breakpoints
),

final as (
    select
        md5(overall.location_id::text || '|' || overall.measurement_date_local::text) as aqi_daily_id,
        overall.location_id,
        overall.measurement_date_local,
        overall.aqi,
        case overall.aqi
            when overall.aqi_pm25 then 'pm25'
            when overall.aqi_pm10 then 'pm10'
            when overall.aqi_o3 then 'o3'
            when overall.aqi_no2 then 'no2'
            when overall.aqi_so2 then 'so2'
            when overall.aqi_co then 'co'
        end as dominant_pollutant,
        categories.aqi_category,
        overall.aqi_pm25,
        overall.aqi_pm10,
        overall.aqi_o3,
        overall.aqi_co,
        overall.aqi_so2,
        overall.aqi_no2,
        overall.pm25_24h,
        overall.pm10_24h,
        overall.o3_8h_max,
        overall.o3_1h_max,
        overall.co_8h_max,
        overall.so2_1h_max,
        overall.no2_1h_max,
        overall.last_staged_at
    from overall
    left join categories on overall.aqi between categories.aqi_low and categories.aqi_high
    -- the day before a changed day is read for its hours only, never rewritten
    where (overall.location_id, overall.measurement_date_local) in (
        select
            changed_days.location_id,
            changed_days.measurement_date_local
        from changed_days
    )
)

select * from final
