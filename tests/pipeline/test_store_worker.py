"""The store writer in a worker process: same results as in-process, errors and lifetime."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from civicpulse.errors import PipelineError
from civicpulse.pipeline.runner import Pipeline
from civicpulse.pipeline.store_worker import WorkerStoreWriter, store_writer
from civicpulse.sources.base import Rejected
from civicpulse.store.database import connect, upgrade
from civicpulse.store.pseudonym import Pseudonymiser
from civicpulse.store.queries import Reader
from civicpulse.store.schema import identities, raw_payloads
from civicpulse.store.writer import Batch, Prepared, StoreWriter
from civicpulse.testing import MemorySource, make_post
from tests.pipeline.worker_sources import alive, child_outlives_killed_parent

pytestmark = pytest.mark.skipif(os.name != "posix", reason="worker processes need POSIX pipes")


def test_writes_match_the_in_process_writer(sqlite_engine: Engine) -> None:
    writer = WorkerStoreWriter(sqlite_engine)
    try:
        author_post = make_post(7, "Fire near the station", author="12345").replace(raw={"id": "7", "user": "alice"})
        pseudonymised, found = Pseudonymiser(b"k" * 32).apply([author_post, make_post(8)])
        first = writer.write(Batch(posts=pseudonymised, identities=found, cursor_name="src", cursor="2",
                                   rejected=[Rejected.of("not JSON", b"\xff{", "feed.jsonl:3")], source="feed"))
        again = writer.write(Batch(posts=[*pseudonymised, make_post(9), make_post(9)], cursor_name="src",
                                   cursor="5"))
    finally:
        writer.close()
    assert (first.inserted, first.duplicates, first.quarantined) == (2, 0, 1)
    assert (again.inserted, again.duplicates, again.inserted_ids) == (1, 3, ["test:9"])
    reader = Reader(sqlite_engine)
    assert reader.post_count() == 3
    assert reader.cursor("src") == "5"
    assert reader.get(author_post.id) == pseudonymised[0].replace(raw=None)
    assert [p.id for p in reader.search("station")] == [author_post.id]
    with sqlite_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(raw_payloads)).scalar_one() == 1
        assert sorted(connection.execute(select(identities.c.account_id)).scalars()) == ["12345", "acct-1"]


def test_a_pipeline_through_the_worker_stores_everything_and_its_cursor(sqlite_engine: Engine) -> None:
    writer = store_writer(sqlite_engine)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    assert isinstance(writer, WorkerStoreWriter) == (cores > 1)
    posts = [make_post(i, f"report {i}") for i in range(500)]
    stats = Pipeline(MemorySource(posts), writer, Pseudonymiser(b"k" * 32), batch_size=50,
                     max_latency_s=0.05, cursor_name="mem").run()
    assert (stats.stored, stats.duplicates) == (500, 0)
    assert Reader(sqlite_engine).post_count() == 500
    assert Reader(sqlite_engine).cursor("mem") == "500"
    if isinstance(writer, WorkerStoreWriter):
        assert writer.pid is None, "the pipeline closes its store worker when it ends"


def test_postgres_memory_databases_and_the_setting_keep_the_writer_in_process(sqlite_engine: Engine) -> None:
    assert type(store_writer(sqlite_engine, worker=False)) is StoreWriter
    memory = connect("sqlite:///:memory:")
    assert type(store_writer(memory)) is StoreWriter
    postgres = connect("postgresql://nobody@127.0.0.1:1/none")
    assert type(store_writer(postgres)) is StoreWriter


def test_a_database_error_in_the_child_names_it_and_the_setting(sqlite_engine: Engine,
                                                                capfd: pytest.CaptureFixture[str]) -> None:
    writer = WorkerStoreWriter(sqlite_engine)
    broken = Prepared(posts=[("only-an-id",)], raws=[], identities=[], rejected=[])
    failed = "the store writer failed in its worker process: ProgrammingError"
    with pytest.raises(PipelineError, match=failed) as raised:
        writer.write_prepared(broken)
    assert "store_worker = false" in raised.value.fix
    assert "Traceback" in capfd.readouterr().err
    assert writer.pid is None
    # The next write starts a fresh child.
    assert writer.write(Batch(posts=[make_post(1)])).inserted == 1
    writer.close()


def test_a_child_that_dies_is_reported_with_how_it_died(sqlite_engine: Engine) -> None:
    writer = WorkerStoreWriter(sqlite_engine)
    assert writer.pid is not None
    os.kill(writer.pid, signal.SIGKILL)
    with pytest.raises(PipelineError, match="killed by SIGKILL") as raised:
        writer.write(Batch(posts=[make_post(1)]))
    assert "resume" in raised.value.fix
    assert writer.pid is None


def test_close_and_ctrl_c_leave_no_child_behind(sqlite_engine: Engine) -> None:
    writer = WorkerStoreWriter(sqlite_engine)
    pid = writer.pid
    assert pid is not None
    assert os.getpgid(pid) != os.getpgrp(), "Ctrl-C at the terminal reaches the pipeline, not the child"
    assert writer.write(Batch(posts=[make_post(1)])).inserted == 1
    os.kill(pid, signal.SIGINT)  # once running, it ignores them even when sent to it directly
    os.kill(pid, signal.SIGTERM)
    assert writer.write(Batch(posts=[make_post(2)])).inserted == 1
    writer.close()
    assert not alive(pid)


@pytest.mark.slow
def test_the_child_dies_with_its_parent_even_on_sigkill(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'orphan.db'}"
    upgrade(connect(url))
    script = ("import sys, time\n"
              "from civicpulse.store.database import connect\n"
              "from civicpulse.pipeline.store_worker import WorkerStoreWriter\n"
              f"writer = WorkerStoreWriter(connect({url!r}))\n"
              "print(writer.pid, flush=True)\n"
              "time.sleep(60)\n")
    assert not child_outlives_killed_parent(script), "the store worker outlived its parent"


def test_merged_batches_keep_every_row_and_the_last_cursor() -> None:
    writer = StoreWriter(connect("sqlite:///:memory:"))
    first = writer.prepare(Batch(posts=[make_post(1)], cursor_name="c", cursor="1"))
    second = writer.prepare(Batch(posts=[make_post(2)], rejected=[Rejected.of("bad", b"x")], cursor_name="c"))
    merged = Prepared.merge([first, second])
    assert [row[0] for row in merged.posts] == ["test:1", "test:2"]
    assert (len(merged.rejected), merged.cursor_name, merged.cursor) == (1, "c", "1")
    assert Prepared.merge([first]) is first
