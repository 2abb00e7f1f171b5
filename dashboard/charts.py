"""The few chart shapes the pages draw (Altair, rendered by Streamlit's Vega-Lite component).
Time axes tick once per day (or month), whatever the range: never at noon."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

DAY, MONTH = "day", "month"
_TIME_FORMAT = {DAY: "%d %b", MONTH: "%b %Y"}


def _time_axis(column: str, unit: str) -> alt.X:
    return alt.X(
        f"{column}:T",
        title=None,
        axis=alt.Axis(format=_TIME_FORMAT[unit], tickCount={"interval": unit, "step": 1}, labelOverlap=True),
    )


HEIGHT = 260  # pixels; bar charts grow with their categories so that every label shows
BAR_PITCH = 24


def _show(chart: alt.Chart, title: str, height: int = HEIGHT) -> None:
    st.altair_chart(chart.properties(title=title, height=height), width="stretch")


def lines(
    frame: pd.DataFrame, x: str, series: dict[str, str], title: str, axis_format: str = ",.0f", unit: str = DAY
) -> None:
    """One line per column of `series` (column -> legend label) over the date column `x`."""
    long = frame.melt(id_vars=[x], value_vars=list(series), var_name="series", value_name="value")
    long["series"] = long["series"].map(series)
    chart = (
        alt.Chart(long)
        .mark_line(point=len(frame) < 40)
        .encode(
            x=_time_axis(x, unit),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(format=axis_format)),
            color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip(f"{x}:T", format=_TIME_FORMAT[unit]),
                "series:N",
                alt.Tooltip("value:Q", format=axis_format),
            ],
        )
    )
    _show(chart, title)


def area(frame: pd.DataFrame, x: str, y: str, title: str) -> None:
    chart = (
        alt.Chart(frame)
        .mark_area(opacity=0.6, line=True)
        .encode(
            x=_time_axis(x, DAY),
            y=alt.Y(f"{y}:Q", title=None, axis=alt.Axis(format=",.0f")),
            tooltip=[alt.Tooltip(f"{x}:T", format=_TIME_FORMAT[DAY]), alt.Tooltip(f"{y}:Q", format=",.0f")],
        )
    )
    _show(chart, title)


def bars(
    frame: pd.DataFrame,
    category: str,
    value: str,
    title: str,
    axis_format: str = ",.0f",
    color: str | None = None,
    sort: list[str] | str = "-x",
) -> None:
    """Horizontal bars of `value` per `category` (largest first unless `sort` says otherwise),
    stacked by `color` if given."""
    encoding: dict[str, Any] = {
        "y": alt.Y(f"{category}:N", title=None, sort=sort, axis=alt.Axis(labelLimit=260, labelOverlap=False)),
        "x": alt.X(f"{value}:Q", title=None, axis=alt.Axis(format=axis_format)),
    }
    tooltip: list[Any] = [f"{category}:N", alt.Tooltip(f"{value}:Q", format=axis_format)]
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=None, legend=alt.Legend(orient="bottom"))
        tooltip.append(f"{color}:N")
    height = max(HEIGHT, BAR_PITCH * frame[category].nunique())
    _show(alt.Chart(frame).mark_bar().encode(**encoding, tooltip=tooltip), title, height)


def columns(
    frame: pd.DataFrame, x: str, value: str, title: str, axis_format: str = ",.0f", color: str | None = None
) -> None:
    """Vertical bars per day of the date column `x`, stacked by `color` if given."""
    encoding: dict[str, Any] = {
        "x": alt.X(f"yearmonthdate({x}):O", title=None, axis=alt.Axis(format="%d %b", labelAngle=0)),
        "y": alt.Y(f"{value}:Q", title=None, axis=alt.Axis(format=axis_format)),
    }
    tooltip: list[Any] = [alt.Tooltip(f"{x}:T", format="%d %b %Y"), alt.Tooltip(f"{value}:Q", format=axis_format)]
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=None, legend=alt.Legend(orient="bottom"))
        tooltip.append(f"{color}:N")
    _show(alt.Chart(frame).mark_bar().encode(**encoding, tooltip=tooltip), title)


def histogram(frame: pd.DataFrame, value: str, title: str, axis_format: str = ",.0f") -> None:
    binned = alt.Bin(maxbins=30)
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(f"{value}:Q", bin=binned, title=None, axis=alt.Axis(format=axis_format)),
            y=alt.Y("count():Q", title="accounts"),
            tooltip=[alt.Tooltip(f"{value}:Q", bin=binned, format=axis_format), "count():Q"],
        )
    )
    _show(chart, title)
