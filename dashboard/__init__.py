"""The KPI dashboard (Streamlit): pages over gold and ops, read-only; `ripple dashboard` starts it."""
