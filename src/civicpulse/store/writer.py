"""The write side: one transaction per batch, idempotent, with the source cursor inside it.

Writing the cursor in the same transaction as the posts is what makes a crash safe: after SIGKILL
the stored cursor points exactly after the last committed batch, so a restart re-reads at most the
batch in flight, and ``ON CONFLICT DO NOTHING`` turns that re-delivery into no duplicates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import msgspec
from sqlalchemy import Connection, Engine, Insert, select
from sqlalchemy.dialects import postgresql, sqlite

from civicpulse.post import Post
from civicpulse.sources.base import Rejected
from civicpulse.store.pseudonym import Identity
from civicpulse.store.schema import cursors, posts, quarantine

__all__ = ["Batch", "BatchWriter", "Prepared", "StoreWriter", "WriteResult"]

_encoder = msgspec.json.Encoder()


@dataclass(slots=True)
class Batch:
    """Everything one pipeline batch writes, committed together."""

    posts: Sequence[Post] = ()
    identities: Sequence[Identity] = ()
    rejected: Sequence[Rejected] = ()
    source: str = ""
    cursor_name: str | None = None
    cursor: str | None = None


@dataclass(slots=True)
class WriteResult:
    inserted: int = 0
    duplicates: int = 0
    quarantined: int = 0
    inserted_ids: list[str] = field(default_factory=list)


class BatchWriter(Protocol):
    """What the pipeline writes through: :class:`StoreWriter`, or one in a worker process."""

    def prepare(self, batch: Batch) -> Prepared: ...

    def write_prepared(self, batch: Prepared) -> WriteResult: ...

    def write(self, batch: Batch) -> WriteResult: ...

    def close(self) -> None: ...


class Prepared(msgspec.Struct, array_like=True):
    """A batch as plain rows, ready for the database (see :meth:`StoreWriter.prepare`).

    Only strings, numbers, bytes, ``None`` and posts on SQLite, so that a store worker process can
    receive it as one msgpack frame (:mod:`civicpulse.pipeline.store_worker`). For a worker, the
    posts travel as they are (``unprepared``) and the worker builds their rows.
    """

    #: One tuple per post, in ``_POST_COLUMNS`` order.
    posts: list[tuple[Any, ...]]
    #: (post id, payload JSON) for the posts that carry a raw payload.
    raws: list[tuple[str, str]]
    #: (pseudonym, platform, account id, handle, display name).
    identities: list[tuple[str, str, str, str | None, str | None]]
    #: (fingerprint, source, location, stage, reason, raw).
    rejected: list[tuple[str, str, str, str, str, bytes]]
    cursor_name: str | None = None
    cursor: str | None = None
    #: The operation the records are collected for (purpose binding); None: ungoverned.
    operation_id: str | None = None
    #: Posts whose rows (after ``posts``) and raw payloads :meth:`StoreWriter.write_prepared` builds:
    #: a store worker process builds them, not the pipeline's process (its bottleneck), which then
    #: only encodes the posts, at half the cost of building their rows. :class:`Post` records on the
    #: pipeline's side; the worker decodes them as plain maps (see :meth:`StoreWriter.record_rows`).
    unprepared: list[Any] = msgspec.field(default_factory=list)

    @classmethod
    def merge(cls, batches: Sequence[Prepared]) -> Prepared:
        """Consecutive batches of one stream as one (its cursor is the last one's)."""
        if len(batches) == 1:
            return batches[0]
        cursor = next((b.cursor for b in reversed(batches) if b.cursor is not None), None)
        return cls(posts=[row for b in batches for row in b.posts], raws=[r for b in batches for r in b.raws],
                   identities=[i for b in batches for i in b.identities],
                   rejected=[r for b in batches for r in b.rejected], cursor_name=batches[-1].cursor_name,
                   cursor=cursor, operation_id=batches[-1].operation_id,
                   unprepared=[p for b in batches for p in b.unprepared])


class StoreWriter:
    """Writes batches. Use from one thread: SQLite allows one writer, and so does our design."""

    def __init__(self, engine: Engine, operation_id: str | None = None) -> None:
        self.engine = engine
        #: The operation every record written is collected for (purpose binding); None: ungoverned.
        self.operation_id = operation_id
        self._sqlite = engine.dialect.name == "sqlite"
        dialect = sqlite if self._sqlite else postgresql
        self._insert_post = self._ignore_conflicts(dialect.insert(posts), "id")
        self._insert_quarantine = self._ignore_conflicts(dialect.insert(quarantine), "fingerprint")
        cursor_insert = dialect.insert(cursors)
        self._upsert_cursor = cursor_insert.on_conflict_do_update(
            index_elements=["name"],
            set_={"cursor": cursor_insert.excluded.cursor, "updated_at": cursor_insert.excluded.updated_at},
        )
        self._known_identities: set[str] = set()
        # Plain DB-API statements for the per-row inserts (see _insert_posts_sqlite for why).
        mark = "?" if self._sqlite else "%s"
        self._raw_sql = _insert_ignore("raw_payloads", ("post_id", "payload"), "post_id", mark)
        self._identity_sql = _insert_ignore(
            "identities", ("pseudonym", "platform", "account_id", "handle", "display_name", "first_seen"),
            "pseudonym", mark)
        self._post_operation_sql = _insert_ignore("post_operations", ("operation_id", "post_id"),
                                                  "operation_id, post_id", mark)
        self._quarantine_operation_sql = _insert_ignore("quarantine_operations", ("operation_id", "fingerprint"),
                                                        "operation_id, fingerprint", mark)

    @staticmethod
    def _ignore_conflicts(statement: sqlite.Insert | postgresql.Insert, key: str) -> Insert:
        return statement.on_conflict_do_nothing(index_elements=[key])

    def write(self, batch: Batch) -> WriteResult:
        return self.write_prepared(self.prepare(batch))

    def close(self) -> None:
        """Nothing to release: the engine belongs to the caller (a worker process's writer has more)."""

    def prepare(self, batch: Batch, *, rows: bool = True) -> Prepared:
        """The batch's rows: everything :meth:`write_prepared` needs, without touching the database.
        ``rows=False`` leaves the posts as they are, for :meth:`write_prepared` to turn into rows."""
        posts, raws = self.post_rows(batch.posts) if rows else ([], [])
        return Prepared(
            posts=posts,
            raws=raws,
            identities=[(i.pseudonym, i.platform, i.account_id, i.handle, i.display_name) for i in batch.identities],
            rejected=[_quarantine_row(r, batch.source) for r in batch.rejected],
            cursor_name=batch.cursor_name,
            cursor=batch.cursor,
            operation_id=self.operation_id,
            unprepared=[] if rows else list(batch.posts),
        )

    def post_rows(self, posts: Sequence[Post]) -> tuple[list[tuple[Any, ...]], list[tuple[str, str]]]:
        """One row per post (``_POST_COLUMNS``), and (post id, payload JSON) for those with a raw payload."""
        now = datetime.now(UTC)
        if self._sqlite:
            stamp = _sqlite_datetime(now)
            rows = [_post_values(p, stamp, _sqlite_datetime(p.created_at)) for p in posts]
        else:
            rows = [_post_values(p, now, p.created_at) for p in posts]
        return rows, [(p.id, _encoder.encode(p.raw).decode()) for p in posts if p.raw is not None]

    def record_rows(self, records: Sequence[dict[str, Any]]) -> tuple[list[tuple[Any, ...]], list[tuple[str, str]]]:
        """The same as :meth:`post_rows` for posts decoded from msgpack as plain maps, without
        validating them again (a store worker's input; their times must have been UTC, which
        msgpack keeps only as an instant). Each map loses its ``raw``."""
        now = datetime.now(UTC)
        ingested_at: object = _sqlite_datetime(now) if self._sqlite else now
        rows, raws = [], []
        for record in records:
            raw = record.pop("raw", None)
            if raw is not None:
                raws.append((record["id"], _encoder.encode(raw).decode()))
            created_at = record["created_at"]
            get = record.get
            geo = get("geo")
            rows.append((
                record["id"], record["platform"], _sqlite_datetime(created_at) if self._sqlite else created_at,
                ingested_at, record["author"]["id"], record["text"], get("language"),
                get("reply_to"), get("repost_of"), get("quote_of"),
                geo.get("lat") if geo else None, geo.get("lon") if geo else None, geo["source"] if geo else None,
                _encoder.encode(record).decode(),
            ))
        return rows, raws

    def with_rows(self, batch: Prepared) -> Prepared:
        """``batch`` with the rows of its ``unprepared`` posts (records, or maps as a store worker
        decodes them)."""
        unprepared = batch.unprepared
        if not unprepared:
            return batch
        rows, raws = self.post_rows(unprepared) if isinstance(unprepared[0], Post) else self.record_rows(unprepared)
        return msgspec.structs.replace(batch, posts=[*batch.posts, *rows], raws=[*batch.raws, *raws], unprepared=[])

    def write_prepared(self, batch: Prepared) -> WriteResult:
        """Write one prepared batch in one transaction, cursor included."""
        batch = self.with_rows(batch)
        now = datetime.now(UTC)
        result = WriteResult()
        new_identities = [i for i in batch.identities if i[0] not in self._known_identities]
        with self.engine.begin() as connection:
            if batch.posts:
                fresh = (self._insert_posts_sqlite(connection, batch.posts) if self._sqlite
                         else self._insert_posts(connection, batch.posts))
                result.duplicates = len(batch.posts) - len(fresh)
                raws = batch.raws
                if result.duplicates and raws:
                    kept = set(fresh)
                    raws = [r for r in raws if r[0] in kept]
                if raws:
                    connection.exec_driver_sql(self._raw_sql, raws)
                result.inserted = len(fresh)
                result.inserted_ids = fresh
            if new_identities:
                first_seen = _sqlite_datetime(now) if self._sqlite else now
                connection.exec_driver_sql(self._identity_sql, [(*i, first_seen) for i in new_identities])
            if batch.rejected:
                connection.execute(self._insert_quarantine, [
                    dict(zip(_QUARANTINE_COLUMNS, r, strict=True), received_at=now) for r in batch.rejected
                ])
                result.quarantined = len(batch.rejected)
            if batch.operation_id is not None:
                self._bind_to_operation(connection, batch, batch.operation_id)
            if batch.cursor_name is not None and batch.cursor is not None:
                connection.execute(self._upsert_cursor,
                                   {"name": batch.cursor_name, "cursor": batch.cursor, "updated_at": now})
        # Only after commit: a rolled-back identity must be written again next time.
        self._known_identities.update(i[0] for i in new_identities)
        # Bounded (a million pseudonyms would be ~100 MB); forgetting only costs an ignored re-insert.
        if len(self._known_identities) > 100_000:
            self._known_identities.clear()
        return result

    def _bind_to_operation(self, connection: Connection, batch: Prepared, operation_id: str) -> None:
        """Link every post and quarantined record of the batch to the operation, in its transaction.

        All of them, not only the new ones: a post another operation stored first was collected by
        this one too. The keys make it idempotent, so a batch re-delivered after a crash adds nothing.
        """
        if batch.posts:
            connection.exec_driver_sql(self._post_operation_sql, [(operation_id, row[0]) for row in batch.posts])
        if batch.rejected:
            connection.exec_driver_sql(self._quarantine_operation_sql,
                                       [(operation_id, row[0]) for row in batch.rejected])

    @staticmethod
    def _insert_posts_sqlite(connection: Connection, rows: Sequence[tuple[Any, ...]]) -> list[str]:
        """Insert the rows, returning the ids of the posts that were new, in order.

        The hot path: plain DB-API ``executemany`` skips SQLAlchemy's per-row parameter processing,
        which otherwise costs as much as SQLite's own work, and ``ON CONFLICT DO NOTHING`` sorts out
        duplicates without a lookup first. New rows are exactly those above the previous top rowid,
        because this is the only writer and it holds the write lock for the transaction.
        """
        top = connection.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM posts").scalar()
        inserted = connection.exec_driver_sql(_SQLITE_INSERT_POST, rows).rowcount
        # Index the batch's text in one statement (see the migration) rather than a trigger per row.
        connection.exec_driver_sql(
            "INSERT INTO posts_fts(rowid, text) SELECT rowid, text FROM posts WHERE rowid > ?", (top,))
        if inserted == len(rows):
            return [row[0] for row in rows]
        # Some were already stored, or repeated within the batch: the first copy of each new id won.
        new = {row[0] for row in connection.exec_driver_sql("SELECT id FROM posts WHERE rowid > ?", (top,))}
        fresh = []
        for row in rows:
            if row[0] in new:
                new.discard(row[0])
                fresh.append(row[0])
        return fresh

    def _insert_posts(self, connection: Connection, rows: Sequence[tuple[Any, ...]]) -> list[str]:
        fresh = _unique_fresh(rows, self._existing_ids(connection, [row[0] for row in rows]))
        if fresh:
            connection.execute(self._insert_post, [dict(zip(_POST_COLUMNS, row, strict=True)) for row in fresh])
        return [row[0] for row in fresh]

    @staticmethod
    def _existing_ids(connection: Connection, ids: list[str]) -> set[str]:
        # One indexed lookup per batch tells duplicates apart exactly, which the summary reports;
        # ON CONFLICT still guards against a concurrent writer.
        found: set[str] = set()
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            found.update(connection.execute(select(posts.c.id).where(posts.c.id.in_(chunk))).scalars())
        return found


def _unique_fresh(rows: Sequence[tuple[Any, ...]], existing: set[str]) -> list[tuple[Any, ...]]:
    fresh: list[tuple[Any, ...]] = []
    seen = set(existing)
    for row in rows:
        if row[0] not in seen:
            seen.add(row[0])
            fresh.append(row)
    return fresh


_POST_COLUMNS = ("id", "platform", "created_at", "ingested_at", "author_id", "text", "language",
                 "reply_to", "repost_of", "quote_of", "lat", "lon", "geo_source", "record")
# Column names are constants, so building the statement text is safe.
_SQLITE_INSERT_POST = "INSERT INTO posts ({}) VALUES ({}) ON CONFLICT (id) DO NOTHING".format(  # noqa: S608
    ", ".join(_POST_COLUMNS), ", ".join("?" * len(_POST_COLUMNS))
)


def _insert_ignore(table: str, columns: Sequence[str], key: str, mark: str) -> str:
    # Table and column names are constants of this module, so building the statement text is safe.
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))}) "  # noqa: S608
            f"ON CONFLICT ({key}) DO NOTHING")


