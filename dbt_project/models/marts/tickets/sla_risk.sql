{{ config(materialized='table') }}

{# Open tickets at the end of the latest business day, by priority and time left before their
    SLA is breached. A snapshot: as small as the backlog, rebuilt each run. #}

with as_of as (

    select
        max(business_date) as as_of_date,
        -- the end of that local day, in UTC
        {{ to_utc(dbt.dateadd('day', 1, 'cast(max(business_date) as timestamp)'), var('tickets_timezone')) }}
            as as_of_at
    from {{ ref('int_ticket_business_days') }}

),

open_tickets as (

    select
        tickets.priority,
        tickets.created_at,
        {{ dbt.datediff('as_of.as_of_at', 'tickets.sla_due_at', 'minute') }}
            as minutes_to_breach,
        as_of.as_of_date,
        as_of.as_of_at
    from {{ ref('fact_tickets') }} as tickets
    cross join as_of
    where not tickets.is_resolved

),

bucketed as (

    select
        *,
        case
            when minutes_to_breach < 0 then 'breached'
            when minutes_to_breach < 60 then 'under 1h'
            when minutes_to_breach < 240 then '1h to 4h'
            when minutes_to_breach < 1440 then '4h to 24h'
            else 'over 24h'
        end as breach_bucket,
        case
            when minutes_to_breach < 0 then 1
            when minutes_to_breach < 60 then 2
            when minutes_to_breach < 240 then 3
            when minutes_to_breach < 1440 then 4
            else 5
        end as bucket_order
    from open_tickets

)

select
    as_of_date,
    as_of_at,
    priority,
    breach_bucket,
    bucket_order,
    count(*) as open_tickets,
    min(created_at) as oldest_created_at,
    min(minutes_to_breach) as min_minutes_to_breach
from bucketed
group by as_of_date, as_of_at, priority, breach_bucket, bucket_order
