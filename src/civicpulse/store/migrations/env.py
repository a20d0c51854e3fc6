"""Alembic environment: always run with a connection handed over by civicpulse (never a URL here)."""

from __future__ import annotations

from alembic import context

from civicpulse.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
