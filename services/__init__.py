"""The application: use cases, read models, matching, imports and exports. Never imports streamlit."""
