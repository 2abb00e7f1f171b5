{% macro history_shift(value, gap, previous, length) %}
    {{- return(adapter.dispatch('history_shift', 'ripple')(value, gap, previous, length)) -}}
{% endmacro %}

{% macro default__history_shift(value, gap, previous, length) -%}
    list_resize(list_concat(list_resize([{{ value }}], {{ gap }}), {{ previous }}), {{ length }})
{%- endmacro %}

{% macro bigquery__history_shift(value, gap, previous, length) -%}
    array(
        select as struct
            case
                when position = 1 then {{ value }}
                when position <= {{ gap }} then null
                else {{ previous }}[safe_ordinal(position - {{ gap }})].value
            end as value
        from unnest(generate_array(1, {{ length }})) as position
        order by position
    )
{%- endmacro %}
