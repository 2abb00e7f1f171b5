{{ config(unique_key='business_date') }}
-- depends_on: {{ ref('int_ticket_events_deduplicated') }}

{# Open tickets at the end of each local business day. A day's backlog depends on every day
    before it, so an incremental run recomputes from the first affected day to the last day:
    the backlog just before that day, counted from fact_tickets, plus the running net change. #}

with start as (

    select min(business_date) as start_date
    from {{ ref('int_ticket_business_days') }}
    {% if is_incremental() %}
    -- a day's backlog depends on every day before it: start from the earliest day a ticket with a
    -- change loaded after this model's watermark counts towards, or the first day this model does
    -- not hold yet (never before the first landed day: the spine starts there)
    where business_date >= (select min(business_date) from ({{ ticket_dates_touched() }}) as touched)
        or business_date > (select max(business_date) from {{ this }})
    {% endif %}

),

days as (

    select business_date
    from {{ ref('int_ticket_business_days') }}
    where business_date >= (select start_date from start)

),

tickets as (

    select opened_date, resolved_date, _loaded_at from {{ ref('fact_tickets') }}

),

open_before_start as (

    select count(*) as open_tickets
    from tickets
    where opened_date < (select start_date from start)
        and (resolved_date is null or resolved_date >= (select start_date from start))

),

opened as (

    select opened_date as business_date, count(*) as tickets_opened, max(_loaded_at) as _loaded_at
    from tickets
    where opened_date >= (select start_date from start)
    group by opened_date

),

closed as (

    select resolved_date as business_date, count(*) as tickets_closed, max(_loaded_at) as _loaded_at
    from tickets
    where resolved_date >= (select start_date from start)
    group by resolved_date

),

daily as (

    select
        days.business_date,
        coalesce(opened.tickets_opened, 0) as tickets_opened,
        coalesce(closed.tickets_closed, 0) as tickets_closed,
        {{ latest_of('opened._loaded_at', 'closed._loaded_at') }} as _loaded_at
    from days
    left join opened on days.business_date = opened.business_date
    left join closed on days.business_date = closed.business_date

)

select
    business_date,
    tickets_opened,
    tickets_closed,
    tickets_opened - tickets_closed as net_change,
    cast(
        (select open_tickets from open_before_start)
        + sum(tickets_opened - tickets_closed) over (
            order by business_date rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}
    ) as open_at_end_of_day,
    _loaded_at
from daily
