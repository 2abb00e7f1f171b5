{% macro history_window(column, partition_by, order_by, length) %}
    {{- return(adapter.dispatch('history_window', 'ripple')(column, partition_by, order_by, length)) -}}
{% endmacro %}

{% macro default__history_window(column, partition_by, order_by, length) -%}
    list({{ column }}) over (
        partition by {{ partition_by }} order by {{ order_by }} desc
        rows between current row and {{ length - 1 }} following
    )
{%- endmacro %}

{% macro bigquery__history_window(column, partition_by, order_by, length) -%}
    array_agg(struct({{ column }} as value)) over (
        partition by {{ partition_by }} order by {{ order_by }} desc
        rows between current row and {{ length - 1 }} following
    )
{%- endmacro %}
