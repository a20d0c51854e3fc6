"""Retention deletes on time, everywhere (search, FTS index, file bytes), and survives SIGKILL."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from civicpulse.errors import AccessDenied
from civicpulse.governance import audit
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.keys import audit_public_key
from civicpulse.governance.operations import close_operation, get_operation
from civicpulse.governance.retention import run_retention
from civicpulse.store.queries import Reader
from civicpulse.store.schema import identities, posts, quarantine, raw_payloads, retention_counts
from civicpulse.testing import FrozenClock

from .seeding import ADMIN, SUE, ingest, operation, staff


@pytest.fixture
def live(engine: Engine, tmp_path: Path) -> Governance:
    """Governance on the real clock: the store stamps ingest times with it."""
    gov = Governance(engine, tmp_path / "data")
    staff(gov)
    return gov


def count(engine: Engine, table: object) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_retention_deletes_what_is_due_and_keeps_the_rest(live: Governance, engine: Engine) -> None:
    gone, kept = operation(live, "Over"), operation(live, "Ongoing", retention_days=30)
    ingest(live, engine, gone, "zanzibarquux", 10)
    ingest(live, engine, kept, "keepword", 6, first=100)
    close_operation(live, SUE, gone)
    report = run_retention(live, ADMIN)
    assert (report.posts, report.raw_payloads, report.identities, report.quarantined) == (10, 10, 5, 1)
    reader = Reader(engine)
    assert reader.search("zanzibarquux") == []
    assert len(reader.search("keepword")) == 6
    assert (count(engine, posts), count(engine, raw_payloads), count(engine, identities),
            count(engine, quarantine)) == (6, 6, 3, 1)
    with engine.connect() as connection:
        kept_counts = connection.execute(select(retention_counts)).one()
    assert (kept_counts.operation_id, kept_counts.posts) == (gone, 10)
    assert get_operation(live, gone).purged_at is not None
    assert audit.verify(engine, audit_public_key(live.data_dir)).ok
    assert run_retention(live, ADMIN).posts == 0  # idempotent


def test_deleted_text_is_gone_from_the_sqlite_file_bytes(tmp_path: Path) -> None:
    from civicpulse.store.database import connect, upgrade

    path = tmp_path / "bytes.db"
    engine = connect(f"sqlite:///{path}")
    upgrade(engine)
    gov = Governance(engine, tmp_path / "data")
    staff(gov)
    op = operation(gov, "Over")
    ingest(gov, engine, op, "xylophonequokka", 200)
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("bytes.db*"))
    assert b"xylophonequokka" in raw  # the check below can fail
    close_operation(gov, SUE, op)
    run_retention(gov, ADMIN)
    engine.dispose()
    for file in tmp_path.glob("bytes.db*"):
        assert b"xylophonequokka" not in file.read_bytes(), file.name


def test_only_retention_roles_may_run_it(live: Governance) -> None:
    with pytest.raises(AccessDenied, match="may not run retention"):
        run_retention(live, Actor("ana", "investigator"))


def test_a_clock_jumped_forward_does_not_purge_early(live: Governance, engine: Engine) -> None:
    op = operation(live, "Ongoing", retention_days=30)
    ingest(live, engine, op, "earlyword", 4)
    ahead = FrozenClock(live.now() + timedelta(days=60))
    with pytest.raises(AccessDenied, match="database server reads"):
        run_retention(Governance(engine, live.data_dir, ahead), ADMIN)
    assert count(engine, posts) == 4


_KILLER = """
import os, signal, sys
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.retention import run_retention
from civicpulse.store.database import connect
from pathlib import Path

def die(batch):
    if batch == 3:
        os.kill(os.getpid(), signal.SIGKILL)

run_retention(Governance(connect(sys.argv[1]), Path(sys.argv[2])), Actor("root", "administrator"),
              batch_size=50, on_batch=die)
"""


def test_a_retention_job_killed_halfway_resumes_without_half_deleted_records(
        live: Governance, engine: Engine, database_url: str) -> None:
    op = operation(live, "Over")
    ingest(live, engine, op, "killword", 300)
    close_operation(live, SUE, op)
    killed = subprocess.run([sys.executable, "-c", _KILLER, database_url, str(live.data_dir)],
                            capture_output=True, timeout=120)
    assert killed.returncode == -9, killed.stderr
    # Two batches committed, the third died inside its transaction and left nothing half done.
    assert count(engine, posts) == 200
    with engine.connect() as connection:
        orphans = connection.execute(select(func.count()).select_from(posts).where(
            ~posts.c.id.in_(select(raw_payloads.c.post_id)))).scalar_one()
        assert orphans == 0
        assert connection.execute(select(retention_counts.c.posts)).scalar_one() == 100
    assert audit.verify(engine, audit_public_key(live.data_dir)).ok
    report = run_retention(live, ADMIN, batch_size=50)
    assert report.posts == 200
    assert count(engine, posts) == count(engine, raw_payloads) == count(engine, identities) == 0
    with engine.connect() as connection:
        assert connection.execute(select(retention_counts.c.posts)).scalar_one() == 300


def test_signals_and_snapshots_made_while_ingesting_go_with_the_posts(live: Governance, engine: Engine) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from civicpulse.store.schema import detector_state, signals

    gone, kept = operation(live, "Over"), operation(live, "Ongoing", retention_days=30)
    ingest(live, engine, gone, "zanzibarquux", 4)
    ingest(live, engine, kept, "keepword", 4, first=100)
    close_operation(live, SUE, gone)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        for op, name in ((gone, "events"), (kept, "rumours")):
            connection.execute(insert(signals).values(
                detector=name, kind="event", key=f"{name}-1", at=now, summary="zanzibarquux seen",
                post_ids="[]", details="{}", stored_at=now, operation_id=op))
            connection.execute(insert(detector_state).values(name=name, version=1, state=b"zanzibarquux",
                                                             updated_at=now, operation_id=op))
    report = run_retention(live, ADMIN)
    assert report.derived == 2
    with engine.connect() as connection:
        assert set(connection.execute(select(signals.c.detector)).scalars()) == {"rumours"}
        assert set(connection.execute(select(detector_state.c.name)).scalars()) == {"rumours"}
    assert audit.verify(engine, audit_public_key(live.data_dir)).ok
