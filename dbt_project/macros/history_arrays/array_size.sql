{% macro array_size(array) %}{{ return(adapter.dispatch('array_size', 'ripple')(array)) }}{% endmacro %}

{% macro default__array_size(array) -%}
    len({{ array }})
{%- endmacro %}

{% macro bigquery__array_size(array) -%}
    array_length({{ array }})
{%- endmacro %}
