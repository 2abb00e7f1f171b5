{% macro to_utc(column, tz) %}{{ return(adapter.dispatch('to_utc', 'ripple')(column, tz)) }}{% endmacro %}

{% macro default__to_utc(column, tz) -%}
    timezone('UTC', timezone('{{ tz }}', {{ column }}))
{%- endmacro %}

{% macro bigquery__to_utc(column, tz) -%}
    timestamp(cast({{ column }} as datetime), '{{ tz }}')
{%- endmacro %}
