"""Table definitions (SQLAlchemy Core). Migrations in ``migrations/versions`` create exactly these.

Personal data is split by design so that governance can gate, audit and delete it without schema
churn: ``posts`` holds the pseudonymised record; ``identities`` holds the clear handles behind each
pseudonym; ``raw_payloads`` holds the untouched platform payloads (which name people).
Full-text search is dialect-specific and lives only in the migration: an FTS5 table kept in step by
triggers on SQLite, a generated ``tsvector`` column with a GIN index on PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
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
)

__all__ = ["cursors", "detector_state", "identities", "metadata", "posts", "quarantine", "raw_payloads",
           "signals"]

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
    Index("ix_signals_at", "at"),
    Index("ix_signals_kind_key", "kind", "key"),
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
)
