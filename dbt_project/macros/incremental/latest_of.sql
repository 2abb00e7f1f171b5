{% macro latest_of(a, b) -%}
    case when {{ a }} is null or {{ b }} > {{ a }} then {{ b }} else {{ a }} end
{%- endmacro %}
