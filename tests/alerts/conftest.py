from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from civicpulse.governance.context import Governance
from civicpulse.testing import FrozenClock
from tests.governance.seeding import operation, staff


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def gov(engine: Engine, tmp_path: Path, clock: FrozenClock) -> Governance:
    """Governance over SQLite and (marked postgres) a real PostgreSQL server."""
    return Governance(engine, tmp_path / "data", clock)


@pytest.fixture
def op(gov: Governance) -> str:
    staff(gov)
    return operation(gov, "Matchday")
