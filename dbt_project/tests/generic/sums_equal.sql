{#- Per group, the sum of `left` equals the sum of `right` over the rows `where` selects (e.g.
    points for = points against over all teams of a season); unequal groups are returned. -#}
{% test sums_equal(model, left, right, group_by, where=none) %}

select
    {{ group_by | join(', ') }},
    sum({{ left }}) as left_total,
    sum({{ right }}) as right_total
from {{ model }}
{%- if where %}
where {{ where }}
{%- endif %}
group by {{ group_by | join(', ') }}
having sum({{ left }}) <> sum({{ right }})

{% endtest %}
