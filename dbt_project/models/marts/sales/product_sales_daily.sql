{{ config(unique_key='business_date') }}
-- depends_on: {{ ref('int_sales_orders_deduplicated') }}
-- depends_on: {{ ref('int_sales_order_items_deduplicated') }}

{# Per product and local business day (grain: product_id, business_date). Incremental: the
   days of the orders loaded since the last run are recomputed whole (merged on the day), so
   a product that no longer sold on a day leaves no stale row. #}

with items as (

    select fact_order_items.*
    from {{ ref('fact_order_items') }} as fact_order_items
    {% if is_incremental() %}
    -- whole days: the days of the orders with an order row or an item row loaded after this model's watermark
    where
        fact_order_items.business_date in (
            select business_date
            from {{ ref('int_sales_orders_deduplicated') }}
            where order_id in ({{ sales_orders_touched() }})
        )
    {% endif %}

)

select
    product_id,
    business_date,
    cast(sum(case when not is_cancelled then quantity else 0 end) as {{ dbt.type_bigint() }}) as quantity_sold,
    cast(sum(case when not is_cancelled then line_total else 0 end) as decimal(14, 2)) as revenue,
    cast(count(distinct case when not is_cancelled then order_id end) as {{ dbt.type_bigint() }}) as orders,
    cast(sum(case when is_cancelled then quantity else 0 end) as {{ dbt.type_bigint() }}) as cancelled_quantity,
    max(_loaded_at) as _loaded_at
from items
group by product_id, business_date
