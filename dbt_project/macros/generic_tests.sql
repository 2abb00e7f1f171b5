{#- The two generic tests the project needs (dbt hub packages cannot be installed here). -#}

{% test expression_is_true(model, expression, where=none, column_name=none) %}
    select *
    from {{ model }}
    where not ({{ expression }})
    {% if where %}and ({{ where }}){% endif %}
{% endtest %}

{% test unique_combination_of_columns(model, combination_of_columns) %}
    select {{ combination_of_columns | join(', ') }}, count(*) as n_rows
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}
