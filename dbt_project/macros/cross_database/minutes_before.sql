{% macro minutes_before(timestamp, minutes) %}
    {{- return(adapter.dispatch('minutes_before', 'ripple')(timestamp, minutes)) -}}
{% endmacro %}

{% macro default__minutes_before(timestamp, minutes) -%}
    {{ dbt.dateadd('minute', -1 * minutes, timestamp) }}
{%- endmacro %}

{#- dbt.dateadd gives a DATETIME on BigQuery, which does not compare with a TIMESTAMP there -#}
{% macro bigquery__minutes_before(timestamp, minutes) -%}
    timestamp_sub({{ timestamp }}, interval {{ minutes }} minute)
{%- endmacro %}
