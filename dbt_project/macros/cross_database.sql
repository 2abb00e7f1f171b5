{#- Dialect-specific SQL, one macro each, behind adapter.dispatch. -#}

{#- A local wall-clock timestamp in `tz` as a UTC timestamp (no time zone attached). -#}
{% macro to_utc(column, tz) %}{{ return(adapter.dispatch('to_utc', 'ripple')(column, tz)) }}{% endmacro %}
{% macro default__to_utc(column, tz) -%}
    timezone('UTC', timezone('{{ tz }}', {{ column }}))
{%- endmacro %}

{#- One row per day from start to end (inclusive), as column `business_date`; both are SQL expressions. -#}
{% macro date_series(start_date, end_date) %}{{ return(adapter.dispatch('date_series', 'ripple')(start_date, end_date)) }}{% endmacro %}
{% macro default__date_series(start_date, end_date) -%}
    select cast(unnest(generate_series(cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval 1 day)) as date) as business_date
{%- endmacro %}

{#- Continuous percentile (linear interpolation) of an aggregate group. -#}
{% macro percentile(column, fraction) %}{{ return(adapter.dispatch('percentile', 'ripple')(column, fraction)) }}{% endmacro %}
{% macro default__percentile(column, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ column }})
{%- endmacro %}
{% macro duckdb__percentile(column, fraction) -%}
    quantile_cont({{ column }}, {{ fraction }})
{%- endmacro %}
