{#- Every dlt load of every registered source (the `_dlt_loads` of each raw schema, macro
    registered_sources): when it was committed and whether it completed. A source never loaded
    into this warehouse has no `_dlt_loads` yet and adds no rows. -#}

{%- set loaded_sources = [] -%}
{%- for name in registered_sources() -%}
    {%- set source_name = 'raw_' ~ name -%}
    {%- if raw_table_exists(source_name, '_dlt_loads') -%}
        {%- do loaded_sources.append(source_name) -%}
    {%- endif -%}
{%- endfor %}

with

loads as (
    {% for source_name in loaded_sources %}
        select
            '{{ source_name }}' as dataset_name,
            load_id,
            status,
            inserted_at
        from {{ source(source_name, '_dlt_loads') }}
        {% if not loop.last %}union all{% endif %}
    {% else %}
        select
            null::text as dataset_name,
            null::text as load_id,
            null::bigint as status,
            null::timestamptz as inserted_at
        where false
    {% endfor %}
),

final as (
    select
        dataset_name,
        load_id,
        status = 0 as is_complete,
        inserted_at as committed_at
    from loads
)

select * from final
