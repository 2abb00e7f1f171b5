{{ config(unique_key=['order_id', 'item_number']) }}

{# One row per order line, at the price charged on the order: a later price change of the
   product does not touch it. Lines wait for their order row to arrive. #}

with orders as (

    select * from {{ ref('int_sales_orders_deduplicated') }}
    {% if is_incremental() %}
    -- the orders with an order row or an item row loaded after this model's watermark
    where order_id in ({{ sales_orders_touched() }})
    {% endif %}

),

items as (

    select * from {{ ref('int_sales_order_items_deduplicated') }}
    where order_id in (select order_id from orders)

)

select
    items.order_id,
    items.item_number,
    orders.unit_id,
    orders.business_date,
    items.product_id,
    items.quantity,
    items.unit_price,
    items.line_total,
    orders.order_status = 'cancelled' as is_cancelled,
    {{ latest_of('orders._loaded_at', 'items._loaded_at') }} as _loaded_at
from items
inner join orders on items.order_id = orders.order_id
