"""Initial schema: posts with full-text search, identities, raw payloads, quarantine, cursors.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "posts",
        sa.Column("id", sa.String(512), primary_key=True),
        sa.Column("platform", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("ingested_at", TZ, nullable=False),
        sa.Column("author_id", sa.String(128), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("reply_to", sa.String(512)),
        sa.Column("repost_of", sa.String(512)),
        sa.Column("quote_of", sa.String(512)),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("geo_source", sa.String(16)),
        sa.Column("record", sa.Text, nullable=False),
    )
    op.create_index("ix_posts_created_at", "posts", ["created_at"])
    op.create_index("ix_posts_author_id", "posts", ["author_id"])
    op.create_table(
        "identities",
        sa.Column("pseudonym", sa.String(128), primary_key=True),
        sa.Column("platform", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(512), nullable=False),
        sa.Column("handle", sa.String(512)),
        sa.Column("display_name", sa.Text),
        sa.Column("first_seen", TZ, nullable=False),
    )
    op.create_table(
        "raw_payloads",
        sa.Column("post_id", sa.String(512), primary_key=True),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("source", sa.String(256), nullable=False),
        sa.Column("location", sa.Text, nullable=False),
        sa.Column("stage", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("raw", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "cursors",
        sa.Column("name", sa.String(256), primary_key=True),
        sa.Column("cursor", sa.Text, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        # 'simple' configuration: posts are multilingual, so no language-specific stemming.
        op.execute(
            "ALTER TABLE posts ADD COLUMN search tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED"
        )
        op.execute("CREATE INDEX ix_posts_search ON posts USING GIN (search)")
    else:
        # External-content FTS5 index over posts.text. Deletes and updates are kept in step by
        # triggers (so retention also removes the indexed terms); inserts are indexed by the store
        # writer once per batch (INSERT ... SELECT), which is twice as fast as a per-row trigger.
        op.execute(
            "CREATE VIRTUAL TABLE posts_fts USING fts5("
            "text, content='posts', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN "
            "INSERT INTO posts_fts(posts_fts, rowid, text) VALUES ('delete', old.rowid, old.text); END"
        )
        op.execute(
            "CREATE TRIGGER posts_fts_update AFTER UPDATE OF text ON posts BEGIN "
            "INSERT INTO posts_fts(posts_fts, rowid, text) VALUES ('delete', old.rowid, old.text); "
            "INSERT INTO posts_fts(rowid, text) VALUES (new.rowid, new.text); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE IF EXISTS posts_fts")
    for table in ("cursors", "quarantine", "raw_payloads", "identities", "posts"):
        op.drop_table(table)
