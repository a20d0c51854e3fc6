"""Signals raised by detectors, and detector state saved for resuming after a restart.

Revision ID: 0003
Revises: 0002_governance
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002_governance"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "signals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("detector", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("key", sa.String(256), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("post_ids", sa.Text, nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("stored_at", TZ, nullable=False),
    )
    op.create_index("ix_signals_at", "signals", ["at"])
    op.create_index("ix_signals_kind_key", "signals", ["kind", "key"])
    op.create_table(
        "detector_state",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("state", sa.LargeBinary, nullable=False),
        sa.Column("stream_time", TZ),
        sa.Column("updated_at", TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("detector_state")
    op.drop_index("ix_signals_kind_key", "signals")
    op.drop_index("ix_signals_at", "signals")
    op.drop_table("signals")
