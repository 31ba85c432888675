{#- Duplicate rate: the percentage of rows whose key (one or more columns) another row shares,
    beyond the first, i.e. 100 * (rows - distinct keys) / rows. Returned, rounded up to a whole percent, as the failure value so
    that warn_if / error_if are percentages: by default a warning above 10%, never an error. -#}
{% test duplicate_rate(model, column_name=none, columns=none) %}

{{ config(fail_calc='coalesce(ceil(max(duplicate_pct)), 0)::integer', warn_if='>10', error_if='>100') }}

{%- set key = (columns or [column_name]) | join(', ') %}

select
    round(
        100.0 * (count(*) - count(distinct ({{ key }}))) / nullif(count(*), 0),
        2
    ) as duplicate_pct
from {{ model }}

{% endtest %}
