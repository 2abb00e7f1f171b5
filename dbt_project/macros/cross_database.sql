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

{#- The first days of the months from start to end (inclusive), as an expression to unnest in a select list. -#}
{% macro month_series(start_month, end_month) %}{{ return(adapter.dispatch('month_series', 'ripple')(start_month, end_month)) }}{% endmacro %}
{% macro default__month_series(start_month, end_month) -%}
    cast(unnest(generate_series(cast({{ start_month }} as timestamp), cast({{ end_month }} as timestamp), interval 1 month)) as date)
{%- endmacro %}

{#- Whole months from `earlier` to `later` (two first-of-month dates). -#}
{% macro months_between(earlier, later) %}{{ return(adapter.dispatch('months_between', 'ripple')(earlier, later)) }}{% endmacro %}
{% macro default__months_between(earlier, later) -%}
    date_diff('month', {{ earlier }}, {{ later }})
{%- endmacro %}

{#- Number of elements of an array (NULL elements count). -#}
{% macro array_size(array) %}{{ return(adapter.dispatch('array_size', 'ripple')(array)) }}{% endmacro %}
{% macro default__array_size(array) -%}
    len({{ array }})
{%- endmacro %}

{#- Element `index` (1-based) of an array. -#}
{% macro array_at(array, index) %}{{ return(adapter.dispatch('array_at', 'ripple')(array, index)) }}{% endmacro %}
{% macro default__array_at(array, index) -%}
    {{ array }}[{{ index }}]
{%- endmacro %}

{#- Continuous percentile (linear interpolation) of an aggregate group. -#}
{% macro percentile(column, fraction) %}{{ return(adapter.dispatch('percentile', 'ripple')(column, fraction)) }}{% endmacro %}
{% macro default__percentile(column, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ column }})
{%- endmacro %}
{% macro duckdb__percentile(column, fraction) -%}
    quantile_cont({{ column }}, {{ fraction }})
{%- endmacro %}
