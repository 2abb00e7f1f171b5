{{ config(unique_key='business_date') }}
-- depends_on: {{ ref('int_ticket_events_deduplicated') }}

{# One row per local business day: the ops dashboard's numbers in one place. Built from the
    other daily gold tables; recomputed from the first affected day on, like the backlog. #}

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

agents as (

    select
        business_date,
        cast(sum(case when tickets_resolved > 0 then 1 else 0 end) as {{ dbt.type_bigint() }}) as active_agents,
        max(open_load) as max_agent_open_load
    from {{ ref('daily_agent_load') }}
    where business_date >= (select start_date from start)
    group by business_date

)

select
    backlog.business_date,
    features.tickets_opened,
    features.tickets_resolved,
    backlog.net_change,
    backlog.open_at_end_of_day as backlog,
    features.mean_first_response_minutes,
    features.mean_turnaround_hours,
    features.median_turnaround_hours,
    features.p90_turnaround_hours,
    features.sla_breach_pct,
    coalesce(agents.active_agents, 0) as active_agents,
    round(features.tickets_resolved * 1.0 / nullif(agents.active_agents, 0), 2) as resolved_per_active_agent,
    agents.max_agent_open_load,
    backlog._loaded_at
from {{ ref('backlog_daily') }} as backlog
inner join {{ ref('features_daily') }} as features
    on backlog.business_date = features.business_date
left join agents
    on backlog.business_date = agents.business_date
where backlog.business_date >= (select start_date from start)
