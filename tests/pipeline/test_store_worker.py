"""The store writer in a worker process: same results as in-process, errors and lifetime."""

from __future__ import annotations

import os
import signal
from datetime import UTC, timedelta, timezone
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from civicpulse.errors import PipelineError
from civicpulse.pipeline.runner import Pipeline
from civicpulse.pipeline.store_worker import WorkerStoreWriter, _prepared_decoder, frame_for_child, store_writer
from civicpulse.post import Geo, GeoSource, Post
from civicpulse.sources.base import Rejected
from civicpulse.store.database import connect, upgrade
from civicpulse.store.pseudonym import Pseudonymiser
from civicpulse.store.queries import Reader
from civicpulse.store.schema import identities, posts, raw_payloads
from civicpulse.store.writer import Batch, Prepared, StoreWriter
from civicpulse.testing import MemorySource, make_post
from tests.pipeline.worker_sources import alive, child_outlives_killed_parent
from tests.test_post import posts as any_posts

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


ZONES = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(0))])
JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                        max_size=3),
                           max_leaves=8)


@st.composite
def stored_posts(draw: st.DrawFn) -> Post:
    """Posts as sources and analysers make them, with what msgpack carries differently from JSON:
    times with an offset, integers beyond 64 bits, non-finite floats, nested payloads."""
    post = draw(any_posts())
    account_created = draw(st.none() | st.datetimes(timezones=ZONES))
    return post.replace(created_at=post.created_at.astimezone(draw(ZONES)),
                        author=msgspec.structs.replace(post.author, created_at=account_created),
                        raw=draw(st.none() | st.dictionaries(st.text(max_size=5), JSON_VALUES, max_size=3)),
                        enrichments=draw(st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=3)))


def _without_ingest_time(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [row[:3] + row[4:] for row in rows]


@given(st.lists(stored_posts(), max_size=4), st.integers(1, 3))
def test_the_child_builds_the_rows_the_pipeline_would_have(items: list[Post], parts: int) -> None:
    local = StoreWriter(connect("sqlite:///:memory:"))
    expected = local.prepare(Batch(posts=items))
    size = len(items) // parts + 1
    sent = Prepared.merge([local.prepare(Batch(posts=items[i:i + size]), rows=False)
                           for i in range(0, len(items), size)] or [local.prepare(Batch(), rows=False)])
    received = local.with_rows(_prepared_decoder.decode(frame_for_child(local, sent)))
    kept_here = local.with_rows(sent)
    for rows in (received, kept_here):
        assert _without_ingest_time(rows.posts) == _without_ingest_time(expected.posts)
        assert rows.raws == expected.raws
        assert rows.unprepared == []


def test_posts_msgpack_cannot_carry_are_stored_exactly_through_the_worker(sqlite_engine: Engine,
                                                                          tmp_path: Path) -> None:
    offset = make_post(1).replace(created_at=make_post(1).created_at.astimezone(timezone(timedelta(hours=2))))
    huge = make_post(2).replace(raw={"id": 10**30}, geo=Geo(source=GeoSource.GEOTAG, lat=53.8, lon=-1.5))
    plain = make_post(3).replace(enrichments={"sentiment/2": {"probs": [0.1, 0.2, 0.7]}}, raw={"id": 3})
    in_process = connect(f"sqlite:///{tmp_path / 'in_process.db'}")
    upgrade(in_process)
    writer = WorkerStoreWriter(sqlite_engine)
    try:
        for batch in ([offset, plain], [huge], [plain.replace(id="test:4")]):
            writer.write(Batch(posts=batch))
            StoreWriter(in_process).write(Batch(posts=batch))
    finally:
        writer.close()

    def stored(engine: Engine) -> list[tuple[Any, ...]]:
        with engine.connect() as connection:
            rows = connection.execute(select(posts).order_by(posts.c.id)).all()
            payloads = connection.execute(select(raw_payloads).order_by(raw_payloads.c.post_id)).all()
        return [tuple(row)[:3] + tuple(row)[4:] for row in rows] + [tuple(p) for p in payloads]

    assert stored(sqlite_engine) == stored(in_process)
    assert '"created_at":"2026-01-01T02:00:01+02:00"' in stored(sqlite_engine)[0][-1]
    in_process.dispose()
