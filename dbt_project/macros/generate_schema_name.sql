{#- Layers land in schemas named after the layer (staging, intermediate, marts, taxonomy), the
    usual layout for a single-environment warehouse; the target schema is used otherwise. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
