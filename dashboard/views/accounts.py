"""Accounts: balance distribution, delinquency over time, accounts by status, and how many months
each load of corrections rewrote, all from the 36-month summary (index 1 = the row's month)."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, formatting
from dashboard.layout import bounds, date_range, kpis, no_data_yet
from dashboard.warehouse import query

TITLE = "Accounts"
# days past due of the month itself -> status, in the order the chart shows them
STATUS = """case when days_past_due_history[1] is null then 'not reported'
                 when days_past_due_history[1] = 0 then 'current'
                 when days_past_due_history[1] < 30 then '1–29 days past due'
                 when days_past_due_history[1] < 60 then '30–59 days past due'
                 when days_past_due_history[1] < 90 then '60–89 days past due'
                 else '90+ days past due' end"""
STATUS_ORDER = [
    "current",
    "1–29 days past due",
    "30–59 days past due",
    "60–89 days past due",
    "90+ days past due",
    "not reported",
]


def render() -> None:
    st.title(TITLE)
    span = bounds(query("select min(month_date) as first, max(month_date) as last from gold.summary"))
    if span is None:
        no_data_yet("account history")
        return
    start, end = date_range("accounts", *span)
    # the accounts of the range's last month, one row each: the KPIs, the histogram and the statuses
    accounts = query(
        f"""select month_date, balance_am_history[1]::double as balance,
                   days_past_due_history[1] as days_past_due, {STATUS} as status,
                   (select count(*) from gold.latest_summary) as accounts_ever
            from gold.summary
            where month_date = (select max(month_date) from gold.summary where month_date between ? and ?)""",
        [start, end],
    )
    if accounts.empty:
        st.info("No month starts in this date range: widen it to include the first day of a month.")
        return
    month_label = f"{accounts['month_date'].iloc[0]:%b %Y}"
    kpis(
        {
            "Accounts (all time)": formatting.count(accounts["accounts_ever"].iloc[0]),
            f"Reporting in {month_label}": formatting.count(len(accounts)),
            f"Total balance, {month_label}": formatting.count(accounts["balance"].sum()),
            f"30+ days past due, {month_label}": formatting.share((accounts["days_past_due"] >= 30).mean()),
        }
    )
    left, right = st.columns(2)
    with left:
        charts.histogram(accounts, "balance", f"Balance distribution, {month_label}")
        statuses = accounts.groupby("status", as_index=False).size().rename(columns={"size": "accounts"})
        charts.bars(statuses, "status", "accounts", f"Accounts by status, {month_label}", sort=STATUS_ORDER)
    with right:
        delinquency = query(
            """select month_date,
                      100 * count(*) filter (where days_past_due_history[1] >= 30) / count(*) as dpd30_pct,
                      100 * count(*) filter (where days_past_due_history[1] >= 90) / count(*) as dpd90_pct
               from gold.summary where month_date between ? and ? group by 1 order by 1""",
            [start, end],
        )
        charts.lines(
            delinquency,
            "month_date",
            {"dpd30_pct": "30+ days past due %", "dpd90_pct": "90+ days past due %"},
            "Delinquency over time (share of reporting accounts)",
            axis_format=",.1f",
            unit=charts.MONTH,
        )
        batches = query(
            """select strftime(_loaded_at, '%Y-%m-%d %H:%M:%S UTC') as loaded_at, count(*) as rows_rewritten,
                      count(distinct month_date) as months_rewritten,
                      min(rpt_as_of_mo) as first_month, max(rpt_as_of_mo) as last_month
               from gold.summary group by 1 order by 1"""
        )
        charts.bars(
            batches,
            "loaded_at",
            "months_rewritten",
            "Months each load of the history rewrote",
            sort="ascending",
        )
    st.caption("A load rewrote the summary rows whose latest input came with it.")
    st.table(batches.assign(rows_rewritten=batches["rows_rewritten"].map(formatting.count)), hide_index=True)
