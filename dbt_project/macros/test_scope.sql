{#- Tests of incremental models check the rows the build wrote, not the whole table, on builds of
    new rows only: the dbt runner sets DBT_TEST_ROWS_SINCE (orchestration/build_plan.py) and a
    model names, in its config meta `new_rows_column`, the column(s) holding when a row was
    written (a list: any of them). Its generic tests then read
    `(select * from <model> where <column> >= <since>)`, beside any `where` of their own, so
    their cost follows the new rows. First, full and project-changed builds (and the weekly full
    build) test whole tables. Elementary's monitors are left alone: they choose their own rows.
    dbt's own hook for this (its default only applies a test's `where` config). -#}
{% macro get_where_subquery(relation) -%}
    {%- set filters = [] -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- do filters.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set new_rows = new_rows_filter() -%}
    {%- if new_rows -%}
        {%- do filters.append(new_rows) -%}
    {%- endif -%}
    {%- if filters -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ filters | join(' and ') ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The new-rows condition of the test being compiled, or '' (whole table). -#}
{% macro new_rows_filter() -%}
    {%- set since = env_var('DBT_TEST_ROWS_SINCE', '') if execute else '' -%}
    {%- set test_metadata = model.get('test_metadata') or {} if model is mapping else {} -%}
    {%- if not since or test_metadata.get('namespace') == 'elementary' -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- set tested = graph.nodes.get(model.get('attached_node') or '', {}) -%}
    {%- set columns = (tested.get('config', {}).get('meta', {}) or {}).get('new_rows_column') -%}
    {%- if not columns -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- set columns = [columns] if columns is string else columns -%}
    {%- set since_value = utc_timestamp_literal(since) -%}
    {%- set conditions = [] -%}
    {%- for column in columns -%}
        {%- do conditions.append(column ~ ' >= ' ~ since_value) -%}
    {%- endfor -%}
    {%- do return('(' ~ conditions | join(' or ') ~ ')') -%}
{%- endmacro %}

{#- An instant given as ISO-8601 text with its offset, as a timestamp literal that keeps the offset
    (Postgres' `timestamp` would drop it; its columns here are timestamptz). -#}
{% macro utc_timestamp_literal(value) -%}
    {{ return(adapter.dispatch('utc_timestamp_literal')(value)) }}
{%- endmacro %}

{% macro default__utc_timestamp_literal(value) -%}
    {{ return("cast('" ~ value ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}

{% macro postgres__utc_timestamp_literal(value) -%}
    {{ return("cast('" ~ value ~ "' as timestamptz)") }}
{%- endmacro %}
