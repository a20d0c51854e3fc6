"""Run by test_crash_resume in a subprocess: ingest a deterministic stream, resuming from the cursor.

Usage: python -m tests.pipeline.crash_worker DATABASE_URL TOTAL [inline|worker|store]

``worker`` reads the source in a worker process (civicpulse.pipeline.worker) and prints its pid;
``store`` also writes from a worker process (civicpulse.pipeline.store_worker, SQLite files only), as
``civicpulse ingest`` does by default, and prints that one's pid too.
"""

from __future__ import annotations

import sys
from typing import ClassVar

from civicpulse.pipeline.runner import Pipeline, PipelineStats
from civicpulse.pipeline.store_worker import WorkerStoreWriter, store_writer
from civicpulse.pipeline.worker import WorkerSource, in_worker
from civicpulse.registry import sources
from civicpulse.sources.base import Page, Source, SourceSpec
from civicpulse.store.database import connect, upgrade
from civicpulse.store.pseudonym import Pseudonymiser
from civicpulse.store.queries import Reader
from civicpulse.store.writer import StoreWriter
from civicpulse.testing import make_post

CURSOR = "crash-test"
#: Every post is linked to this operation in its batch's transaction (purpose binding).
OPERATION = "op-crash"


@sources.register("test-counting")
class Counting(Source):
    """Posts 0..total-1; the cursor is the next number. Same output for the same cursor, every run."""

    name: ClassVar[str] = "test-counting"

    def __init__(self, total: int, announce: bool = True) -> None:
        self.total = total
        self.announce = announce

    def fetch(self, cursor: str | None, limit: int) -> Page:
        start = int(cursor or 0)
        end = min(self.total, start + min(limit, 97))
        posts = [make_post(n, f"post number {n}", author=f"acct-{n % 13}") for n in range(start, end)]
        if self.announce:
            print(f"fetched {end}", flush=True)
        return Page(posts=posts, cursor=str(end), done=end >= self.total)

    def spec(self) -> SourceSpec:
        return SourceSpec(name=self.name, module=__name__, args=(self.total,), options={"announce": False})


def main() -> None:
    url, total = sys.argv[1], int(sys.argv[2])
    mode = sys.argv[3] if len(sys.argv) > 3 else "inline"
    engine = connect(url)
    upgrade(engine)
    cursor = Reader(engine).cursor(CURSOR)
    source = in_worker(Counting(total)) if mode in ("worker", "store") else Counting(total)
    writer = store_writer(engine, operation_id=OPERATION) if mode == "store" else StoreWriter(engine, OPERATION)
    if mode in ("worker", "store") and not isinstance(source, WorkerSource):
        raise SystemExit("no worker process on this machine")
    if mode == "store" and not isinstance(writer, WorkerStoreWriter):
        raise SystemExit("no store worker process for this database on this machine")

    def progress(stats: PipelineStats) -> None:
        if isinstance(source, WorkerSource):
            print(f"child {source.pid}", flush=True)
        if isinstance(writer, WorkerStoreWriter):
            print(f"store {writer.pid}", flush=True)
        if isinstance(source, WorkerSource):
            print(f"fetched {stats.read}", flush=True)

    pipeline = Pipeline(source, writer, Pseudonymiser(b"k" * 32), batch_size=300,
                        max_latency_s=0.01, cursor_name=CURSOR)
    stats = pipeline.run(cursor, progress)
    print(f"done stored={stats.stored} duplicates={stats.duplicates}", flush=True)


if __name__ == "__main__":
    main()
