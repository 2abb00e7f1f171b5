{{ config(unique_key='ticket_id') }}

{# Latest state per ticket. Incremental: only tickets with a change loaded since the last run
    are recomputed, each from all of its events, so a late older change cannot roll a ticket back. #}

with events as (

    select * from {{ ref('int_ticket_events_deduplicated') }}
    {% if is_incremental() %}
    -- the tickets with a change loaded after this model's watermark, each with all of its events
    where
        ticket_id in (
            select ticket_id
            from {{ ref('int_ticket_events_deduplicated') }}
            where {{ watermark_filter() }}
        )
    {% endif %}

),

ranked as (

    select
        events.*,
        statuses.is_resolved,
        row_number() over (
            partition by events.ticket_id
            order by
                events.updated_at desc,
                statuses.status_rank desc,
                events._loaded_at desc,
                events.source_file desc,
                events.source_line desc
        ) as recency_rank
    from events
    left join {{ ref('ticket_statuses') }} as statuses
        on events.status = statuses.status

),

history as (

    select
        ticket_id,
        count(*) as status_changes,
        min(case when status = 'closed' then updated_at end) as closed_at,
        max(_loaded_at) as _loaded_at
    from events
    group by ticket_id

),

latest as (

    select
        ticket_id,
        status,
        coalesce(is_resolved, false) as is_resolved,
        priority,
        category,
        channel,
        agent_id,
        agent_name,
        customer_id,
        subject,
        created_at,
        first_response_at,
        -- a resolved ticket whose row lacks the time is taken as resolved at its last change
        case when is_resolved then coalesce(resolved_at, updated_at) end as resolved_at,
        updated_at,
        created_date,
        case when is_resolved then coalesce(resolved_date, business_date) end as resolved_date
    from ranked
    where recency_rank = 1

),

final as (

    select
        latest.ticket_id,
        latest.status,
        latest.is_resolved,
        latest.priority,
        latest.category,
        latest.channel,
        latest.agent_id,
        latest.agent_name,
        latest.customer_id,
        latest.subject,
        latest.created_at,
        latest.first_response_at,
        latest.resolved_at,
        history.closed_at,
        latest.updated_at,
        latest.created_date as opened_date,
        latest.resolved_date,
        sla.sla_target_hours,
        {{ dbt.dateadd('hour', 'sla.sla_target_hours', 'latest.created_at') }} as sla_due_at,
        {{ dbt.datediff('latest.created_at', 'latest.first_response_at', 'second') }}
            as first_response_seconds,
        {{ dbt.datediff('latest.created_at', 'latest.resolved_at', 'second') }}
            as resolution_seconds,
        case
            when latest.resolved_at is null then null
            else latest.resolved_at > {{ dbt.dateadd('hour', 'sla.sla_target_hours', 'latest.created_at') }}
        end as is_sla_breached,
        history.status_changes,
        history._loaded_at
    from latest
    inner join history on latest.ticket_id = history.ticket_id
    left join {{ ref('sla_targets') }} as sla on latest.priority = sla.priority

)

select * from final
