from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from civicpulse.governance.context import Governance
from civicpulse.store.database import connect, upgrade
from civicpulse.testing import FrozenClock
from tests.governance.seeding import operation, staff


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = connect(f"sqlite:///{tmp_path / 'alerts.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def gov(sqlite_engine: Engine, tmp_path: Path, clock: FrozenClock) -> Governance:
    return Governance(sqlite_engine, tmp_path / "data", clock)


@pytest.fixture
def op(gov: Governance) -> str:
    staff(gov)
    return operation(gov, "Matchday")
