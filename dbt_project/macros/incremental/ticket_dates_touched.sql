{#- a late or corrected event can move a ticket out of the day it used to count in: the dates
    of every version of the ticket, old and new, are recomputed -#}
{% macro ticket_dates_touched() -%}
    with touched_events as (
        select events.created_date, events.resolved_date, events.business_date
        from {{ ref('int_ticket_events_deduplicated') }} as events
        where events.ticket_id in (
            select ticket_id from {{ ref('int_ticket_events_deduplicated') }} where {{ watermark_filter() }}
        )
    )
    select created_date as business_date from touched_events
    union distinct
    select resolved_date from touched_events where resolved_date is not null
    union distinct
    select business_date from touched_events
{%- endmacro %}
