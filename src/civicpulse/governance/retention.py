"""Retention: delete what an operation collected once its retention period has ended.

What an operation collected is what its ingests linked to it (``post_operations``,
``quarantine_operations``; see :mod:`civicpulse.governance.scope`). Retention removes the
operation's links; a post or quarantined record that no operation holds any more is deleted: posts
(their full-text index entries go with them: an FTS5 trigger on SQLite, the generated ``tsvector``
column on PostgreSQL), raw payloads, clear identities no remaining post refers to, and quarantined
payloads. A record another operation also collected stays until that operation's retention ends.
Kept: counts per operation in ``retention_counts``, and the audit log.

The job works in batches, each one transaction holding the links, the posts, their payloads, their
now-orphan identities, the updated counts and the audit entry: killed at any moment, it leaves every
record either whole or gone, and the next run carries on. On SQLite the job then merges the FTS5
segments, vacuums and truncates the WAL with ``secure_delete`` on, so deleted text is not left in
the file's bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Column, Connection, Engine, Table, delete, func, insert, select, update

from civicpulse.errors import AccessDenied
from civicpulse.governance.access import authorise
from civicpulse.governance.clock import TOLERANCE, as_utc
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.events import RetentionDeleted
from civicpulse.governance.operations import Operation, _load
from civicpulse.governance.roles import Action
from civicpulse.store.schema import (
    detector_state,
    identities,
    operations,
    post_operations,
    posts,
    quarantine,
    quarantine_operations,
    raw_payloads,
    retention_counts,
    signals,
)

__all__ = ["RetentionReport", "due_operations", "run_retention"]


@dataclass
class RetentionReport:
    operations: list[str] = field(default_factory=list)
    posts: int = 0
    raw_payloads: int = 0
    identities: int = 0
    quarantined: int = 0
    #: Detector signals and snapshots the operation's ingests made (they quote post text).
    derived: int = 0
    batches: int = 0


def due_operations(connection: Connection, now: datetime) -> list[Operation]:
    """The operations whose retention has ended and that are not purged yet."""
    ids = connection.execute(select(operations.c.id).where(operations.c.purged_at.is_(None))).scalars().all()
    loaded = [op for op in (_load(connection, i) for i in ids) if op is not None]
    return [op for op in loaded if op.delete_after <= now]


def run_retention(gov: Governance, actor: Actor, batch_size: int = 500,
                  on_batch: Callable[[int], None] | None = None) -> RetentionReport:
    """Delete everything due. ``on_batch(n)`` runs inside each batch's transaction (tests kill there)."""
    authorise(actor, Action.RUN_RETENTION)
    report = RetentionReport()
    now = gov.now()
    with gov.engine.connect() as connection:
        _check_clock(connection, now)
        due = due_operations(connection, now)
    for operation in due:
        while _batch(gov, actor, operation, batch_size, report, on_batch):
            pass
        with gov.transaction() as (connection, at):
            derived = _delete_derived(connection, operation.id)
            if derived:
                gov.log(connection, RetentionDeleted(posts=0, raw_payloads=0, identities=0, quarantined=0,
                                                     derived=derived), actor.username, at, operation.id)
            connection.execute(update(operations).where(operations.c.id == operation.id).values(purged_at=at))
        report.derived += derived
        report.operations.append(operation.id)
    if report.batches or report.derived:
        compact(gov.engine)
    return report


def _delete_derived(connection: Connection, operation_id: str) -> int:
    """Signals raised, and detector snapshots last saved, by the operation's ingests: they quote
    the posts (an event's top posts, a rumour's title), so they go with them. A detector whose
    snapshot goes starts afresh (it relearns its baseline) the next time it runs."""
    removed = 0
    for table in (signals, detector_state):
        removed += connection.execute(delete(table).where(table.c.operation_id == operation_id)).rowcount
    return removed


def _check_clock(connection: Connection, now: datetime) -> None:
    """Deletion cannot be undone, so a clock jumped forward must not purge early: cross-check it
    against the database server's own clock (another machine, for PostgreSQL)."""
    server = connection.execute(select(func.current_timestamp())).scalar_one()
    server_now = as_utc(server if isinstance(server, datetime) else datetime.fromisoformat(str(server)))
    if abs(server_now - now) > TOLERANCE:
        raise AccessDenied(f"the clock reads {now:%Y-%m-%d %H:%M} UTC but the database server reads "
                           f"{server_now:%Y-%m-%d %H:%M} UTC; retention deletes for good, so it will not run",
                           fix="correct the clocks (NTP) and run retention again")