def _sqlite_datetime(value: datetime) -> str:
    """The text form SQLAlchemy's SQLite DATETIME type reads and compares (UTC, microseconds)."""
    if value.tzinfo is UTC:
        # The common case (posts are decoded as UTC), a third cheaper: drop the "+00:00".
        return value.isoformat(" ", "microseconds")[:26]
    if value.utcoffset():
        value = value.astimezone(UTC)
    # isoformat is C code; the format is SQLAlchemy's "YYYY-MM-DD HH:MM:SS.ffffff".
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _post_values(post: Post, ingested_at: object, created_at: object) -> tuple[object, ...]:
    geo = post.geo
    record = msgspec.structs.replace(post, raw=None) if post.raw is not None else post
    return (
        post.id, post.platform, created_at, ingested_at, post.author.id, post.text, post.language,
        post.reply_to, post.repost_of, post.quote_of,
        geo.lat if geo else None, geo.lon if geo else None, geo.source.value if geo else None,
        _encoder.encode(record).decode(),
    )


_QUARANTINE_COLUMNS = ("fingerprint", "source", "location", "stage", "reason", "raw")


def _quarantine_row(rejected: Rejected, source: str) -> tuple[str, str, str, str, str, bytes]:
    fingerprint = hashlib.sha256(
        b"\0".join([source.encode(), rejected.location.encode(), rejected.stage.encode(), rejected.raw])
    ).hexdigest()
    return (fingerprint, source[:256], rejected.location, rejected.stage[:128], rejected.reason, rejected.raw)
