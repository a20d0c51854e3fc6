from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from civicpulse.errors import AccessDenied, UsageError
from civicpulse.governance.accounts import add_user
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.operations import (
    approve_operation,
    bind_ingest,
    close_operation,
    create_operation,
    list_operations,
    require,
    start_demo_operation,
)
from civicpulse.governance.roles import Action
from civicpulse.store.schema import audit_log
from civicpulse.testing import FrozenClock

from .conftest import ADMIN, START

ANA, BOB, SUE, SAM = (Actor("ana", "analyst"), Actor("bob", "analyst"), Actor("sue", "supervisor"),
                      Actor("sam", "supervisor"))


@pytest.fixture
def staffed(gov: Governance) -> Governance:
    add_user(gov, None, "root", "administrator", "correct horse battery")
    for actor in (ANA, BOB, SUE, SAM):
        add_user(gov, ADMIN, actor.username, actor.role, "correct horse battery")
    return gov


def flood(gov: Governance, actor: Actor = ANA, **changes: object) -> str:
    values: dict[str, object] = {
        "name": "River flood", "purpose": "Find people asking for rescue", "legal_basis": "GDPR Art. 6(1)(d)",
        "area": "Riverside", "starts_at": START, "ends_at": START + timedelta(days=3), "retention_days": 30}
    values.update(changes)
    return create_operation(gov, actor, **values).id  # type: ignore[arg-type]


def test_an_operation_is_usable_only_once_approved_by_another_supervisor(staffed: Governance) -> None:
    op = flood(staffed)
    with pytest.raises(AccessDenied, match="not approved"):
        require(staffed, ANA, Action.SEARCH, op)
    with pytest.raises(AccessDenied, match="may not approve"):
        approve_operation(staffed, ANA, op)
    approve_operation(staffed, SUE, op)
    assert require(staffed, ANA, Action.SEARCH, op) is not None
    own = flood(staffed, SUE)
    with pytest.raises(AccessDenied, match="four-eyes"):
        approve_operation(staffed, SUE, own)


def test_naming_another_operations_id_is_refused(staffed: Governance) -> None:
    op = flood(staffed)
    approve_operation(staffed, SUE, op)
    with pytest.raises(AccessDenied, match="bob is not a member"):
        require(staffed, BOB, Action.SEARCH, op)
    with pytest.raises(AccessDenied, match="bob is not a member"):
        bind_ingest(staffed, BOB, op, "ingest:jsonl:x")
    assert [o.id for o in list_operations(staffed, BOB)] == []
    with staffed.engine.connect() as connection:
        refusals = connection.execute(select(audit_log.c.actor, audit_log.c.operation_id)
                                      .where(audit_log.c.event == "access_refused")).all()
    assert [tuple(r) for r in refusals] == [("bob", op), ("bob", op)]
    assert [o.id for o in list_operations(staffed, ANA)] == [op]


def test_operations_expire_by_themselves_and_close(staffed: Governance, clock: FrozenClock) -> None:
    op = flood(staffed)
    approve_operation(staffed, SUE, op)
    clock.advance(timedelta(days=3).total_seconds())
    with pytest.raises(AccessDenied, match="has expired"):
        require(staffed, ANA, Action.MONITOR, op)
    other = flood(staffed, starts_at=START, ends_at=START + timedelta(days=10))
    approve_operation(staffed, SUE, other)
    close_operation(staffed, SUE, other)
    with pytest.raises(AccessDenied, match="closed"):
        require(staffed, ANA, Action.MONITOR, other)


def test_a_clock_jumping_back_does_not_revive_an_expired_operation(staffed: Governance, clock: FrozenClock) -> None:
    op = flood(staffed)
    approve_operation(staffed, SUE, op)
    clock.advance(timedelta(days=4).total_seconds())
    close_operation(staffed, SUE, flood(staffed))  # something is logged at the real time
    clock.advance(-timedelta(days=3).total_seconds())
    with pytest.raises(AccessDenied, match="time went backwards"):
        bind_ingest(staffed, ANA, op, "ingest:x")


@pytest.mark.parametrize(("changes", "match"), [
    ({"legal_basis": "because"}, "not one of the configured legal bases"),
    ({"ends_at": START}, "ends before it starts"),
    ({"retention_days": -1}, "retention"),
    ({"purpose": " "}, "needs a name, a purpose"),
])
def test_bad_operations_say_the_fix(staffed: Governance, changes: dict[str, object], match: str) -> None:
    with pytest.raises(UsageError, match=match) as caught:
        flood(staffed, **changes)
    assert caught.value.fix


def test_the_demo_operation_is_approved_and_bound(gov: Governance) -> None:
    operation = start_demo_operation(gov, "demo:city-riot")
    assert operation.name == "Demo exercise"
    assert operation.status(gov.now()) == "active"
