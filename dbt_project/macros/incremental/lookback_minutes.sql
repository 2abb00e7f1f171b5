{% macro lookback_minutes() -%}
    {%- set configured = var('ripple_lookback_minutes', none) -%}
    {{- return(configured if configured is not none else (0 if target.type == 'duckdb' else 60)) -}}
{%- endmacro %}
