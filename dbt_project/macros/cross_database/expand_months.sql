{% macro expand_months(relation, start_column, end_column, keep) %}
    {{- return(adapter.dispatch('expand_months', 'ripple')(relation, start_column, end_column, keep)) -}}
{% endmacro %}

{% macro default__expand_months(relation, start_column, end_column, keep) -%}
    select {{ keep | join(', ') }},
        cast(unnest(generate_series(cast({{ start_column }} as timestamp), cast({{ end_column }} as timestamp), interval 1 month)) as date) as month_date
    from {{ relation }}
{%- endmacro %}

{% macro bigquery__expand_months(relation, start_column, end_column, keep) -%}
    select {% for column in keep %}expanded.{{ column }}, {% endfor %}month_date
    from {{ relation }} as expanded
    cross join unnest(generate_date_array(expanded.{{ start_column }}, expanded.{{ end_column }}, interval 1 month)) as month_date
{%- endmacro %}
