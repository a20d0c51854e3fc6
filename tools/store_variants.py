"""CPU per post of the SQLite store writer alone, as shipped and with cheaper-looking variants.

The ``city-riot`` scenario's posts are pseudonymised and turned into rows exactly as the pipeline
does (``StoreWriter.prepare``); then each variant writes the same rows into a fresh database made by
the migrations, through the raw ``sqlite3`` module with the pipeline's pragmas and statements, one
transaction per ``--batch`` posts. Measured in CPU time of this process (``time.process_time``), so
other work on the machine distorts it little; the split (insert, FTS5, commit) shows where it goes.
Results and what was kept: ``docs/benchmarks.md``.

    .venv/bin/python tools/store_variants.py [--posts 200000] [--batch 2000] [VARIANT ...]

Variants: shipped, batch=N (posts per transaction), no-author-index, no-created-index, no-fts,
fts-contentless, fts-detail-column, fts-detail-none, checkpoint=N (wal_autocheckpoint), cache-mb=N.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from civicpulse.bench import _bench_source
from civicpulse.store.database import connect, upgrade
from civicpulse.store.pseudonym import Pseudonymiser
from civicpulse.store.writer import _SQLITE_INSERT_POST, Batch, StoreWriter

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA cache_size=-65536",
           "PRAGMA wal_autocheckpoint=10000")
FTS = "INSERT INTO posts_fts(rowid, text) SELECT rowid, text FROM posts WHERE rowid > ?"
DEFAULT = ("shipped", "batch=6000", "batch=10000", "fts-contentless", "fts-detail-column", "fts-detail-none",
           "checkpoint=0", "checkpoint=40000", "cache-mb=256", "no-author-index", "no-created-index", "no-fts")


def rows(posts: int) -> list[tuple[Any, ...]]:
    source, cursor, pseudonymiser = _bench_source(posts), None, Pseudonymiser(b"k" * 32)
    writer = StoreWriter(connect("sqlite:///:memory:"))
    out: list[tuple[Any, ...]] = []
    while True:
        page = source.fetch(cursor, 2000)
        pseudonymised, _ = pseudonymiser.apply(page.posts)
        out.extend(writer.prepare(Batch(posts=pseudonymised)).posts)
        cursor = page.cursor
        if page.done:
            return out


def open_variant(path: Path, variant: str) -> tuple[sqlite3.Connection, bool]:
    upgrade(connect(f"sqlite:///{path}"))
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in PRAGMAS:
        connection.execute(pragma)
    name, _, value = variant.partition("=")
    if name == "checkpoint":
        connection.execute(f"PRAGMA wal_autocheckpoint={int(value)}")
    if name == "cache-mb":
        connection.execute(f"PRAGMA cache_size=-{int(value) * 1024}")
    if name == "no-author-index":
        connection.execute("DROP INDEX ix_posts_author_id")
    if name == "no-created-index":
        connection.execute("DROP INDEX ix_posts_created_at")
    if name.startswith("fts-"):
        connection.execute("DROP TABLE posts_fts")
        content = "content=''" if name == "fts-contentless" else "content='posts', content_rowid='rowid'"
        detail = name.removeprefix("fts-detail-") if name.startswith("fts-detail-") else "full"
        connection.execute(f"CREATE VIRTUAL TABLE posts_fts USING fts5(text, {content}, detail={detail}, "
                           "tokenize='unicode61 remove_diacritics 2')")
    return connection, name != "no-fts"


def measure(data: list[tuple[Any, ...]], variant: str, batch: int) -> dict[str, float]:
    if variant.startswith("batch="):
        batch = int(variant.partition("=")[2])
    spent = {"insert": 0.0, "fts": 0.0, "commit": 0.0}
    with tempfile.TemporaryDirectory(prefix="civicpulse-variants-") as folder:
        connection, fts = open_variant(Path(folder) / "store.db", variant)
        for start in range(0, len(data), batch):
            began = time.process_time()
            connection.execute("BEGIN IMMEDIATE")
            top = connection.execute("SELECT coalesce(max(rowid), 0) FROM posts").fetchone()[0]
            connection.executemany(_SQLITE_INSERT_POST, data[start:start + batch])
            inserted = time.process_time()
            if fts:
                connection.execute(FTS, (top,))
            indexed = time.process_time()
            connection.execute("COMMIT")
            spent["insert"] += inserted - began
            spent["fts"] += indexed - inserted
            spent["commit"] += time.process_time() - indexed
        connection.close()
    return {key: value / len(data) * 1e6 for key, value in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=2000, help="posts per transaction")
    parser.add_argument("variants", nargs="*", default=list(DEFAULT))
    args = parser.parse_args()
    data = rows(args.posts)
    print(f"{len(data):,} posts, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; CPU microseconds per post")
    for variant in args.variants:
        parts = measure(data, variant, args.batch)
        split = "  ".join(f"{key} {value:4.1f}" for key, value in parts.items())
        print(f"{variant:20s} {sum(parts.values()):5.1f}   ({split})", flush=True)


if __name__ == "__main__":
    main()
