{{ config(unique_key=['agent_id', 'business_date']) }}
-- depends_on: {{ ref('int_ticket_events_deduplicated') }}

{# Per agent and local business day, from the agent's first ticket on: tickets assigned
    (opened that day), resolved, open load at the end of the day, turnaround and breaches.
    Open load depends on every earlier day, so like backlog_daily an incremental run
    recomputes from the first affected day onwards. #}

with start as (

    select min(business_date) as start_date
    from {{ ref('int_ticket_business_days') }}
    {% if is_incremental() %}
    -- a day's open load depends on every day before it: start from the earliest day a ticket with a
    -- change loaded after this model's watermark counts towards, or the first day this model does
    -- not hold yet (never before the first landed day: the spine starts there)
    where business_date >= (select min(business_date) from ({{ ticket_dates_touched() }}) as touched)
        or business_date > (select max(business_date) from {{ this }})
    {% endif %}

),

tickets as (

    select * from {{ ref('fact_tickets') }}
    where agent_id is not null

),

agents as (

    select agent_id, max(agent_name) as agent_name, min(opened_date) as first_date
    from tickets
    group by agent_id

),

agent_days as (

    select agents.agent_id, agents.agent_name, business_days.business_date
    from agents
    inner join {{ ref('int_ticket_business_days') }} as business_days
        on agents.first_date <= business_days.business_date
    where business_days.business_date >= (select start_date from start)

),

open_before_start as (

    select agent_id, count(*) as open_tickets
    from tickets
    where opened_date < (select start_date from start)
        and (resolved_date is null or resolved_date >= (select start_date from start))
    group by agent_id

),

assigned as (

    select
        agent_id,
        opened_date as business_date,
        count(*) as tickets_assigned,
        max(_loaded_at) as _loaded_at
    from tickets
    where opened_date >= (select start_date from start)
    group by agent_id, opened_date

),

resolved as (

    select
        agent_id,
        resolved_date as business_date,
        count(*) as tickets_resolved,
        avg(resolution_seconds) as mean_resolution_seconds,
        cast(sum(case when is_sla_breached then 1 else 0 end) as {{ dbt.type_bigint() }}) as sla_breaches,
        max(_loaded_at) as _loaded_at
    from tickets
    where resolved_date >= (select start_date from start)
    group by agent_id, resolved_date

),

daily as (

    select
        agent_days.agent_id,
        agent_days.business_date,
        agent_days.agent_name,
        coalesce(assigned.tickets_assigned, 0) as tickets_assigned,
        coalesce(resolved.tickets_resolved, 0) as tickets_resolved,
        coalesce(open_before_start.open_tickets, 0) as open_before_start,
        round(resolved.mean_resolution_seconds / 3600.0, 4) as mean_turnaround_hours,
        coalesce(resolved.sla_breaches, 0) as sla_breaches,
        {{ latest_of('assigned._loaded_at', 'resolved._loaded_at') }} as _loaded_at
    from agent_days
    left join assigned
        on agent_days.agent_id = assigned.agent_id and agent_days.business_date = assigned.business_date
    left join resolved
        on agent_days.agent_id = resolved.agent_id and agent_days.business_date = resolved.business_date
    left join open_before_start
        on agent_days.agent_id = open_before_start.agent_id

)

select
    agent_id,
    business_date,
    agent_name,
    tickets_assigned,
    tickets_resolved,
    cast(
        open_before_start + sum(tickets_assigned - tickets_resolved) over (
            partition by agent_id order by business_date rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}
    ) as open_load,
    mean_turnaround_hours,
    sla_breaches,
    _loaded_at
from daily
