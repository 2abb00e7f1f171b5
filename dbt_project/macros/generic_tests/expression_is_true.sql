{% test expression_is_true(model, expression, where=none, column_name=none) %}
    select *
    from {{ model }}
    where not ({{ expression }})
    {% if where %}and ({{ where }}){% endif %}
{% endtest %}
