"""What every page shares: the date-range filter, friendly notes instead of errors, KPI rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from dashboard.warehouse import NoData, WarehouseBusy, location


def guarded(render: Callable[[], None]) -> Callable[[], None]:
    """A page that says, in plain words, when there is nothing to show yet or a run holds the
    warehouse, instead of printing a traceback."""

    def page() -> None:
        try:
            render()
        except NoData as exc:
            st.info(
                f"Nothing to show yet: {exc}. Run `make demo` (or `ripple ingest` and `ripple build`) "
                f"to fill the warehouse at {location()}."
            )
        except WarehouseBusy:
            st.warning("A run is writing the warehouse right now. Refresh the page in a moment.")

    page.__name__ = render.__name__
    return page


def no_data_yet(what: str) -> None:
    st.info(f"No {what} yet. It appears here once `ripple ingest` and `ripple build` have loaded some.")


def date_range(key: str, first: date, last: date) -> tuple[date, date]:
    """The page's date-range filter in the sidebar, over the days it has data for (all of them
    by default); a half-picked range counts as that one day."""
    picked = st.sidebar.date_input(
        "Date range", value=(first, last), min_value=first, max_value=last, key=f"{key}_dates", format="YYYY-MM-DD"
    )
    days = list(picked) if isinstance(picked, tuple | list) else [picked]
    start = days[0] if days else first
    end = days[1] if len(days) > 1 else start
    st.caption(f"{start:%d %b %Y} – {end:%d %b %Y} · data from {first:%d %b %Y} to {last:%d %b %Y}")
    return start, end


def bounds(frame: pd.DataFrame) -> tuple[date, date] | None:
    """(first, last) of a one-row `first`, `last` result, None when the table is empty."""
    first, last = frame.iloc[0]["first"], frame.iloc[0]["last"]
    if pd.isna(first):
        return None
    return pd.Timestamp(first).date(), pd.Timestamp(last).date()


def kpis(values: dict[str, str]) -> None:
    """One row of headline numbers, already formatted."""
    for column, (label, value) in zip(st.columns(len(values)), values.items()):
        column.metric(label, value)
