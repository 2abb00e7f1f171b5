{{
    config(
        materialized='incremental',
        unique_key=['order_id', 'item_number'],
        on_schema_change='append_new_columns'
    )
}}

{# One row per order line. #}

{{ latest_version_by_key(ref('stg_sales__order_items'), ['order_id', 'item_number']) }}
