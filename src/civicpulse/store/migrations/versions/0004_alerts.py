"""Alerts: rules inside operations, the alerts they raised, and the delivery outbox.

Revision ID: 0004_alerts
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_alerts"
down_revision = "0003"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alert_rules",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("operation_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("query", sa.Text),
        sa.Column("geofence", sa.Text),
        sa.Column("metric", sa.String(64)),
        sa.Column("threshold", sa.Float),
        sa.Column("channels", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("disabled_by", sa.String(64)),
        sa.Column("disabled_at", TZ),
    )
    op.create_index("ix_alert_rules_operation", "alert_rules", ["operation_id"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("rule_id", sa.String(32), nullable=False),
        sa.Column("operation_id", sa.String(32), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_index("ix_alerts_rule", "alerts", ["rule_id"])
    op.create_table(
        "alert_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.Integer, nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False, unique=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TZ, nullable=False),
        sa.Column("delivered_at", TZ),
        sa.Column("failed_at", TZ),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_alert_outbox_pending", "alert_outbox", ["delivered_at", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("alert_outbox")
    op.drop_table("alerts")
    op.drop_table("alert_rules")
