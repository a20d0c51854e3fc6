"""The tamper-evident audit log: append-only, hash-chained, with Ed25519-signed checkpoints.

Each entry's hash is SHA-256 over the canonical JSON of its fields and the previous entry's hash, so
changing, deleting, inserting or reordering any entry breaks the chain from that point. The chain
alone cannot show that the newest entries were cut off (the shortened log is still a valid chain),
so every ``CHECKPOINT_EVERY`` entries the tail hash is signed with the deployment's Ed25519 key; a
log shorter than its last signed checkpoint is evidence of deletion.

Entries are written with :func:`record` inside the caller's transaction, so the act and its audit
entry commit or roll back together.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, Engine, func, insert, select, text

from civicpulse.governance.clock import as_utc
from civicpulse.governance.events import AuditEvent
from civicpulse.store.schema import audit_checkpoints, audit_log

__all__ = ["CHECKPOINT_EVERY", "GENESIS", "AuditEntry", "Verification", "checkpoint", "entries",
           "entry_hash", "latest_time", "record", "verify"]

GENESIS = "0" * 64
CHECKPOINT_EVERY = 100
_LOCK_ID = 0x6369_7669  # PostgreSQL advisory lock that serialises audit appends


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    event: str
    operation_id: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": _stamp(self.at), "actor": self.actor, "event": self.event,
                "operation_id": self.operation_id, "details": self.details, "prev_hash": self.prev_hash,
                "hash": self.hash}


def _stamp(at: datetime) -> str:
    return as_utc(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(seq: int, at: datetime, actor: str, event: str, operation_id: str | None, details: str,
               prev_hash: str) -> str:
    body = {"seq": seq, "at": _stamp(at), "actor": actor, "event": event, "operation_id": operation_id,
            "details": details, "prev_hash": prev_hash}
    return hashlib.sha256(_canonical(body)).hexdigest()


def _checkpoint_message(seq: int, digest: str) -> bytes:
    return f"civicpulse-audit-checkpoint:{seq}:{digest}".encode()


def record(connection: Connection, event: AuditEvent, *, actor: str, at: datetime,
           operation_id: str | None = None, signer: Ed25519PrivateKey | None = None) -> int:
    """Append ``event`` in the caller's transaction; returns its sequence number."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
    last = connection.execute(
        select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (1, GENESIS) if last is None else (last.seq + 1, last.hash)
    details = _canonical(msgspec.to_builtins(event)).decode()
    at = as_utc(at)
    digest = entry_hash(seq, at, actor, event.name, operation_id, details, prev)
    connection.execute(insert(audit_log).values(seq=seq, at=at, actor=actor, event=event.name,
                                                operation_id=operation_id, details=details,
                                                prev_hash=prev, hash=digest))
    if signer is not None and seq % CHECKPOINT_EVERY == 0:
        _sign(connection, signer, seq, digest, at)
    return seq


def _sign(connection: Connection, signer: Ed25519PrivateKey, seq: int, digest: str, at: datetime) -> None:
    signature = signer.sign(_checkpoint_message(seq, digest)).hex()
    connection.execute(insert(audit_checkpoints).values(seq=seq, hash=digest, at=at, signature=signature))


def checkpoint(engine: Engine, signer: Ed25519PrivateKey, at: datetime) -> int | None:
    """Sign the current tail now (e.g. at the end of a shift); returns its sequence number."""
    with engine.begin() as connection:
        last = connection.execute(
            select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
        ).first()
        if last is None:
            return None
        exists = connection.execute(select(audit_checkpoints.c.seq).where(audit_checkpoints.c.seq == last.seq))
        if exists.first() is None:
            _sign(connection, signer, last.seq, last.hash, at)
        return int(last.seq)


def latest_time(connection: Connection) -> datetime | None:
    value = connection.execute(select(func.max(audit_log.c.at))).scalar()
    return None if value is None else as_utc(value)


def entries(engine: Engine, start: datetime | None = None, end: datetime | None = None) -> Iterator[AuditEntry]:
    """Entries in order, optionally those with ``start <= at < end``."""
    query = select(audit_log).order_by(audit_log.c.seq)
    if start is not None:
        query = query.where(audit_log.c.at >= start)
    if end is not None:
        query = query.where(audit_log.c.at < end)
    with engine.connect() as connection:
        for row in connection.execute(query.execution_options(yield_per=1000)):
            yield AuditEntry(row.seq, as_utc(row.at), row.actor, row.event, row.operation_id,
                             json.loads(row.details), row.prev_hash, row.hash)


@dataclass(frozen=True, slots=True)
class Verification:
    entries: int
    checkpoints: int
    #: The first entry that is wrong or missing, and why; ``None`` when the log is intact.
    first_bad: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(engine: Engine, public_key: Ed25519PublicKey) -> Verification:
    """Walk the chain and check every signed checkpoint; report the earliest problem."""
    problems: list[tuple[int, str]] = []
    hashes: dict[int, str] = {}
    count = 0
    expected, prev = 1, GENESIS
    with engine.connect() as connection:
        rows = connection.execute(select(audit_log).order_by(audit_log.c.seq).execution_options(yield_per=1000))
        for row in rows:
            count += 1
            if not problems:
                if row.seq != expected:
                    problems.append((expected, f"entry #{expected} is missing: the log jumps from "
                                               f"#{expected - 1} to #{row.seq} (deleted)"))
                elif entry_hash(row.seq, row.at, row.actor, row.event, row.operation_id, row.details,
                                row.prev_hash) != row.hash:
                    problems.append((row.seq, f"entry #{row.seq} was altered: its contents do not match its hash"))
                elif row.prev_hash != prev:
                    problems.append((row.seq, f"entry #{row.seq} does not follow entry #{row.seq - 1}: "
                                              "an entry was inserted, removed or reordered"))
            hashes[row.seq] = row.hash
            expected, prev = row.seq + 1, row.hash
        last_seq = expected - 1
        signed = connection.execute(select(audit_checkpoints).order_by(audit_checkpoints.c.seq)).all()
    for point in signed:
        try:
            public_key.verify(bytes.fromhex(point.signature), _checkpoint_message(point.seq, point.hash))
        except (InvalidSignature, ValueError):
            problems.append((point.seq, f"the checkpoint at entry #{point.seq} has an invalid signature "
                                        "(forged, or signed with another deployment's key)"))
            continue
        if point.seq > last_seq:
            problems.append((last_seq + 1, f"the log ends at entry #{last_seq} but a signed checkpoint covers "
                                           f"#{point.seq}: entries #{last_seq + 1}–#{point.seq} were cut off"))
        elif hashes.get(point.seq) != point.hash:
            problems.append((point.seq, f"entry #{point.seq} differs from the signed checkpoint: the log "
                                        "up to it was rewritten"))
    if not problems:
        return Verification(count, len(signed))
    seq, problem = min(problems, key=lambda item: item[0])
    return Verification(count, len(signed), seq, problem)
