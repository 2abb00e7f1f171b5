"""Ops tickets: volume, turnaround, SLA breaches, the backlog snowball, agent load, SLA risk now."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, formatting
from dashboard.layout import bounds, date_range, kpis, no_data_yet
from dashboard.warehouse import query

TITLE = "Ops tickets"


def render() -> None:
    st.title(TITLE)
    span = bounds(query("select min(business_date) as first, max(business_date) as last from gold.daily_ops_metrics"))
    if span is None:
        no_data_yet("tickets")
        return
    start, end = date_range("ops", *span)
    daily = query(
        """select metrics.*, features.sla_breaches
           from gold.daily_ops_metrics as metrics
           inner join gold.features_daily as features using (business_date)
           where business_date between ? and ? order by business_date""",
        [start, end],
    )
    turnaround = query(
        """select avg(resolution_seconds) / 3600 as mean, median(resolution_seconds) / 3600 as median,
                  quantile_cont(resolution_seconds, 0.9) / 3600 as p90
           from gold.fact_tickets where resolved_date between ? and ?""",
        [start, end],
    ).iloc[0]
    resolved, breaches = daily["tickets_resolved"].sum(), daily["sla_breaches"].sum()
    kpis(
        {
            "Tickets opened": formatting.count(daily["tickets_opened"].sum()),
            "Tickets resolved": formatting.count(resolved),
            "SLA breached": formatting.percent(breaches / resolved * 100 if resolved else None),
            f"Backlog on {end:%d %b %Y}": formatting.count(daily["backlog"].iloc[-1] if len(daily) else None),
        }
    )
    kpis({f"Turnaround, {name}": formatting.hours(turnaround[name]) for name in ("mean", "median", "p90")})
    left, right = st.columns(2)
    with left:
        charts.lines(
            daily, "business_date", {"tickets_opened": "opened", "tickets_resolved": "resolved"}, "Tickets per day"
        )
        charts.area(daily, "business_date", "backlog", "Backlog: open tickets at the end of each day")
    with right:
        charts.lines(
            daily,
            "business_date",
            {"mean_turnaround_hours": "mean", "median_turnaround_hours": "median", "p90_turnaround_hours": "p90"},
            "Turnaround of tickets resolved that day (hours)",
            axis_format=",.1f",
        )
        charts.lines(
            daily, "business_date", {"sla_breach_pct": "SLA breached %"}, "SLA-breach % per day", axis_format=",.1f"
        )
    agents = query(
        """select agent_name as agent, sum(tickets_assigned) as assigned, sum(tickets_resolved) as resolved,
                  arg_max(open_load, business_date) as open_at_end, sum(sla_breaches) as sla_breaches
           from gold.daily_agent_load where business_date between ? and ?
           group by agent_name order by open_at_end desc, agent limit 20""",
        [start, end],
    )
    left, right = st.columns(2)
    with left:
        charts.bars(agents, "agent", "open_at_end", f"Agent load: open tickets on {end:%d %b} (top 20)")
    with right:
        risk = query("select * from gold.sla_risk order by bucket_order, priority")
        if risk.empty:
            st.info("No open tickets: nothing is at risk of breaching its SLA.")
        else:
            charts.bars(
                risk,
                "breach_bucket",
                "open_tickets",
                f"SLA risk now: open tickets by time left ({risk['as_of_date'].iloc[0]:%d %b %Y})",
                color="priority",
                sort=list(dict.fromkeys(risk["breach_bucket"])),
            )
