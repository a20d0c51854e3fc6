"""The retention job scheduled inside ``civicpulse serve`` deletes on time and survives failures."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from civicpulse.governance import audit
from civicpulse.governance.context import Governance
from civicpulse.governance.operations import close_operation
from civicpulse.governance.retention import RetentionReport
from civicpulse.governance.schedule import RETENTION_ACTOR, RetentionSchedule
from civicpulse.store.queries import Reader

from .seeding import SUE, ingest, operation, staff


@pytest.fixture
def live(engine: Engine, tmp_path: Path) -> Governance:
    gov = Governance(engine, tmp_path / "data")
    staff(gov)
    return gov


def test_the_schedule_deletes_what_is_due_as_the_system_actor(live: Governance, engine: Engine) -> None:
    due = operation(live, "Over")
    ingest(live, engine, due, "quokkaword", 4)
    close_operation(live, SUE, due)
    reports: list[RetentionReport] = []
    ran = threading.Event()
    schedule = RetentionSchedule(live, interval_s=3600, on_report=lambda r: (reports.append(r), ran.set()))
    schedule.start()
    assert ran.wait(60)
    schedule.stop()
    assert reports[0].operations == [due]
    assert Reader(engine).search("quokkaword") == []
    deletions = [e for e in audit.entries(engine) if e.actor == RETENTION_ACTOR.username]
    assert deletions


def test_a_refused_run_is_reported_and_the_schedule_goes_on(live: Governance, engine: Engine) -> None:
    """A clock far from the database server's: retention refuses (deletion cannot be undone)."""
    skewed = Governance(engine, live.data_dir, clock=lambda: live.now() + timedelta(days=2))
    schedule = RetentionSchedule(skewed, interval_s=0.05)
    assert schedule.run_once() is None
    schedule.start()
    schedule.stop()
    assert not schedule.running


def test_a_non_positive_interval_is_refused(live: Governance) -> None:
    with pytest.raises(ValueError, match="positive"):
        RetentionSchedule(live, interval_s=0)
