"""Pipeline health: last run per source, rows loaded and quarantined per day, quarantine reasons,
freshness against each source's cadence (ingest/freshness.py), schema drift, watermarks.
Everything comes from the ops schema; file sources' freshness from their runs that loaded files."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard import charts, formatting
from dashboard.layout import date_range, kpis, no_data_yet
from dashboard.warehouse import query
from ingest.freshness import judge
from ingest.sources import FileSource, load_sources

TITLE = "Pipeline health"


def render() -> None:
    st.title(TITLE)
    # rows per run day and kind, for every day: the filter's bounds come from it too
    per_day = query(
        """select execution_date, 'loaded' as rows, sum(rows_loaded) as count
           from ops.ingestion_metadata group by 1
           union all
           select execution_date, 'quarantined', sum(rows_quarantined)
           from ops.ingestion_metadata group by 1
           order by 1, 2"""
    )
    if per_day.empty:
        no_data_yet("ingest runs")
        return
    start, end = date_range("pipeline", per_day["execution_date"].min().date(), per_day["execution_date"].max().date())
    per_day = per_day[per_day["execution_date"].dt.date.between(start, end)]
    last_runs = query(
        """select source_name as source, source_type as kind, status,
                  strftime(started_at, '%Y-%m-%d %H:%M:%S UTC') as started_at,
                  epoch(ended_at - started_at) as seconds, rows_loaded, rows_quarantined, error_message,
                  max(ended_at) filter (where status = 'success' and files > 0)
                      over (partition by source_name) as last_files_loaded,
                  max(ended_at) filter (where status = 'success') over (partition by source_name) as last_success
           from ops.ingestion_metadata
           qualify row_number() over (partition by source_name order by started_at desc) = 1
           order by source"""
    )
    freshness = source_freshness(last_runs.set_index("source"))
    kpis(
        {
            "Sources": formatting.count(len(last_runs)),
            "Last run failed": formatting.count((last_runs["status"] == "failed").sum()),
            "Late or stale": formatting.count(freshness["freshness"].str.match("late|stale").sum()),
            "Rows quarantined": formatting.count(per_day.loc[per_day["rows"] == "quarantined", "count"].sum()),
        }
    )
    st.subheader("Last run per source")
    st.table(
        last_runs.assign(
            duration=last_runs["seconds"].map(formatting.duration),
            rows_loaded=last_runs["rows_loaded"].map(formatting.count),
            rows_quarantined=last_runs["rows_quarantined"].map(formatting.count),
            error_message=last_runs["error_message"].fillna(""),
        ).drop(columns=["seconds", "last_files_loaded", "last_success"]),
        hide_index=True,
    )
    left, right = st.columns(2)
    with left:
        charts.columns(per_day, "execution_date", "count", "Rows loaded and quarantined per run day", color="rows")
    with right:
        reasons = query(
            """select source_name as source, reason, count(*) as rows, strftime(max(loaded_at), '%Y-%m-%d %H:%M UTC') as last_seen
               from ops.quarantine where cast(loaded_at as date) between ? and ?
               group by all order by rows desc, reason limit 20""",
            [start, end],
        )
        if reasons.empty:
            st.info("No rows quarantined in this date range.")
        else:
            charts.bars(reasons, "reason", "rows", "Quarantine reasons (top 20)", color="source")
    st.subheader("Freshness against each source's cadence")
    st.table(freshness, hide_index=True)
    left, right = st.columns(2)
    with left:
        st.subheader("Schema drift (latest 50 changes)")
        drift = query(
            """select source_name as source, schema_version, strftime(detected_at, '%Y-%m-%d %H:%M UTC') as detected_at, column_name,
                      change, previous_data_type, data_type
               from ops.schema_drift order by detected_at desc, source, column_name limit 50"""
        )
        if drift.empty:
            st.info("No schema drift: every source still sends the columns it first sent.")
        else:
            st.table(drift, hide_index=True)
    with right:
        st.subheader("Watermarks")
        watermarks = query(
            """select source_name as source, cursor_column, cursor_value, strftime(updated_at, '%Y-%m-%d %H:%M UTC') as updated_at,
                      updated_by
               from ops.watermarks order by source"""
        )
        if watermarks.empty:
            st.info("No database source has a watermark yet.")
        else:
            st.table(watermarks, hide_index=True)


def source_freshness(last_runs: pd.DataFrame) -> pd.DataFrame:
    """Each declared source judged by ingest/freshness.py: a file source is as new as its last
    run that loaded files, a database source as its last successful run."""
    now = datetime.now(UTC)
    rows = []
    for name, source in load_sources().items():
        column = "last_files_loaded" if isinstance(source, FileSource) else "last_success"
        value = last_runs[column].get(name) if name in last_runs.index else None
        proved = None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime().astimezone(UTC)
        rows.append(
            {
                "source": name,
                "cadence": source.cadence or "–",
                "business hours": source.business_hours or "–",
                "freshness": judge(source, proved, now).describe(),
                "last data": f"{proved:%Y-%m-%d %H:%M} UTC" if proved else "never",
            }
        )
    return pd.DataFrame(rows)