def _batch(gov: Governance, actor: Actor, operation: Operation, batch_size: int, report: RetentionReport,
           on_batch: Callable[[int], None] | None) -> bool:
    with gov.transaction() as (connection, now):
        _secure_delete(connection)
        linked = _unlink(connection, post_operations, post_operations.c.post_id, operation.id, batch_size)
        fingerprints = _unlink(connection, quarantine_operations, quarantine_operations.c.fingerprint, operation.id,
                               batch_size)
        if linked is None and fingerprints is None:
            return False
        rows = connection.execute(select(posts.c.id, posts.c.author_id).where(posts.c.id.in_(linked))).all() \
            if linked else []
        quarantined = connection.execute(select(quarantine.c.id).where(quarantine.c.fingerprint.in_(fingerprints))
                                         ).scalars().all() if fingerprints else []
        ids = [r.id for r in rows]
        authors = sorted({r.author_id for r in rows})
        raw = connection.execute(delete(raw_payloads).where(raw_payloads.c.post_id.in_(ids))).rowcount if ids else 0
        removed = connection.execute(delete(posts).where(posts.c.id.in_(ids))).rowcount if ids else 0
        orphans = [a for a in authors if connection.execute(
            select(posts.c.id).where(posts.c.author_id == a).limit(1)).first() is None]
        people = connection.execute(delete(identities).where(identities.c.pseudonym.in_(orphans))).rowcount \
            if orphans else 0
        dropped = connection.execute(delete(quarantine).where(quarantine.c.id.in_(quarantined))).rowcount \
            if quarantined else 0
        _count(connection, operation.id, removed, raw, people, dropped, now)
        gov.log(connection, RetentionDeleted(posts=removed, raw_payloads=raw, identities=people, quarantined=dropped),
                actor.username, now, operation.id)
        report.batches += 1
        if on_batch is not None:
            on_batch(report.batches)
    report.posts += removed
    report.raw_payloads += raw
    report.identities += people
    report.quarantined += dropped
    return True


def _unlink(connection: Connection, links: Table, key: Column[str], operation_id: str, limit: int) -> list[str] | None:
    """Remove up to ``limit`` of the operation's links in ``links``; return the keys no operation
    holds any more (to delete), or None when the operation had no links left."""
    mine = links.c.operation_id == operation_id
    keys = connection.execute(select(key).where(mine).limit(limit)).scalars().all()
    if not keys:
        return None
    connection.execute(delete(links).where(mine, key.in_(keys)))
    # The links' key starts with the operation (the ingest path keeps one index), so ask per operation.
    others = select(operations.c.id).where(operations.c.id != operation_id).scalar_subquery()
    held = set(connection.execute(select(key).where(links.c.operation_id.in_(others), key.in_(keys))).scalars())
    return [k for k in keys if k not in held]


def _secure_delete(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        # Freed pages are overwritten with zeros, so deleted text does not linger in the file.
        connection.exec_driver_sql("PRAGMA secure_delete=ON")


def _count(connection: Connection, operation_id: str, posts_n: int, raw: int, people: int, dropped: int,
           now: datetime) -> None:
    existing = connection.execute(select(retention_counts).where(retention_counts.c.operation_id == operation_id))
    if existing.first() is None:
        connection.execute(insert(retention_counts).values(operation_id=operation_id, posts=posts_n, raw_payloads=raw,
                                                           identities=people, quarantined=dropped, updated_at=now))
        return
    c = retention_counts.c
    connection.execute(update(retention_counts).where(c.operation_id == operation_id).values(
        posts=c.posts + posts_n, raw_payloads=c.raw_payloads + raw, identities=c.identities + people,
        quarantined=c.quarantined + dropped, updated_at=now))


def compact(engine: Engine) -> None:
    """Make deletion physical: merge FTS segments, rewrite the file, empty the WAL (SQLite);
    reclaim dead rows and index entries (PostgreSQL)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA secure_delete=ON")
            # 'optimize' merges every FTS5 segment, dropping the tokens of deleted rows for good.
            connection.exec_driver_sql("INSERT INTO posts_fts(posts_fts) VALUES ('optimize')")
            connection.commit()
            connection.exec_driver_sql("VACUUM")
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM posts, raw_payloads, identities, quarantine, post_operations, "
                                        "quarantine_operations")


