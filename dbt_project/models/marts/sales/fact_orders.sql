{{ config(unique_key='order_id') }}

{# One row per order with its item totals. Incremental: orders whose order row or item rows
   were loaded since the last run are recomputed from all their rows. #}

with orders as (

    select * from {{ ref('int_sales_orders_deduplicated') }}
    {% if is_incremental() %}
    -- the orders with an order row or an item row loaded after this model's watermark
    where order_id in ({{ sales_orders_touched() }})
    {% endif %}

),

items as (

    select
        order_id,
        count(*) as item_lines,
        sum(quantity) as items_quantity,
        sum(line_total) as items_amount,
        max(_loaded_at) as _loaded_at
    from {{ ref('int_sales_order_items_deduplicated') }}
    where order_id in (select order_id from orders)
    group by order_id

)

select
    orders.order_id,
    orders.unit_id,
    orders.business_date,
    orders.ordered_at,
    orders.order_type,
    orders.order_status,
    orders.order_status = 'cancelled' as is_cancelled,
    orders.order_type = 'delivery' as is_delivery,
    orders.payment_method,
    cast(coalesce(items.item_lines, 0) as {{ dbt.type_bigint() }}) as item_lines,
    cast(coalesce(items.items_quantity, 0) as {{ dbt.type_bigint() }}) as items_quantity,
    cast(coalesce(items.items_amount, 0) as decimal(14, 2)) as items_amount,
    orders.delivery_fee,
    orders.order_total,
    cast(case when orders.order_status = 'completed' then orders.order_total else 0 end as decimal(12, 2)) as revenue,
    {{ latest_of('orders._loaded_at', 'items._loaded_at') }} as _loaded_at
from orders
left join items on orders.order_id = items.order_id
