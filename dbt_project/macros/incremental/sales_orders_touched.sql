{#- an order's items arrive in their own file: a new item row touches its order too -#}
{% macro sales_orders_touched() -%}
    select order_id from {{ ref('int_sales_orders_deduplicated') }} where {{ watermark_filter() }}
    union distinct
    select order_id from {{ ref('int_sales_order_items_deduplicated') }} where {{ watermark_filter() }}
{%- endmacro %}
