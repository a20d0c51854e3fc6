"""Alembic migrations, run programmatically by :mod:`civicpulse.store.database`."""
