"""Purpose binding by record: which operation(s) collected each post, quarantined record and signal.

Until now a record belonged to an operation when it was stored while an ingest run was bound to it
(``operation_ingests`` time windows), so two operations ingesting at the same time saw, exported
and deleted each other's records. From now on the writer links each record to its operation in the
same transaction. The backfill links the existing records by the old windows, so an upgraded
database shows each operation what it showed before; a signal or detector snapshot inside the
windows of two operations goes to the one whose run started last (a column holds one operation).

Revision ID: 0005_post_operations
Revises: 0004_alerts
Create Date: 2026-11-30
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005_post_operations"
down_revision = "0004_alerts"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)

_posts = sa.table("posts", sa.column("id", sa.String), sa.column("ingested_at", TZ))
_quarantine = sa.table("quarantine", sa.column("fingerprint", sa.String), sa.column("received_at", TZ))
_signals = sa.table("signals", sa.column("stored_at", TZ), sa.column("operation_id", sa.String))
_detector_state = sa.table("detector_state", sa.column("updated_at", TZ), sa.column("operation_id", sa.String))
_ingests = sa.table("operation_ingests", sa.column("operation_id", sa.String), sa.column("started_at", TZ),
                    sa.column("ended_at", TZ))
_operations = sa.table("operations", sa.column("id", sa.String), sa.column("ends_at", TZ),
                       sa.column("closed_at", TZ))
_post_operations = sa.table("post_operations", sa.column("post_id", sa.String), sa.column("operation_id", sa.String))
_quarantine_operations = sa.table("quarantine_operations", sa.column("fingerprint", sa.String),
                                  sa.column("operation_id", sa.String))


def _in_window(stamp: Any) -> Any:
    """SQL: ``stamp`` falls in the binding's run; a run that never ended ran until the operation ended."""
    o = _operations.c
    operation_end = sa.case((sa.and_(o.closed_at.is_not(None), o.closed_at < o.ends_at), o.closed_at),
                            else_=o.ends_at)
    return sa.and_(stamp >= _ingests.c.started_at, stamp <= sa.func.coalesce(_ingests.c.ended_at, operation_end))


def _bindings() -> Any:
    return _ingests.join(_operations, _operations.c.id == _ingests.c.operation_id)


def upgrade() -> None:
    op.create_table(
        "post_operations",
        sa.Column("operation_id", sa.String(32), primary_key=True),
        sa.Column("post_id", sa.String(512), primary_key=True),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "quarantine_operations",
        sa.Column("operation_id", sa.String(32), primary_key=True),
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sqlite_with_rowid=False,
    )
    op.add_column("signals", sa.Column("operation_id", sa.String(32)))
    op.create_index("ix_signals_operation", "signals", ["operation_id"])
    op.add_column("detector_state", sa.Column("operation_id", sa.String(32)))

    op.execute(_post_operations.insert().from_select(
        ["post_id", "operation_id"],
        sa.select(_posts.c.id, _ingests.c.operation_id).distinct()
        .select_from(_bindings().join(_posts, _in_window(_posts.c.ingested_at)))))
    op.execute(_quarantine_operations.insert().from_select(
        ["fingerprint", "operation_id"],
        sa.select(_quarantine.c.fingerprint, _ingests.c.operation_id).distinct()
        .select_from(_bindings().join(_quarantine, _in_window(_quarantine.c.received_at)))))
    for table, stamp in ((_signals, _signals.c.stored_at), (_detector_state, _detector_state.c.updated_at)):
        latest = (sa.select(_ingests.c.operation_id).select_from(_bindings()).where(_in_window(stamp))
                  .order_by(_ingests.c.started_at.desc()).limit(1).scalar_subquery())
        op.execute(table.update().values(operation_id=latest))


def downgrade() -> None:
    with op.batch_alter_table("detector_state") as batch:
        batch.drop_column("operation_id")
    op.drop_index("ix_signals_operation", "signals")
    with op.batch_alter_table("signals") as batch:
        batch.drop_column("operation_id")
    op.drop_table("quarantine_operations")
    op.drop_table("post_operations")
