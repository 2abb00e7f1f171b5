{#-
  The `<column>_history` arrays of the account summary: `length` elements, index 1 = the row's
  month, index k = k - 1 months before it, NULL where the account reported nothing.
-#}

{#- Over a dense month spine (a row for every month, NULL values in the gaps), ordered by
    month: the window of this month and the `length - 1` months before it, padded with NULLs
    where the account has no earlier months. -#}
{% macro history_window(column, partition_by, order_by, length) %}
    {{- return(adapter.dispatch('history_window', 'ripple')(column, partition_by, order_by, length)) -}}
{% endmacro %}
{% macro default__history_window(column, partition_by, order_by, length) -%}
    list_resize(
        list({{ column }}) over (
            partition by {{ partition_by }} order by {{ order_by }} desc
            rows between current row and {{ length - 1 }} following
        ),
        {{ length }}
    )
{%- endmacro %}

{#- A new month `gap` months after the month of `previous` (that month's history array):
    the new value, NULL for each month skipped, then the previous array, cut to `length`. -#}
{% macro history_shift(value, gap, previous, length) %}
    {{- return(adapter.dispatch('history_shift', 'ripple')(value, gap, previous, length)) -}}
{% endmacro %}
{% macro default__history_shift(value, gap, previous, length) -%}
    list_resize(list_concat(list_resize([{{ value }}], {{ gap }}), {{ previous }}), {{ length }})
{%- endmacro %}
