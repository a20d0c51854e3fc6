"""At-least-once delivery with idempotent writes: SIGKILL mid-stream, run again, nothing lost or doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from civicpulse.store.database import connect
from civicpulse.store.queries import Reader
from civicpulse.store.schema import post_operations, posts

ROOT = Path(__file__).parents[2]
TOTAL = 60_000


def _worker(database_url: str, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.pipeline.crash_worker", database_url, str(TOTAL), mode],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)


def _gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


_NEEDS_WORKERS = pytest.mark.skipif(os.name != "posix" or len(os.sched_getaffinity(0)) < 2,
                                    reason="worker processes need POSIX and 2 cores")


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["inline", pytest.param("worker", marks=_NEEDS_WORKERS),
                                  pytest.param("store", marks=_NEEDS_WORKERS)])
def test_sigkill_mid_stream_then_resume_gives_no_gaps_and_no_duplicates(database_url: str, mode: str) -> None:
    if mode == "store" and not database_url.startswith("sqlite"):
        pytest.skip("the store worker process is for SQLite files; PostgreSQL writes from the pipeline")
    worker = _worker(database_url, mode)
    assert worker.stdout is not None
    engine = connect(database_url)
    child = store = None
    # Kill once the store has committed some batches but is far from done.
    for line in worker.stdout:
        if line.startswith("child"):
            child = int(line.split()[1])
        if line.startswith("store"):
            store = int(line.split()[1])
        if line.startswith("fetched") and int(line.split()[1]) >= TOTAL // 3:
            break
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    if mode in ("worker", "store"):
        assert child is not None
        assert _gone(child), "the source's worker process outlived the killed pipeline"
    if mode == "store":
        # It commits the batch it holds (whole, cursor included) or none of it, then exits.
        assert store is not None
        assert _gone(store), "the store's worker process outlived the killed pipeline"
    stored_before = Reader(engine).post_count()
    cursor = Reader(engine).cursor("crash-test")
    assert 0 < stored_before < TOTAL, "the kill should land mid-stream"
    assert cursor is not None
    assert int(cursor) == stored_before

    resumed = _worker(database_url, mode)
    output, _ = resumed.communicate(timeout=240)
    assert resumed.returncode == 0, output

    with engine.connect() as connection:
        count, distinct = connection.execute(select(func.count(), func.count(func.distinct(posts.c.id)))).one()
        links = connection.execute(select(func.count()).select_from(post_operations)
                                   .where(post_operations.c.operation_id == "op-crash")).scalar_one()
    assert count == distinct == links == TOTAL
    assert set(Reader(engine).all_ids()) == {f"test:{n}" for n in range(TOTAL)}
    engine.dispose()
