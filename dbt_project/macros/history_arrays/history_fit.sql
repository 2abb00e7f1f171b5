{% macro history_fit(array, length) %}
    {{- return(adapter.dispatch('history_fit', 'ripple')(array, length)) -}}
{% endmacro %}

{% macro default__history_fit(array, length) -%}
    list_resize({{ array }}, {{ length }})
{%- endmacro %}

{% macro bigquery__history_fit(array, length) -%}
    array(
        select as struct {{ array }}[safe_ordinal(position)].value as value
        from unnest(generate_array(1, {{ length }})) as position
        order by position
    )
{%- endmacro %}
