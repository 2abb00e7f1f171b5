"""The dashboard: `ripple dashboard` runs `streamlit run dashboard/app.py` (README: Dashboard)."""

from __future__ import annotations

import streamlit as st

from dashboard.layout import guarded
from dashboard.views import accounts, ops_tickets, pipeline_health, sales

st.set_page_config(page_title="ripple", layout="wide")
st.navigation(
    [
        st.Page(guarded(ops_tickets.render), title=ops_tickets.TITLE, url_path="ops", default=True),
        st.Page(guarded(sales.render), title=sales.TITLE, url_path="sales"),
        st.Page(guarded(accounts.render), title=accounts.TITLE, url_path="accounts"),
        st.Page(guarded(pipeline_health.render), title=pipeline_health.TITLE, url_path="pipeline"),
    ]
).run()
