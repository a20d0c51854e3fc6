"""The worker-process source stage: same pages as in-process, resumable, errors and lifetime."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from civicpulse.errors import PipelineError, UsageError
from civicpulse.pipeline.runner import Pipeline
from civicpulse.pipeline.worker import WorkerSource, decode_page, encode_page, in_worker
from civicpulse.post import encode_jsonl
from civicpulse.sources.base import Page, Rejected
from civicpulse.sources.scenario import ScenarioSource
from civicpulse.store.pseudonym import Pseudonymiser
from civicpulse.store.queries import Reader
from civicpulse.store.writer import StoreWriter
from civicpulse.testing import MemorySource, make_post, read_all
from tests.pipeline.worker_sources import Impostor, Numbers, alive, child_outlives_killed_parent

pytestmark = pytest.mark.skipif(os.name != "posix", reason="worker processes need POSIX pipes")


def _worker(source: Numbers | ScenarioSource) -> WorkerSource:
    spec = source.spec()
    assert spec is not None
    return WorkerSource(source, spec)


def test_pages_match_the_source_in_process_in_order_with_rejections() -> None:
    expected = read_all(Numbers(40), limit=7)
    worker = _worker(Numbers(40))
    try:
        got = read_all(worker, limit=7)
    finally:
        worker.close()
    assert encode_jsonl(got[0]) == encode_jsonl(expected[0])
    assert got[1] == expected[1]
    assert got[2] == expected[2]
    assert worker.pid is None, "the child is reaped once the source is done"


def test_a_scenario_resumes_from_a_cursor_like_the_in_process_source() -> None:
    def source() -> ScenarioSource:
        return ScenarioSource("city-riot", seed=3, scale=0.05, max_posts=900)

    whole, _, _ = read_all(source(), limit=250)
    assert len(whole) == 900
    worker = _worker(source())
    try:
        first = worker.fetch(None, 250)
        # Asking for another cursor (a resume after a crash) restarts the child from there.
        rest, _, cursors = read_all(worker, limit=250, cursor="400")
    finally:
        worker.close()
    assert encode_jsonl(first.posts) == encode_jsonl(whole[:250])
    assert encode_jsonl(rest) == encode_jsonl(whole[400:])
    assert cursors[-1] == "900"


def test_an_invalid_post_from_the_child_is_quarantined_with_its_payload() -> None:
    worker = _worker(Numbers(10, mode="naive"))
    try:
        posts, rejected, _ = read_all(worker, limit=7)
    finally:
        worker.close()
    assert "test:3" not in {p.id for p in posts}
    bad = [r for r in rejected if r.reason.startswith("invalid post")]
    assert len(bad) == 1
    assert b'"text":"no time zone"' in bad[0].raw
    assert bad[0].stage == "parse"


def test_a_civicpulse_error_in_the_child_keeps_its_class_message_and_fix() -> None:
    worker = _worker(Numbers(40, mode="fail"))
    with pytest.raises(UsageError) as raised:
        read_all(worker, limit=7)
    assert raised.value.message == "the test feed went away"
    assert raised.value.fix == "reconnect the test feed"
    assert worker.pid is None


def test_a_bug_in_the_child_names_the_exception(capfd: pytest.CaptureFixture[str]) -> None:
    worker = _worker(Numbers(40, mode="bug"))
    with pytest.raises(PipelineError, match="ZeroDivisionError: division by zero in a plug-in"):
        read_all(worker, limit=7)
    assert "Traceback" in capfd.readouterr().err


def test_a_child_that_dies_is_reported_with_how_it_died() -> None:
    worker = _worker(Numbers(40, mode="crash"))
    with pytest.raises(PipelineError, match="killed by SIGKILL") as raised:
        read_all(worker, limit=7)
    assert "source_worker = false" in raised.value.fix


def test_close_and_ctrl_c_leave_no_child_behind() -> None:
    worker = _worker(Numbers(10_000, mode="slow"))
    worker.fetch(None, 7)
    pid = worker.pid
    assert pid is not None
    os.kill(pid, signal.SIGINT)  # Ctrl-C reaches the whole process group; the parent decides
    assert worker.fetch("7", 7).cursor == "14"
    worker.close()
    assert not alive(pid)


@pytest.mark.slow
def test_the_child_dies_with_its_parent_even_on_sigkill(tmp_path: Path) -> None:
    script = ("import sys, time\n"
              "from tests.pipeline.worker_sources import Numbers\n"
              "from civicpulse.pipeline.worker import WorkerSource\n"
              "source = Numbers(10_000, mode='slow')\n"
              "worker = WorkerSource(source, source.spec())\n"
              "worker.fetch(None, 7)\n"
              "print(worker.pid, flush=True)\n"
              "time.sleep(60)\n")
    assert not child_outlives_killed_parent(script), "the worker outlived its parent"


def test_sources_that_cannot_be_rebuilt_stay_in_process() -> None:
    memory = MemorySource([make_post(1)])
    assert in_worker(memory) is memory
    impostor = Impostor()
    assert in_worker(impostor) is impostor
    assert in_worker(ScenarioSource("city-riot", truth_dir=Path("truth"))).spec() is None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    assert isinstance(in_worker(Numbers(3)), WorkerSource) == (cores > 1)


def test_frames_round_trip_posts_and_rejections() -> None:
    page = Page(posts=[make_post(1), make_post(2)], rejected=[Rejected.of("bad", b"\xff\x00", "line 3")],
                cursor="c", done=True, stream_time=1.5)
    assert decode_page(encode_page(page)) == page


def test_a_pipeline_stores_everything_from_a_worker_and_commits_its_cursor(engine: Engine) -> None:
    source = in_worker(Numbers(300))
    pipeline = Pipeline(source, StoreWriter(engine), Pseudonymiser(b"k" * 32), batch_size=50,
                        max_latency_s=0.05, cursor_name="worker-test")
    stats = pipeline.run()
    assert (stats.stored, stats.quarantined) == (240, 60)
    assert Reader(engine).post_count() == 240
    assert Reader(engine).cursor("worker-test") == "300"


_JSON_VALUES = st.one_of(st.text(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                         st.booleans(), st.none())


@given(st.text(), st.dictionaries(st.text(), _JSON_VALUES), st.binary(max_size=200), st.text())
def test_any_post_text_payload_and_rejection_survive_the_frame(text: str, raw: dict[str, object], bad: bytes,
                                                               location: str) -> None:
    # Raw payloads are JSON (NaN and infinity are not, and are stored as null in-process too).
    post = make_post(1, text).replace(raw=raw)
    page = Page(posts=[post], rejected=[Rejected.of("bad", bad, location)], cursor=text, done=False)
    back = decode_page(encode_page(page))
    assert back == page
