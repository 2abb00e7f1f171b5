{{
    config(
        materialized='incremental',
        unique_key='order_id',
        on_schema_change='append_new_columns'
    )
}}

{# One row per order: bulk and window exports of the same day carry the same orders. #}

{{ latest_version_by_key(ref('stg_sales__orders'), ['order_id']) }}
