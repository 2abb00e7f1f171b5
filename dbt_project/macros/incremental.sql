{#-
  Watermarks. Every incremental model keeps `_loaded_at`: the latest bronze load time of the
  rows it was computed from. Its watermark is max(`_loaded_at`) of its own rows, so a model
  that failed or was skipped catches up on its next run, whatever the others did.
-#}
{% macro watermark_filter(column='_loaded_at') -%}
    {{ column }} > (
        select {{ minutes_before("coalesce(max(_loaded_at), cast('1900-01-01' as " ~ dbt.type_timestamp() ~ "))",
                                 lookback_minutes()) }}
        from {{ this }}
    )
{%- endmacro %}

{#- How far behind its watermark a model re-reads. A load can only commit behind a build's
    back where two processes write at once: DuckDB admits one writer at a time, so 0 there;
    60 minutes elsewhere. The var `ripple_lookback_minutes` overrides both. -#}
{% macro lookback_minutes() -%}
    {%- set configured = var('ripple_lookback_minutes', none) -%}
    {{- return(configured if configured is not none else (0 if target.type == 'duckdb' else 60)) -}}
{%- endmacro %}

{#- Keys of the rows of `relation` loaded after this model's watermark. -#}
{% macro keys_loaded_since_watermark(relation, keys) -%}
    select distinct {{ keys }}
    from {{ relation }}
    where {{ watermark_filter() }}
{%- endmacro %}

{#- Tickets with a status change loaded after this model's watermark. -#}
{% macro tickets_touched() -%}
    {{ keys_loaded_since_watermark(ref('int_ticket_events_deduplicated'), 'ticket_id') }}
{%- endmacro %}

{#- Orders with a new or changed order row or item row loaded after this model's watermark
    (an order's items arrive in their own file). -#}
{% macro sales_orders_touched() -%}
    {{ keys_loaded_since_watermark(ref('int_sales_orders_deduplicated'), 'order_id') }}
    union distinct
    {{ keys_loaded_since_watermark(ref('int_sales_order_items_deduplicated'), 'order_id') }}
{%- endmacro %}

{#-
  Every business date a touched ticket counts towards, in any version of it: the dates it was
  opened and resolved (as told by any of its events, old or new) and the dates of the files
  that carried its events. Daily aggregates recompute exactly these dates, so a late or
  corrected event moves a ticket out of the day it used to count in and into its new one.
-#}
{% macro ticket_dates_touched() -%}
    with touched_events as (
        select events.created_date, events.resolved_date, events.business_date
        from {{ ref('int_ticket_events_deduplicated') }} as events
        where events.ticket_id in ({{ tickets_touched() }})
    )
    select created_date as business_date from touched_events
    union distinct
    select resolved_date from touched_events where resolved_date is not null
    union distinct
    select business_date from touched_events
{%- endmacro %}

{#-
  First business date a daily model must compute: in a full build the first landed day; in an
  incremental run the earliest touched date, or the first day after the last one the model
  holds, but never before the first landed day (a ticket opened before it counts as open at
  its start, as in a full build). Models whose rows depend on every earlier day (backlog,
  open load) compute from here to the last day.
-#}
{% macro first_date_to_recompute() -%}
    {% if is_incremental() %}
    select case when touched.start_date < landed.first_date then landed.first_date else touched.start_date end
        as start_date
    from (
        select min(business_date) as start_date
        from (
            {{ ticket_dates_touched() }}
            union distinct
            select business_date
            from {{ ref('int_ticket_business_days') }}
            where business_date > (select max(business_date) from {{ this }})
        ) as candidates
    ) as touched
    cross join (select min(business_date) as first_date from {{ ref('int_ticket_business_days') }}) as landed
    {% else %}
    select min(business_date) as start_date from {{ ref('int_ticket_business_days') }}
    {% endif %}
{%- endmacro %}

{#- The later of two load times, either of which may be NULL. -#}
{% macro latest_of(a, b) -%}
    case when {{ a }} is null or {{ b }} > {{ a }} then {{ b }} else {{ a }} end
{%- endmacro %}
