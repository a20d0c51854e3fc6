from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from civicpulse.governance.context import Actor, Governance
from civicpulse.testing import FrozenClock

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def gov(sqlite_engine: Engine, tmp_path: Path, clock: FrozenClock) -> Governance:
    return Governance(sqlite_engine, tmp_path / "data", clock)


@pytest.fixture
def any_gov(engine: Engine, tmp_path: Path, clock: FrozenClock) -> Governance:
    """Governance over SQLite and (marked postgres) a real PostgreSQL server."""
    return Governance(engine, tmp_path / "data", clock)


ADMIN = Actor("root", "administrator")


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Same algorithm (argon2id), tiny cost: the suite hashes dozens of passwords."""
    from argon2 import PasswordHasher

    from civicpulse.governance import accounts

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
