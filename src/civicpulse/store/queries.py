"""The read side: counts, latest posts, full-text search, quarantine and cursors.

Readers get pseudonymised posts only; clear identities and raw payloads are not read here (the
governance layer will gate them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import msgspec
from sqlalchemy import Engine, func, select, text

from civicpulse.post import Post
from civicpulse.store.schema import cursors, posts, quarantine

__all__ = ["QuarantinedRecord", "Reader", "StoreCounts"]

_decode = msgspec.json.Decoder(Post).decode
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class StoreCounts:
    posts: int
    quarantined: int
    authors: int
    latest_post_at: datetime | None


@dataclass(frozen=True, slots=True)
class QuarantinedRecord:
    id: int
    received_at: datetime
    source: str
    location: str
    stage: str
    reason: str
    raw: bytes


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Reader:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def counts(self) -> StoreCounts:
        with self.engine.connect() as connection:
            post_count, latest = connection.execute(
                select(func.count(), func.max(posts.c.created_at)).select_from(posts)
            ).one()
            authors = connection.execute(select(func.count(func.distinct(posts.c.author_id)))).scalar_one()
            quarantined = connection.execute(select(func.count()).select_from(quarantine)).scalar_one()
        return StoreCounts(posts=post_count, quarantined=quarantined, authors=authors,
                           latest_post_at=_utc(latest))

    def post_count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(posts)).scalar_one())

    def latest(self, limit: int = 20) -> list[Post]:
        """The most recent posts by stream time."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(posts.c.record).order_by(posts.c.created_at.desc()).limit(limit)
            ).scalars()
            return [_decode(row) for row in rows]

    def get(self, post_id: str) -> Post | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(posts.c.record).where(posts.c.id == post_id)).scalar()
        return None if row is None else _decode(row)

    def all_ids(self) -> list[str]:
        with self.engine.connect() as connection:
            return list(connection.execute(select(posts.c.id)).scalars())

    def search(self, query: str, limit: int = 50) -> list[Post]:
        """Posts containing all the words of ``query`` (full-text index), newest first.

        The query is reduced to plain words, so that user input can never inject FTS syntax.
        """
        words = _WORD.findall(query)[:16]
        if not words:
            return []
        with self.engine.connect() as connection:
            if self.engine.dialect.name == "postgresql":
                statement = text(
                    "SELECT record FROM posts WHERE search @@ to_tsquery('simple', :q) "
                    "ORDER BY created_at DESC LIMIT :limit"
                )
                rows = connection.execute(statement, {"q": " & ".join(words), "limit": limit})
            else:
                statement = text(
                    "SELECT p.record FROM posts_fts f JOIN posts p ON p.rowid = f.rowid "
                    "WHERE posts_fts MATCH :q ORDER BY p.created_at DESC LIMIT :limit"
                )
                match = " AND ".join('"' + w.replace('"', '""') + '"' for w in words)
                rows = connection.execute(statement, {"q": match, "limit": limit})
            return [_decode(row) for row in rows.scalars()]

    def quarantined(self, limit: int = 100) -> list[QuarantinedRecord]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(quarantine.c.id, quarantine.c.received_at, quarantine.c.source, quarantine.c.location,
                       quarantine.c.stage, quarantine.c.reason, quarantine.c.raw)
                .order_by(quarantine.c.id.desc()).limit(limit)
            ).all()
        return [QuarantinedRecord(r.id, _utc(r.received_at) or datetime.now(UTC), r.source, r.location,
                                  r.stage, r.reason, r.raw) for r in rows]

    def cursor(self, name: str) -> str | None:
        with self.engine.connect() as connection:
            return connection.execute(select(cursors.c.cursor).where(cursors.c.name == name)).scalar()
