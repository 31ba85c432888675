{#- Every key of `model` (the `key` expression, rows filtered by `where`) has exactly `expected`
    rows in `to` (its `to_key` expression, rows filtered by `to_where`); failing keys are returned
    with the count found. -#}
{% test rows_per_key(model, key, to, to_key, expected=1, where=none, to_where=none) %}

with

keys as (
    select distinct {{ key }} as key_value
    from {{ model }}
    {%- if where %}
    where {{ where }}
    {%- endif %}
),

counted as (
    select
        {{ to_key }} as key_value,
        count(*) as found
    from {{ to }}
    {%- if to_where %}
    where {{ to_where }}
    {%- endif %}
    group by 1
)

select
    keys.key_value,
    coalesce(counted.found, 0) as found
from keys
left join counted on keys.key_value = counted.key_value
where coalesce(counted.found, 0) <> {{ expected }}

{% endtest %}
