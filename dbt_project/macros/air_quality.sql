{#- Whether raw_openaq.<table_name> and dlt's _dlt_loads exist (true while parsing): OpenAQ
    staging is empty, not failing, on a warehouse the source never loaded. -#}
{% macro openaq_raw_exists(table_name) -%}
    {{ return(raw_table_exists('raw_openaq', table_name) and raw_table_exists('raw_openaq', '_dlt_loads')) }}
{%- endmacro %}

{#- OpenAQ's spellings of a unit, mapped to the one air_quality_unit_conversions uses. -#}
{% macro openaq_unit(expression) -%}
    case
        when lower(trim({{ expression }})) in ('µg/m³', 'μg/m³', 'ug/m3', 'µg/m3', 'μg/m3', 'ug/m³') then 'µg/m³'
        when lower(trim({{ expression }})) in ('mg/m³', 'mg/m3') then 'mg/m³'
        when lower(trim({{ expression }})) in ('c', '°c', 'deg c', 'celsius') then 'c'
        when lower(trim({{ expression }})) in ('f', '°f', 'deg f', 'fahrenheit') then 'f'
        else lower(trim({{ expression }}))
    end
{%- endmacro %}

{#- Location-days of `model_name` rows that arrived after this incremental model last ran: its
    rows whose `arrival_column` is newer than the newest `watermark_column` of `this` (every day on
    a full build). The days a daily model recomputes whole. -#}
{% macro changed_air_quality_days(model_name, arrival_column='last_staged_at', watermark_column='last_staged_at') -%}
    select distinct
        changed.location_id,
        changed.measurement_date_local
    from {{ ref(model_name) }} as changed
    where changed.{{ arrival_column }} > {{ processed_watermark(watermark_column) }}
{%- endmacro %}
