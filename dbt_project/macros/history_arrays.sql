{#-
  The `<column>_history` arrays of the account summary: `length` elements, index 1 = the row's
  month, index k = k - 1 months before it, NULL where the account reported nothing.

  Encoding. DuckDB: a plain list, NULL elements where a month is missing. BigQuery arrays
  cannot hold NULL elements, so there every element is a STRUCT<value>, `value` NULL where
  the month is missing: `balance_am_history[ordinal(k)].value` is the value k - 1 months
  back. `array_size` and `array_at` read both encodings.
-#}

{#- Over a dense month spine (a row for every month, NULL values in the gaps), ordered by
    month: this month and the `length - 1` months before it, most recent first; fewer
    elements where the account has no earlier months (history_fit pads them). -#}
{% macro history_window(column, partition_by, order_by, length) %}
    {{- return(adapter.dispatch('history_window', 'ripple')(column, partition_by, order_by, length)) -}}
{% endmacro %}
{% macro default__history_window(column, partition_by, order_by, length) -%}
    list({{ column }}) over (
        partition by {{ partition_by }} order by {{ order_by }} desc
        rows between current row and {{ length - 1 }} following
    )
{%- endmacro %}
{% macro bigquery__history_window(column, partition_by, order_by, length) -%}
    array_agg(struct({{ column }} as value)) over (
        partition by {{ partition_by }} order by {{ order_by }} desc
        rows between current row and {{ length - 1 }} following
    )
{%- endmacro %}

{#- A history array cut or padded (with missing months) to exactly `length` elements. -#}
{% macro history_fit(array, length) %}{{ return(adapter.dispatch('history_fit', 'ripple')(array, length)) }}{% endmacro %}
{% macro default__history_fit(array, length) -%}
    list_resize({{ array }}, {{ length }})
{%- endmacro %}
{% macro bigquery__history_fit(array, length) -%}
    array(
        select as struct {{ array }}[safe_ordinal(position)].value as value
        from unnest(generate_array(1, {{ length }})) as position
        order by position
    )
{%- endmacro %}

{#- A new month `gap` months after the month of `previous` (that month's history array):
    the new value, a missing month for each month skipped, then the previous array, cut to
    `length`. -#}
{% macro history_shift(value, gap, previous, length) %}
    {{- return(adapter.dispatch('history_shift', 'ripple')(value, gap, previous, length)) -}}
{% endmacro %}
{% macro default__history_shift(value, gap, previous, length) -%}
    list_resize(list_concat(list_resize([{{ value }}], {{ gap }}), {{ previous }}), {{ length }})
{%- endmacro %}
{% macro bigquery__history_shift(value, gap, previous, length) -%}
    array(
        select as struct
            case
                when position = 1 then {{ value }}
                when position <= {{ gap }} then null
                else {{ previous }}[safe_ordinal(position - {{ gap }})].value
            end as value
        from unnest(generate_array(1, {{ length }})) as position
        order by position
    )
{%- endmacro %}

{#- Number of elements of a history array (missing months count). -#}
{% macro array_size(array) %}{{ return(adapter.dispatch('array_size', 'ripple')(array)) }}{% endmacro %}
{% macro default__array_size(array) -%}
    len({{ array }})
{%- endmacro %}
{% macro bigquery__array_size(array) -%}
    array_length({{ array }})
{%- endmacro %}

{#- The value at position `index` (1-based) of a history array; NULL for a missing month. -#}
{% macro array_at(array, index) %}{{ return(adapter.dispatch('array_at', 'ripple')(array, index)) }}{% endmacro %}
{% macro default__array_at(array, index) -%}
    {{ array }}[{{ index }}]
{%- endmacro %}
{% macro bigquery__array_at(array, index) -%}
    {{ array }}[safe_ordinal({{ index }})].value
{%- endmacro %}
