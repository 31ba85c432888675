{#- Days above a WHO 2021 air quality guideline: per location, complete local day and pollutant,
    the 24-hour mean above the 24-hour guideline (PM2.5, PM10, NO2, SO2, CO), or the day's highest
    8-hour mean above the 8-hour O3 guideline, compared in the canonical unit (WHO's mass units
    converted with air_quality_unit_conversions). Only complete days count (a 24-hour mean needs
    18 of 24 hours; an 8-hour mean 6 of 8). -#}

with

guidelines as (
    select
        who.pollutant,
        who.averaging_hours,
        who.guideline_value,
        who.guideline_unit,
        conversions.canonical_unit,
        who.guideline_value * conversions.multiplier + conversions.offset_value as guideline_value_canonical
    from {{ ref('who_air_quality_guidelines_2021') }} as who
    inner join {{ ref('air_quality_unit_conversions') }} as conversions
        on
            who.pollutant = conversions.parameter_name
            and who.guideline_unit = conversions.unit
),

daily_means as (
    select
        location_id,
        measurement_date_local,
        parameter_name as pollutant,
        24 as averaging_hours,
        value_mean as concentration
    from {{ ref('fct_air_quality_daily') }}
    where is_complete
),

ozone_8h as (
    select
        location_id,
        measurement_date_local,
        'o3' as pollutant,
        8 as averaging_hours,
        o3_8h_max as concentration
    from {{ ref('fct_aqi_daily') }}
    where o3_8h_max is not null
),

concentrations as (
    select * from daily_means
    union all
    select * from ozone_8h
),

final as (
    select
        md5(
            concentrations.location_id::text || '|' || concentrations.measurement_date_local::text
            || '|' || concentrations.pollutant
        ) as exceedance_id,
        concentrations.location_id,
        concentrations.measurement_date_local,
        concentrations.pollutant,
        concentrations.averaging_hours,
        concentrations.concentration,
        guidelines.canonical_unit as unit,
        guidelines.guideline_value_canonical,
        guidelines.guideline_value,
        guidelines.guideline_unit,
        round(concentrations.concentration / guidelines.guideline_value_canonical, 3) as exceedance_ratio
    from concentrations
    inner join guidelines
        on
            concentrations.pollutant = guidelines.pollutant
            and concentrations.averaging_hours = guidelines.averaging_hours
    where concentrations.concentration > guidelines.guideline_value_canonical
)

select * from final
