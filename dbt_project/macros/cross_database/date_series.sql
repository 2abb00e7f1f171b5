{% macro date_series(start_date, end_date) %}
    {{- return(adapter.dispatch('date_series', 'ripple')(start_date, end_date)) -}}
{% endmacro %}

{% macro default__date_series(start_date, end_date) -%}
    select cast(unnest(generate_series(cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval 1 day)) as date) as business_date
{%- endmacro %}

{% macro bigquery__date_series(start_date, end_date) -%}
    select business_date
    from unnest(generate_date_array(cast({{ start_date }} as date), cast({{ end_date }} as date))) as business_date
{%- endmacro %}
