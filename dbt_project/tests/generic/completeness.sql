{#- Completeness of a column: the percentage of rows where it is missing (null, or blank text),
    returned (rounded up to a whole percent, as dbt counts failures in integers) as the test's failure value, so that warn_if / error_if read as percentages:
    the defaults warn below 95% complete and error below 80% (missing > 5 / > 20), overridable per
    use. An empty model is complete. -#}
{% test completeness(model, column_name, where=none) %}

{{ config(fail_calc='coalesce(ceil(max(missing_pct)), 0)::integer', warn_if='>5', error_if='>20') }}

select
    round(
        100.0 * count(*) filter (where nullif(trim({{ column_name }}::text), '') is null)
        / nullif(count(*), 0),
        2
    ) as missing_pct
from {{ model }}
{%- if where %}
where {{ where }}
{%- endif %}

{% endtest %}
