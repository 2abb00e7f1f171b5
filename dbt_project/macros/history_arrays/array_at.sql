{% macro array_at(array, index) %}{{ return(adapter.dispatch('array_at', 'ripple')(array, index)) }}{% endmacro %}

{% macro default__array_at(array, index) -%}
    {{ array }}[{{ index }}]
{%- endmacro %}

{% macro bigquery__array_at(array, index) -%}
    {{ array }}[safe_ordinal({{ index }})].value
{%- endmacro %}
