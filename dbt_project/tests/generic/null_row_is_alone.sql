{#- A row whose `column_name` is null (the "nothing found" row of a key) is the only row of its key:
    a key has either values or that one row, never both. -#}
{% test null_row_is_alone(model, column_name, key) %}

select {{ key }}
from {{ model }}
group by {{ key }}
having count(*) filter (where {{ column_name }} is null) > 0 and count(*) > 1

{% endtest %}
