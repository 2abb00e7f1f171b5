{{
    config(
        materialized='incremental',
        unique_key=['ticket_id', 'updated_at', 'status'],
        on_schema_change='append_new_columns'
    )
}}

{# One row per status change; a file dropped again with corrections wins over its older copy. #}

with new_rows as (

    select * from {{ ref('stg_tickets__events') }}
    {% if is_incremental() %}
    -- rows loaded after this model's watermark; merged on the key, so a row seen twice is kept once
    where {{ watermark_filter() }}
    {% endif %}

)

{{ latest_version_by_key('new_rows', ['ticket_id', 'updated_at', 'status']) }}
