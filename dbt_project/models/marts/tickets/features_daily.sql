{{ config(unique_key='business_date') }}
-- depends_on: {{ ref('int_ticket_events_deduplicated') }}

{# Per local business day: volume opened, turnaround and SLA breaches of the tickets resolved
    that day. Incremental: exactly the days a newly loaded change can affect are recomputed. #}

with days as (

    select business_date from {{ ref('int_ticket_business_days') }}
    {% if is_incremental() %}
    -- the days a ticket with a change loaded after this model's watermark counts towards, in any
    -- version of it, and the days after the last one this model holds
    where business_date in ({{ ticket_dates_touched() }})
        or business_date > (select max(business_date) from {{ this }})
    {% endif %}

),

tickets as (

    select * from {{ ref('fact_tickets') }}

),

opened as (

    select
        opened_date as business_date,
        count(*) as tickets_opened,
        cast(sum(case when priority = 'P1' then 1 else 0 end) as {{ dbt.type_bigint() }}) as p1_opened,
        avg(first_response_seconds) as mean_first_response_seconds,
        max(_loaded_at) as _loaded_at
    from tickets
    where opened_date in (select business_date from days)
    group by opened_date

),

resolved as (

    select
        resolved_date as business_date,
        count(*) as tickets_resolved,
        avg(resolution_seconds) as mean_resolution_seconds,
        {{ percentile('resolution_seconds', 0.5) }} as median_resolution_seconds,
        {{ percentile('resolution_seconds', 0.9) }} as p90_resolution_seconds,
        cast(sum(case when is_sla_breached then 1 else 0 end) as {{ dbt.type_bigint() }}) as sla_breaches,
        max(_loaded_at) as _loaded_at
    from tickets
    where resolved_date in (select business_date from days)
    group by resolved_date

)

select
    days.business_date,
    coalesce(opened.tickets_opened, 0) as tickets_opened,
    coalesce(opened.p1_opened, 0) as p1_opened,
    coalesce(resolved.tickets_resolved, 0) as tickets_resolved,
    round(opened.mean_first_response_seconds / 60.0, 2) as mean_first_response_minutes,
    round(resolved.mean_resolution_seconds / 3600.0, 4) as mean_turnaround_hours,
    round(resolved.median_resolution_seconds / 3600.0, 4) as median_turnaround_hours,
    round(resolved.p90_resolution_seconds / 3600.0, 4) as p90_turnaround_hours,
    coalesce(resolved.sla_breaches, 0) as sla_breaches,
    round(100.0 * resolved.sla_breaches / resolved.tickets_resolved, 2) as sla_breach_pct,
    {{ latest_of('opened._loaded_at', 'resolved._loaded_at') }} as _loaded_at
from days
left join opened on days.business_date = opened.business_date
left join resolved on days.business_date = resolved.business_date
