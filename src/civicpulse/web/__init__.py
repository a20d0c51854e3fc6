"""The web dashboard and API (FastAPI)."""
