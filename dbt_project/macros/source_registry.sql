{#- The source registry (dlt_pipelines/registry.py) as dbt sees it: the orchestration's dbt
    runner passes it in ELT_SOURCE_REGISTRY, a JSON object {name: {domain, dataset, record_id}}
    (orchestration/dbt_runner.py, dbt_env). Models loop over it instead of listing sources. -#}

{% macro source_registry() -%}
    {%- set raw = env_var('ELT_SOURCE_REGISTRY', '') -%}
    {%- if not raw -%}
        {{ exceptions.raise_compiler_error(
            "ELT_SOURCE_REGISTRY is not set: run dbt through the orchestration (make dbt ARGS='...', "
            "make transform), which passes the source registry") }}
    {%- endif -%}
    {{ return(fromjson(raw)) }}
{%- endmacro %}

{#- Names of the registered sources, in name order; only those of `domain` when given. -#}
{% macro registered_sources(domain=none) -%}
    {%- set registry = source_registry() -%}
    {%- set names = [] -%}
    {%- for name in registry | sort if domain is none or registry[name]['domain'] == domain -%}
        {%- do names.append(name) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{#- The key of a source's record id in its API items (quarantined records name it). -#}
{% macro source_record_id_key(name) -%}
    {{ return(source_registry()[name]['record_id']) }}
{%- endmacro %}
