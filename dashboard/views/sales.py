"""Sales (BRL): revenue per day and unit, orders per business window, average ticket, delivery and
cancelled shares, top products."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, formatting
from dashboard.layout import bounds, date_range, kpis, no_data_yet
from dashboard.warehouse import query

TITLE = "Sales"
SALES_TIMEZONE = "America/Sao_Paulo"  # dbt var sales_timezone: business windows are local hours


def render() -> None:
    st.title(TITLE)
    span = bounds(query("select min(business_date) as first, max(business_date) as last from gold.sales_daily"))
    if span is None:
        no_data_yet("sales")
        return
    start, end = date_range("sales", *span)
    # one row per day, then the whole range (grouping set ()): exact sums in reais for both
    sums = query(
        """select business_date, sum(revenue) as revenue, sum(orders) as orders,
                  sum(revenue) / nullif(sum(completed_orders), 0) as average_ticket,
                  sum(delivery_share * orders) / nullif(sum(orders), 0) as delivery_share,
                  sum(cancelled_orders) / nullif(sum(orders), 0) as cancelled_share
           from gold.sales_daily where business_date between ? and ?
           group by grouping sets ((business_date), ()) order by business_date nulls last""",
        [start, end],
    )
    totals, days = sums.iloc[-1], sums.iloc[:-1]
    kpis(
        {
            "Revenue": formatting.brl(totals["revenue"]),
            "Orders": formatting.count(totals["orders"]),
            "Average ticket": formatting.brl(totals["average_ticket"]),
        }
    )
    kpis(
        {
            "Delivery orders": formatting.share(totals["delivery_share"]),
            "Cancelled orders": formatting.share(totals["cancelled_share"]),
        }
    )
    daily = days.assign(
        revenue=days["revenue"].astype(float),
        delivery_pct=days["delivery_share"] * 100,
        cancelled_pct=days["cancelled_share"] * 100,
    )
    left, right = st.columns(2)
    with left:
        charts.columns(daily, "business_date", "revenue", "Revenue per day (R$)")
        charts.lines(
            daily,
            "business_date",
            {"delivery_pct": "delivery %", "cancelled_pct": "cancelled %"},
            "Delivery and cancelled shares of orders",
            axis_format=",.1f",
        )
    with right:
        units = query(
            """select coalesce(u.unit_name, 'unit ' || s.unit_id) as unit, sum(s.revenue)::double as revenue
               from gold.sales_daily as s left join gold.dim_units as u using (unit_id)
               where s.business_date between ? and ? group by 1 order by 2 desc limit 20""",
            [start, end],
        )
        charts.bars(units, "unit", "revenue", "Revenue per unit, top 20 (R$)")
        windows = query(
            f"""with local as (
                    select hour((ordered_at at time zone 'UTC') at time zone '{SALES_TIMEZONE}') as local_hour
                    from gold.fact_orders where business_date between ? and ?
                )
                select lpad((local_hour - local_hour % 2)::varchar, 2, '0') || ':00–'
                       || lpad((local_hour - local_hour % 2 + 2)::varchar, 2, '0') || ':00' as business_window,
                       count(*) as orders
                from local group by 1 order by 1""",
            [start, end],
        )
        charts.bars(windows, "business_window", "orders", "Orders per business window", sort="ascending")
    products = query(
        """select p.product_name as product, sum(s.quantity_sold) as quantity, sum(s.revenue)::double as revenue
           from gold.product_sales_daily as s left join gold.dim_products as p using (product_id)
           where s.business_date between ? and ? group by 1 order by revenue desc limit 10""",
        [start, end],
    )
    charts.bars(products, "product", "revenue", "Top 10 products by revenue (R$)")
