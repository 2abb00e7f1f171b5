{{
    config(
        materialized='incremental',
        unique_key=['ticket_id', 'updated_at', 'status'],
        on_schema_change='append_new_columns'
    )
}}

{# One row per status change; a file dropped again with corrections wins over its older copy. #}

{{ latest_version_by_key(ref('stg_tickets__events'), ['ticket_id', 'updated_at', 'status']) }}
