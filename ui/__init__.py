"""Streamlit-side helpers shared by app.py and pages/: the cached engine, the acting user, formatting widgets."""
