-- Every unit-day's revenue and order count equal what fact_orders holds for it; revenue
-- excludes cancelled orders.
with expected as (
    select
        unit_id,
        business_date,
        count(*) as orders,
        sum(case when order_status = 'completed' then order_total else 0 end) as revenue
    from {{ ref('fact_orders') }}
    group by unit_id, business_date
)

select
    coalesce(expected.unit_id, actual.unit_id) as unit_id,
    coalesce(expected.business_date, actual.business_date) as business_date,
    expected.orders as expected_orders,
    actual.orders as actual_orders,
    expected.revenue as expected_revenue,
    actual.revenue as actual_revenue
from expected
full outer join {{ ref('sales_daily') }} as actual
    on expected.unit_id = actual.unit_id
    and expected.business_date = actual.business_date
where
    actual.orders is distinct from expected.orders
    or actual.revenue is distinct from expected.revenue
