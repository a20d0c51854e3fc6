"""Operations: purpose binding. Every monitor, query and export happens inside one.

An operation names its purpose, legal basis (from the configured list), area, start and end,
retention period and members; a supervisor approves it; it stops being active at its end by itself
(the clock decides, not a job) or when closed. Personal data collected under it is deleted
``retention_days`` after it ends.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select, update

from civicpulse.errors import AccessDenied, UsageError
from civicpulse.governance.access import OperationView, authorise
from civicpulse.governance.clock import as_utc
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.events import (
    AccessRefused,
    IngestBound,
    OperationApproved,
    OperationClosed,
    OperationCreated,
)
from civicpulse.governance.roles import Action
from civicpulse.store.schema import operation_ingests, operation_members, operations, users

__all__ = ["MAX_RETENTION_DAYS", "Operation", "approve_operation", "bind_ingest", "close_operation",
           "create_operation", "end_ingest", "get_operation", "list_operations", "require",
           "start_demo_operation"]

MAX_RETENTION_DAYS = 3650


@dataclass(frozen=True, slots=True)
class Operation:
    id: str
    name: str
    purpose: str
    legal_basis: str
    area: str
    starts_at: datetime
    ends_at: datetime
    retention_days: int
    created_by: str
    approved_by: str | None
    closed_at: datetime | None
    purged_at: datetime | None
    members: frozenset[str]

    @property
    def view(self) -> OperationView:
        return OperationView(self.id, self.name, self.approved_by is not None, self.starts_at, self.ends_at,
                             self.closed_at is not None, self.members)

    @property
    def ended_at(self) -> datetime:
        return min(self.ends_at, self.closed_at) if self.closed_at else self.ends_at

    @property
    def delete_after(self) -> datetime:
        """When retention deletes what was collected under it."""
        return self.ended_at + timedelta(days=self.retention_days)

    def status(self, now: datetime) -> str:
        if self.purged_at is not None:
            return "purged"
        if self.closed_at is not None:
            return "closed"
        if self.approved_by is None:
            return "awaiting approval"
        if now < self.starts_at:
            return "approved, not started"
        return "active" if now < self.ends_at else "expired"


def _load(connection: Connection, operation_id: str) -> Operation | None:
    row = connection.execute(select(operations).where(operations.c.id == operation_id)).first()
    if row is None:
        return None
    members = frozenset(connection.execute(
        select(operation_members.c.username).where(operation_members.c.operation_id == operation_id)).scalars())
    return Operation(row.id, row.name, row.purpose, row.legal_basis, row.area, as_utc(row.starts_at),
                     as_utc(row.ends_at), row.retention_days, row.created_by, row.approved_by,
                     None if row.closed_at is None else as_utc(row.closed_at),
                     None if row.purged_at is None else as_utc(row.purged_at), members)


def get_operation(gov: Governance, operation_id: str) -> Operation:
    with gov.engine.connect() as connection:
        found = _load(connection, operation_id)
    if found is None:
        raise UsageError(f"no operation {operation_id!r}", fix="see 'civicpulse operation list'")
    return found


def require(gov: Governance, actor: Actor, action: Action, operation_id: str | None) -> Operation | None:
    """Authorise ``action`` inside ``operation_id`` now; the operation, or ``None`` when not scoped."""
    operation = None if operation_id is None else get_operation(gov, operation_id)
    try:
        authorise(actor, action, None if operation is None else operation.view, gov.now())
    except AccessDenied as refusal:
        # Refusals on personal data are evidence too (someone tried another team's operation).
        gov.log_alone(AccessRefused(action=action.value, reason=refusal.message), actor.username,
                      None if operation is None else operation.id)
        raise
    return operation


def create_operation(gov: Governance, actor: Actor, *, name: str, purpose: str, legal_basis: str, area: str,
                     starts_at: datetime, ends_at: datetime, retention_days: int,
                     members: tuple[str, ...] = ()) -> Operation:
    authorise(actor, Action.CREATE_OPERATION)
    if not name.strip() or not purpose.strip() or not area.strip():
        raise UsageError("an operation needs a name, a purpose and an area",
                         fix="give --name, --purpose and --area (the purpose is what a court will read)")
    basis = _match_basis(gov, legal_basis)
    starts_at, ends_at = as_utc(starts_at), as_utc(ends_at)
    if ends_at <= starts_at:
        raise UsageError("the operation ends before it starts", fix="check --start and --end")
    if not 0 <= retention_days <= MAX_RETENTION_DAYS:
        raise UsageError(f"retention must be 0-{MAX_RETENTION_DAYS} days", fix="set --retention-days")
    operation_id = "op-" + secrets.token_hex(4)
    crew = sorted({actor.username, *members})
    with gov.transaction() as (connection, now):
        known = set(connection.execute(select(users.c.username).where(users.c.username.in_(crew))).scalars())
        unknown = [m for m in crew if m not in known and m != actor.username]
        if unknown:
            raise UsageError(f"no such user(s): {', '.join(unknown)}", fix="see 'civicpulse user list'")
        connection.execute(insert(operations).values(
            id=operation_id, name=name.strip()[:200], purpose=purpose.strip(), legal_basis=basis, area=area.strip(),
            starts_at=starts_at, ends_at=ends_at, retention_days=retention_days, created_by=actor.username,
            created_at=now))
        connection.execute(insert(operation_members), [{"operation_id": operation_id, "username": m} for m in crew])
        gov.log(connection, OperationCreated(title=name.strip()[:200], legal_basis=basis, members=crew),
                actor.username, now, operation_id)
    return get_operation(gov, operation_id)


def _match_basis(gov: Governance, wanted: str) -> str:
    """The configured basis that ``wanted`` names exactly, or starts (e.g. 'LED Art. 8')."""
    wanted = wanted.strip()
    matches = [b for b in gov.legal_bases if b == wanted]
    if not matches and wanted:
        matches = [b for b in gov.legal_bases if b.lower().startswith(wanted.lower())]
    if len(matches) != 1:
        raise UsageError(f"{wanted!r} is not one of the configured legal bases",
                         fix="choose one of: " + "; ".join(gov.legal_bases) + " (setting legal_bases)")
    return matches[0]


def approve_operation(gov: Governance, actor: Actor, operation_id: str) -> Operation:
    authorise(actor, Action.APPROVE_OPERATION)
    operation = get_operation(gov, operation_id)
    if operation.created_by == actor.username:
        raise AccessDenied("a supervisor cannot approve an operation they created themselves",
                           fix="ask another supervisor to approve it (four-eyes principle)")
    if operation.approved_by is not None or operation.closed_at is not None:
        raise UsageError(f"operation {operation_id} is already {operation.status(gov.now())}",
                         fix="see 'civicpulse operation list'")
    with gov.transaction() as (connection, now):
        connection.execute(update(operations).where(operations.c.id == operation_id)
                           .values(approved_by=actor.username, approved_at=now))
        gov.log(connection, OperationApproved(), actor.username, now, operation_id)
    return get_operation(gov, operation_id)


def close_operation(gov: Governance, actor: Actor, operation_id: str) -> Operation:
    authorise(actor, Action.CLOSE_OPERATION)
    operation = get_operation(gov, operation_id)
    if operation.closed_at is not None:
        raise UsageError(f"operation {operation_id} is already closed", fix="nothing to do")
    with gov.transaction() as (connection, now):
        connection.execute(update(operations).where(operations.c.id == operation_id).values(closed_at=now))
        gov.log(connection, OperationClosed(), actor.username, now, operation_id)
    return get_operation(gov, operation_id)


def list_operations(gov: Governance, actor: Actor) -> list[Operation]:
    """Supervisors, the DPO and administrators see all; others see the operations they are on."""
    with gov.engine.connect() as connection:
        ids = list(connection.execute(select(operations.c.id).order_by(operations.c.created_at)).scalars())
        found = [op for op in (_load(connection, i) for i in ids) if op is not None]
    if actor.role in ("supervisor", "dpo", "administrator"):
        return found
    return [op for op in found if actor.username in op.members]


def bind_ingest(gov: Governance, actor: Actor, operation_id: str | None, cursor_name: str) -> int:
    """Authorise monitoring inside the operation and record that this stream stores under it."""
    operation = require(gov, actor, Action.MONITOR, operation_id)
    assert operation is not None
    with gov.transaction() as (connection, now):
        result = connection.execute(insert(operation_ingests).values(
            operation_id=operation.id, cursor_name=cursor_name[:256], started_at=now, ended_at=None))
        gov.log(connection, IngestBound(cursor_name=cursor_name[:256]), actor.username, now, operation.id)
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


DEMO_ACTOR = "system:demo"
#: The dashboard user the demo creates (an analyst, member of the demo operation only).
DEMO_USER = "demo"


def start_demo_operation(gov: Governance, cursor_name: str, members: tuple[str, ...] = ()) -> Operation:
    """The 'Demo exercise' operation the demo runs in, created and approved by the demo itself.

    The demo acts as a named system actor (a fresh demo database has no users to act); everything it
    does is in the audit log like any other act. ``members`` (the demo's dashboard user) may read in it.
    """
    now = gov.now()
    operation_id = "op-demo-" + secrets.token_hex(2)
    with gov.transaction() as (connection, at):
        connection.execute(insert(operations).values(
            id=operation_id, name="Demo exercise", purpose="Training: replay a synthetic exercise scenario",
            legal_basis=gov.legal_bases[0], area="synthetic city (no real people)", starts_at=now,
            ends_at=now + timedelta(days=1), retention_days=0, created_by=DEMO_ACTOR, created_at=at,
            approved_by=DEMO_ACTOR, approved_at=at))
        crew = sorted({DEMO_ACTOR, *members})
        connection.execute(insert(operation_members), [{"operation_id": operation_id, "username": m} for m in crew])
        gov.log(connection, OperationCreated(title="Demo exercise", legal_basis=gov.legal_bases[0],
                                             members=crew), DEMO_ACTOR, at, operation_id)
        gov.log(connection, OperationApproved(), DEMO_ACTOR, at, operation_id)
    bind_ingest(gov, Actor(DEMO_ACTOR, "supervisor"), operation_id, cursor_name)
    return get_operation(gov, operation_id)


def end_ingest(gov: Governance, binding: int) -> None:
    with gov.engine.begin() as connection:
        connection.execute(update(operation_ingests).where(operation_ingests.c.id == binding)
                           .values(ended_at=gov.now()))
