{{
    config(
        materialized='incremental',
        unique_key=['ticket_id', 'updated_at', 'status'],
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns'
    )
}}

{#- One row per status change. The same change seen twice keeps its latest load, then the
    latest file and line: a file dropped again with corrections wins over its older copy. -#}

with new_events as (

    select * from {{ ref('stg_tickets__events') }}
    {% if is_incremental() %}
    where {{ watermark_filter() }}
    {% endif %}

),

ranked as (

    select
        *,
        row_number() over (
            partition by ticket_id, updated_at, status
            order by _loaded_at desc, source_file desc, source_line desc
        ) as version_rank
    from new_events

)

select
    ticket_id,
    status,
    priority,
    category,
    channel,
    agent_id,
    agent_name,
    customer_id,
    subject,
    created_at,
    updated_at,
    first_response_at,
    resolved_at,
    created_date,
    resolved_date,
    business_date,
    source_file,
    source_line,
    _loaded_at
from ranked
where version_rank = 1
