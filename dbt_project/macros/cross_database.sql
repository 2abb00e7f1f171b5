{#-
  Dialect-specific SQL, one macro each, behind adapter.dispatch: a `default__` (DuckDB) and a
  `bigquery__` implementation. tests/test_bigquery.py compiles every model for BigQuery and
  rejects DuckDB-only SQL; tests/test_dispatch_equivalence.py checks that both give the same
  results where it matters (arrays, percentiles).
-#}

{#- A local wall-clock timestamp in `tz` as a UTC timestamp (a BigQuery TIMESTAMP, a DuckDB
    TIMESTAMP without time zone holding UTC). -#}
{% macro to_utc(column, tz) %}{{ return(adapter.dispatch('to_utc', 'ripple')(column, tz)) }}{% endmacro %}
{% macro default__to_utc(column, tz) -%}
    timezone('UTC', timezone('{{ tz }}', {{ column }}))
{%- endmacro %}
{% macro bigquery__to_utc(column, tz) -%}
    timestamp(cast({{ column }} as datetime), '{{ tz }}')
{%- endmacro %}

{#- A timestamp `minutes` minutes earlier (dbt.dateadd gives a DATETIME on BigQuery, which
    does not compare with a TIMESTAMP there). -#}
{% macro minutes_before(timestamp, minutes) %}{{ return(adapter.dispatch('minutes_before', 'ripple')(timestamp, minutes)) }}{% endmacro %}
{% macro default__minutes_before(timestamp, minutes) -%}
    {{ dbt.dateadd('minute', -1 * minutes, timestamp) }}
{%- endmacro %}
{% macro bigquery__minutes_before(timestamp, minutes) -%}
    timestamp_sub({{ timestamp }}, interval {{ minutes }} minute)
{%- endmacro %}

{#- A select of one row per day from start to end (inclusive), as column `business_date`;
    both are SQL expressions. -#}
{% macro date_series(start_date, end_date) %}{{ return(adapter.dispatch('date_series', 'ripple')(start_date, end_date)) }}{% endmacro %}
{% macro default__date_series(start_date, end_date) -%}
    select cast(unnest(generate_series(cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval 1 day)) as date) as business_date
{%- endmacro %}
{% macro bigquery__date_series(start_date, end_date) -%}
    select business_date
    from unnest(generate_date_array(cast({{ start_date }} as date), cast({{ end_date }} as date))) as business_date
{%- endmacro %}

{#- A select of the columns `keep` of every row of `relation`, once for each month from its
    `start_column` to its `end_column` (first-of-month dates, inclusive), as `month_date`. -#}
{% macro expand_months(relation, start_column, end_column, keep) %}
    {{- return(adapter.dispatch('expand_months', 'ripple')(relation, start_column, end_column, keep)) -}}
{% endmacro %}
{% macro default__expand_months(relation, start_column, end_column, keep) -%}
    select {{ keep | join(', ') }},
        cast(unnest(generate_series(cast({{ start_column }} as timestamp), cast({{ end_column }} as timestamp), interval 1 month)) as date) as month_date
    from {{ relation }}
{%- endmacro %}
{% macro bigquery__expand_months(relation, start_column, end_column, keep) -%}
    select {% for column in keep %}expanded.{{ column }}, {% endfor %}month_date
    from {{ relation }} as expanded
    cross join unnest(generate_date_array(expanded.{{ start_column }}, expanded.{{ end_column }}, interval 1 month)) as month_date
{%- endmacro %}

{#- Whole months from `earlier` to `later` (two first-of-month dates). -#}
{% macro months_between(earlier, later) %}{{ return(adapter.dispatch('months_between', 'ripple')(earlier, later)) }}{% endmacro %}
{% macro default__months_between(earlier, later) -%}
    date_diff('month', {{ earlier }}, {{ later }})
{%- endmacro %}
{% macro bigquery__months_between(earlier, later) -%}
    date_diff({{ later }}, {{ earlier }}, month)
{%- endmacro %}

{#- A double precision float (dbt.type_float() is single precision on DuckDB). -#}
{% macro type_double() %}{{ return(adapter.dispatch('type_double', 'ripple')()) }}{% endmacro %}
{% macro default__type_double() %}double{% endmacro %}
{% macro bigquery__type_double() %}float64{% endmacro %}

{#- Continuous percentile (linear interpolation between the two nearest values) of an
    aggregate group, NULLs ignored. BigQuery has PERCENTILE_CONT only as a window function:
    there it is computed from the group's sorted values, the same formula. -#}
{% macro percentile(column, fraction) %}{{ return(adapter.dispatch('percentile', 'ripple')(column, fraction)) }}{% endmacro %}
{% macro default__percentile(column, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ column }})
{%- endmacro %}
{% macro duckdb__percentile(column, fraction) -%}
    quantile_cont({{ column }}, {{ fraction }})
{%- endmacro %}
{% macro bigquery__percentile(column, fraction) -%}
    {%- set sorted = "array_agg(" ~ column ~ " ignore nulls order by " ~ column ~ ")" -%}
    {%- set position = "(" ~ fraction ~ " * (count(" ~ column ~ ") - 1))" -%}
    {%- set below = sorted ~ "[ordinal(cast(floor(" ~ position ~ ") as int64) + 1)]" -%}
    {%- set above = sorted ~ "[ordinal(cast(ceil(" ~ position ~ ") as int64) + 1)]" -%}
    case when count({{ column }}) > 0 then
        {{ below }} + ({{ position }} - floor({{ position }})) * ({{ above }} - {{ below }})
    end
{%- endmacro %}
