{{ config(unique_key='business_date') }}
-- depends_on: {{ ref('int_ticket_events_deduplicated') }}

{# One row per local business day: the ops dashboard's numbers in one place. Built from the
    other daily gold tables; recomputed from the first affected day on, like the backlog. #}

with start as (

    {{ first_date_to_recompute() }}

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
