{{ config(unique_key=['unit_id', 'business_date']) }}
-- depends_on: {{ ref('int_sales_orders_deduplicated') }}
-- depends_on: {{ ref('int_sales_order_items_deduplicated') }}

{# Per unit and local business day. Incremental: exactly the unit-days of the orders loaded
   since the last run; a late window for an earlier day changes that unit-day and nothing else. #}

with orders as (

    select fact_orders.*
    from {{ ref('fact_orders') }} as fact_orders
    {% if is_incremental() %}
    -- the unit-days of the orders with an order row or an item row loaded after this model's watermark
    inner join (
        select distinct unit_id, business_date
        from {{ ref('int_sales_orders_deduplicated') }}
        where order_id in ({{ sales_orders_touched() }})
    ) as affected
        on fact_orders.unit_id = affected.unit_id
        and fact_orders.business_date = affected.business_date
    {% endif %}

),

daily as (

    select
        unit_id,
        business_date,
        count(*) as orders,
        sum(case when not is_cancelled then 1 else 0 end) as completed_orders,
        sum(case when is_cancelled then 1 else 0 end) as cancelled_orders,
        sum(case when is_delivery then 1 else 0 end) as delivery_orders,
        sum(revenue) as revenue,
        sum(case when not is_cancelled then items_quantity else 0 end) as items_sold,
        sum(case when not is_cancelled then delivery_fee else 0 end) as delivery_fees,
        max(_loaded_at) as _loaded_at
    from orders
    group by unit_id, business_date

)

select
    unit_id,
    business_date,
    cast(orders as {{ dbt.type_bigint() }}) as orders,
    cast(completed_orders as {{ dbt.type_bigint() }}) as completed_orders,
    cast(cancelled_orders as {{ dbt.type_bigint() }}) as cancelled_orders,
    cast(revenue as decimal(14, 2)) as revenue,
    cast(round(revenue / nullif(completed_orders, 0), 2) as decimal(12, 2)) as average_ticket,
    cast(items_sold as {{ dbt.type_bigint() }}) as items_sold,
    cast(delivery_fees as decimal(14, 2)) as delivery_fees,
    cast(round(cast(cancelled_orders as {{ type_double() }}) / orders, 4) as {{ type_double() }}) as cancelled_share,
    cast(round(cast(delivery_orders as {{ type_double() }}) / orders, 4) as {{ type_double() }}) as delivery_share,
    _loaded_at
from daily
