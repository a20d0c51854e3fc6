"""At-least-once delivery with idempotent writes: SIGKILL mid-stream, run again, nothing lost or doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from civicpulse.store.database import connect
from civicpulse.store.queries import Reader
from civicpulse.store.schema import posts

ROOT = Path(__file__).parents[2]
TOTAL = 60_000


def _worker(database_url: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.pipeline.crash_worker", database_url, str(TOTAL)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_sigkill_mid_stream_then_resume_gives_no_gaps_and_no_duplicates(database_url: str) -> None:
    worker = _worker(database_url)
    assert worker.stdout is not None
    engine = connect(database_url)
    # Kill once the store has committed some batches but is far from done.
    for line in worker.stdout:
        if line.startswith("fetched") and int(line.split()[1]) >= TOTAL // 3:
            break
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    stored_before = Reader(engine).post_count()
    cursor = Reader(engine).cursor("crash-test")
    assert 0 < stored_before < TOTAL, "the kill should land mid-stream"
    assert cursor is not None
    assert int(cursor) == stored_before

    resumed = _worker(database_url)
    output, _ = resumed.communicate(timeout=240)
    assert resumed.returncode == 0, output

    with engine.connect() as connection:
        count, distinct = connection.execute(select(func.count(), func.count(func.distinct(posts.c.id)))).one()
    assert count == distinct == TOTAL
    assert set(Reader(engine).all_ids()) == {f"test:{n}" for n in range(TOTAL)}
    engine.dispose()
