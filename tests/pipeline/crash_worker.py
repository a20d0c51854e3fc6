"""Run by test_crash_resume in a subprocess: ingest a deterministic stream, resuming from the cursor.

Usage: python -m tests.pipeline.crash_worker DATABASE_URL TOTAL
"""

from __future__ import annotations

import sys
from typing import ClassVar

from civicpulse.pipeline.runner import Pipeline
from civicpulse.sources.base import Page, Source
from civicpulse.store.database import connect, upgrade
from civicpulse.store.pseudonym import Pseudonymiser
from civicpulse.store.queries import Reader
from civicpulse.store.writer import StoreWriter
from civicpulse.testing import make_post

CURSOR = "crash-test"


class Counting(Source):
    """Posts 0..total-1; the cursor is the next number. Same output for the same cursor, every run."""

    name: ClassVar[str] = "counting"

    def __init__(self, total: int) -> None:
        self.total = total

    def fetch(self, cursor: str | None, limit: int) -> Page:
        start = int(cursor or 0)
        end = min(self.total, start + min(limit, 97))
        posts = [make_post(n, f"post number {n}", author=f"acct-{n % 13}") for n in range(start, end)]
        print(f"fetched {end}", flush=True)
        return Page(posts=posts, cursor=str(end), done=end >= self.total)


def main() -> None:
    url, total = sys.argv[1], int(sys.argv[2])
    engine = connect(url)
    upgrade(engine)
    cursor = Reader(engine).cursor(CURSOR)
    pipeline = Pipeline(Counting(total), StoreWriter(engine), Pseudonymiser(b"k" * 32), batch_size=300,
                        max_latency_s=0.01, cursor_name=CURSOR)
    stats = pipeline.run(cursor)
    print(f"done stored={stats.stored} duplicates={stats.duplicates}", flush=True)


if __name__ == "__main__":
    main()
