"""The permission matrix: one module, documented in docs/governance.md exactly as the code has it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from civicpulse.errors import AccessDenied
from civicpulse.governance.access import OperationView, authorise
from civicpulse.governance.context import Actor
from civicpulse.governance.roles import MATRIX, Action, Role

from .conftest import START

DOC = Path(__file__).parents[2] / "docs" / "governance.md"


def test_the_documented_matrix_is_the_code() -> None:
    table = DOC.read_text().split("<!-- matrix -->", 2)[1]
    lines = [line for line in table.strip().splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")][1:]
    assert header == [role.value for role in Role]
    documented = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        documented[cells[0]] = {role for role, mark in zip(Role, cells[1:], strict=True) if mark == "✔"}
    assert documented == {action.value: {r for r in Role if action in MATRIX[r]} for action in Action}


def op(members: frozenset[str] = frozenset({"ana"}), approved: bool = True, closed: bool = False) -> OperationView:
    return OperationView("op-1", "Flood", approved, START, START + timedelta(days=2), closed, members)


def test_acting_beyond_ones_role_is_refused_with_the_roles_that_may() -> None:
    with pytest.raises(AccessDenied, match="an analyst may not reveal identity") as caught:
        authorise(Actor("ana", "analyst"), Action.REVEAL_IDENTITY, op(), START)
    assert "investigator" in caught.value.fix
    with pytest.raises(AccessDenied, match="an administrator may not read posts"):
        authorise(Actor("root", "administrator"), Action.READ_POSTS, op(frozenset({"root"})), START)


def test_personal_data_needs_an_operation_the_actor_is_on() -> None:
    ana = Actor("ana", "analyst")
    with pytest.raises(AccessDenied, match="inside an operation"):
        authorise(ana, Action.SEARCH, None, START)
    with pytest.raises(AccessDenied, match="not a member of operation op-1"):
        authorise(ana, Action.SEARCH, op(frozenset({"bob"})), START)
    with pytest.raises(AccessDenied, match="not approved"):
        authorise(ana, Action.SEARCH, op(approved=False), START)
    with pytest.raises(AccessDenied, match="closed"):
        authorise(ana, Action.SEARCH, op(closed=True), START)
    authorise(ana, Action.SEARCH, op(), START + timedelta(hours=1))


def test_operations_expire_by_themselves_when_the_clock_moves() -> None:
    ana = Actor("ana", "analyst")
    with pytest.raises(AccessDenied, match="has expired"):
        authorise(ana, Action.SEARCH, op(), START + timedelta(days=2))
    with pytest.raises(AccessDenied, match="has not started"):
        authorise(ana, Action.SEARCH, op(), START - timedelta(seconds=1))


def test_an_unknown_role_is_refused() -> None:
    with pytest.raises(AccessDenied, match="no valid role"):
        authorise(Actor("x", "superuser"), Action.READ_AUDIT)
