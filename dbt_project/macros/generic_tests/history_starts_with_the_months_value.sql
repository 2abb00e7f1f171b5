{% test history_starts_with_the_months_value(model, columns) %}
    select summary.cons_acct_key, summary.rpt_as_of_mo
    from {{ model }} as summary
    inner join {{ ref('int_account_months_latest') }} as months
        on summary.cons_acct_key = months.cons_acct_key and summary.rpt_as_of_mo = months.rpt_as_of_mo
    where {% for column in columns %}{{ array_at('summary.' ~ column ~ '_history', 1) }} is distinct from months.{{ column }}{{ " or " if not loop.last }}{% endfor %}
{% endtest %}
