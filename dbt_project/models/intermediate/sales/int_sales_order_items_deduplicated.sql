{{
    config(
        materialized='incremental',
        unique_key=['order_id', 'item_number'],
        on_schema_change='append_new_columns'
    )
}}

{# One row per order line. #}

with new_rows as (

    select * from {{ ref('stg_sales__order_items') }}
    {% if is_incremental() %}
    -- rows loaded after this model's watermark; merged on the key, so a row seen twice is kept once
    where {{ watermark_filter() }}
    {% endif %}

)

{{ latest_version_by_key('new_rows', ['order_id', 'item_number']) }}
