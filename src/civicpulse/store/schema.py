"""Table definitions (SQLAlchemy Core). Migrations in ``migrations/versions`` create exactly these.

Personal data is split by design so that governance can gate, audit and delete it without schema
churn: ``posts`` holds the pseudonymised record; ``identities`` holds the clear handles behind each
pseudonym; ``raw_payloads`` holds the untouched platform payloads (which name people).
Full-text search is dialect-specific and lives only in the migration: an FTS5 table kept in step by
triggers on SQLite, a generated ``tsvector`` column with a GIN index on PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    false,
)

__all__ = ["alert_outbox", "alert_rules", "alerts", "audit_checkpoints", "audit_log", "cursors", "detector_state",
           "identities", "metadata", "operation_ingests", "operation_members", "operations", "post_operations", "posts",
           "quarantine", "quarantine_operations", "raw_payloads", "retention_counts", "sessions", "signals",
           "special_category_approvals", "users"]

metadata = MetaData()

posts = Table(
    "posts",
    metadata,
    # SQLite keeps its implicit integer rowid (FTS5 indexes by it); the post id is the primary key.
    Column("id", String(512), primary_key=True),
    Column("platform", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("author_id", String(128), nullable=False),
    Column("text", Text, nullable=False),
    Column("language", String(16)),
    Column("reply_to", String(512)),
    Column("repost_of", String(512)),
    Column("quote_of", String(512)),
    Column("lat", Float),
    Column("lon", Float),
    Column("geo_source", String(16)),
    # The whole normalised Post (without ``raw``) as JSON: a faithful round trip for every field.
    Column("record", Text, nullable=False),
    Index("ix_posts_created_at", "created_at"),
    Index("ix_posts_author_id", "author_id"),
)

identities = Table(
    "identities",
    metadata,
    Column("pseudonym", String(128), primary_key=True),
    Column("platform", String(64), nullable=False),
    Column("account_id", String(512), nullable=False),
    Column("handle", String(512)),
    Column("display_name", Text),
    Column("first_seen", DateTime(timezone=True), nullable=False),
)

raw_payloads = Table(
    "raw_payloads",
    metadata,
    Column("post_id", String(512), primary_key=True),
    Column("payload", Text, nullable=False),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # Hash of source, location, stage and payload: a record re-delivered after a crash is stored once.
    Column("fingerprint", String(64), nullable=False, unique=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("source", String(256), nullable=False),
    Column("location", Text, nullable=False),
    Column("stage", String(128), nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw", LargeBinary, nullable=False),
)

cursors = Table(
    "cursors",
    metadata,
    Column("name", String(256), primary_key=True),
    Column("cursor", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


# --- Governance (migration 0002): accounts, operations, audit log, retention, special categories. ---

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("role", String(32), nullable=False),
    # argon2id, in the PHC string format ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
    Column("password_hash", Text, nullable=False),
    Column("disabled", Boolean, nullable=False, server_default=false()),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    # The token's random nonce: a token whose nonce is unknown or revoked is refused.
    Column("nonce", String(64), primary_key=True),
    Column("user_id", Integer, nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

operations = Table(
    "operations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("legal_basis", String(200), nullable=False),
    Column("area", Text, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("retention_days", Integer, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("approved_by", String(64)),
    Column("approved_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    # Set when retention has deleted everything collected under the operation.
    Column("purged_at", DateTime(timezone=True)),
)

operation_members = Table(
    "operation_members",
    metadata,
    Column("operation_id", String(32), primary_key=True),
    Column("username", String(64), primary_key=True),
)

operation_ingests = Table(
    "operation_ingests",
    metadata,
    # Each ingest run bound to an operation (counted in the transparency report). What the run
    # stored is bound to the operation by ``post_operations`` / ``quarantine_operations``.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("operation_id", String(32), nullable=False),
    Column("cursor_name", String(256), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Index("ix_operation_ingests_operation", "operation_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    # Not autoincrement: the writer takes max(seq) + 1 under a lock, so a gap is evidence of deletion.
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("event", String(64), nullable=False),
    Column("operation_id", String(32)),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_log_at", "at"),
)

audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("signature", String(128), nullable=False),
)

retention_counts = Table(
    "retention_counts",
    metadata,
    # Aggregates kept after personal data is deleted: what was held, and when it went.
    Column("operation_id", String(32), primary_key=True),
    Column("posts", Integer, nullable=False),
    Column("raw_payloads", Integer, nullable=False),
    Column("identities", Integer, nullable=False),
    Column("quarantined", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

special_category_approvals = Table(
    "special_category_approvals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("operation_id", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("subject", Text, nullable=False),
    Column("categories", Text, nullable=False),
    Column("justification", Text, nullable=False),
    Column("approved_by", String(64), nullable=False),
    Column("approved_at", DateTime(timezone=True), nullable=False),
)
# --- Purpose binding (migration 0005): which operation(s) collected each stored record. ---

post_operations = Table(
    "post_operations",
    metadata,
    # Written in the same transaction as the post. A post collected by two operations has two rows;
    # retention removes an operation's rows and deletes the post once no operation holds it.
    # The key (operation first) is the only index: one B-tree insert per post on the ingest path.
    Column("operation_id", String(32), primary_key=True),
    Column("post_id", String(512), primary_key=True),
    sqlite_with_rowid=False,
)

quarantine_operations = Table(
    "quarantine_operations",
    metadata,
    # Keyed by the quarantine row's fingerprint, which the writer knows before inserting.
    Column("operation_id", String(32), primary_key=True),
    Column("fingerprint", String(64), primary_key=True),
    sqlite_with_rowid=False,
)

# Signals raised by detectors (events, rumours, ...); ``post_ids`` and ``details`` are JSON.
signals = Table(
    "signals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("detector", String(128), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("key", String(256), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("summary", Text, nullable=False),
    Column("post_ids", Text, nullable=False),
    Column("details", Text, nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
    # The operation whose ingest raised it (NULL: an ungoverned ingest); added by migration 0005.
    Column("operation_id", String(32)),
    Index("ix_signals_at", "at"),
    Index("ix_signals_kind_key", "kind", "key"),
    Index("ix_signals_operation", "operation_id"),
)

# The latest snapshot of each detector, restored when a pipeline starts.
detector_state = Table(
    "detector_state",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("state", LargeBinary, nullable=False),
    Column("stream_time", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # The operation whose ingest saved it last (NULL: ungoverned); added by migration 0005.
    Column("operation_id", String(32)),
)


# --- Alerts (migration 0004): rules inside operations, the alerts they raised, the delivery outbox. ---

alert_rules = Table(
    "alert_rules",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("operation_id", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    # posts | event | rumour: what the rule watches.
    Column("kind", String(16), nullable=False),
    Column("query", Text),
    # GeoJSON Polygon / MultiPolygon, validated and size-bounded before it is stored.
    Column("geofence", Text),
    Column("metric", String(64)),
    Column("threshold", Float),
    # JSON list of {"channel": "webhook" | "email", "target": url or address}.
    Column("channels", Text, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_by", String(64)),
    Column("disabled_at", DateTime(timezone=True)),
    Index("ix_alert_rules_operation", "operation_id"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # Rule + what matched (post id, event key): the same alert is stored, and delivered, once.
    Column("key", String(64), nullable=False, unique=True),
    Column("rule_id", String(32), nullable=False),
    Column("operation_id", String(32), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("summary", Text, nullable=False),
    # The alert as delivered (JSON): rule, subject, post ids, numbers; never post text.
    Column("payload", Text, nullable=False),
    Index("ix_alerts_rule", "rule_id"),
)

alert_outbox = Table(
    "alert_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, nullable=False),
    Column("channel", String(32), nullable=False),
    Column("target", Text, nullable=False),
    # Sent with every attempt so that a receiver can drop a repeated delivery (at-least-once).
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
    Column("failed_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Index("ix_alert_outbox_pending", "delivered_at", "next_attempt_at"),
)
