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

{#- Every `<column>_history` array of the model has exactly `length` elements. -#}
{% test history_arrays_have_length(model, columns, length) %}
    select *
    from {{ model }}
    where {% for column in columns %}{{ array_size(column ~ '_history') }} <> {{ length }}{{ " or " if not loop.last }}{% endfor %}
{% endtest %}

{#- Element 1 of every history array is that month's value in silver. -#}
{% test history_starts_with_the_months_value(model, columns) %}
    select summary.cons_acct_key, summary.rpt_as_of_mo
    from {{ model }} as summary
    inner join {{ ref('int_account_months_latest') }} as months
        on summary.cons_acct_key = months.cons_acct_key and summary.rpt_as_of_mo = months.rpt_as_of_mo
    where {% for column in columns %}{{ array_at('summary.' ~ column ~ '_history', 1) }} is distinct from months.{{ column }}{{ " or " if not loop.last }}{% endfor %}
{% endtest %}
