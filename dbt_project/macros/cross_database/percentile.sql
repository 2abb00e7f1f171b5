{% macro percentile(column, fraction) %}
    {{- return(adapter.dispatch('percentile', 'ripple')(column, fraction)) -}}
{% endmacro %}

{% macro default__percentile(column, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ column }})
{%- endmacro %}

{% macro duckdb__percentile(column, fraction) -%}
    quantile_cont({{ column }}, {{ fraction }})
{%- endmacro %}

{#- BigQuery has PERCENTILE_CONT only as a window function: the same linear interpolation,
    from the group's sorted values -#}
{% macro bigquery__percentile(column, fraction) -%}
    {%- set sorted = "array_agg(" ~ column ~ " ignore nulls order by " ~ column ~ ")" -%}
    {%- set position = "(" ~ fraction ~ " * (count(" ~ column ~ ") - 1))" -%}
    {%- set below = sorted ~ "[ordinal(cast(floor(" ~ position ~ ") as int64) + 1)]" -%}
    {%- set above = sorted ~ "[ordinal(cast(ceil(" ~ position ~ ") as int64) + 1)]" -%}
    case when count({{ column }}) > 0 then
        {{ below }} + ({{ position }} - floor({{ position }})) * ({{ above }} - {{ below }})
    end
{%- endmacro %}
