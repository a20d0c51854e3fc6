from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from civicpulse.errors import AccessDenied
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.search import search
from civicpulse.store.schema import audit_log

from .seeding import ANA, ingest, operation, staff


@pytest.fixture
def two_ops(engine: Engine, tmp_path: Path) -> tuple[Governance, str, str]:
    gov = Governance(engine, tmp_path / "data")
    staff(gov)
    first, second = operation(gov, "First"), operation(gov, "Second")
    ingest(gov, engine, first, "sharedword alpha", 3)
    ingest(gov, engine, second, "sharedword beta", 5, first=100)
    return gov, first, second


def test_search_sees_only_its_operations_posts_and_is_logged(two_ops: tuple[Governance, str, str]) -> None:
    gov, first, second = two_ops
    assert len(search(gov, ANA, first, "sharedword")) == 3
    assert len(search(gov, ANA, second, "sharedword")) == 5
    assert search(gov, ANA, first, 'beta" OR "alpha') == []  # no FTS syntax from user input
    with gov.engine.connect() as connection:
        logged = connection.execute(select(audit_log.c.details).where(audit_log.c.event == "search_run")).scalars()
        assert '"results":3' in next(iter(logged))


def test_search_needs_membership_and_special_category_approval(two_ops: tuple[Governance, str, str]) -> None:
    gov, first, _second = two_ops
    with pytest.raises(AccessDenied, match="not a member"):
        search(gov, Actor("eve", "analyst"), first, "sharedword")
    with pytest.raises(AccessDenied, match="special category"):
        search(gov, ANA, first, "mosque sharedword")
