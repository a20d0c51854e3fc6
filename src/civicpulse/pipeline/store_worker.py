"""Writing to SQLite in a worker process, so that the database's work gets a core of its own.

SQLite runs inside the process that calls it. In the pipeline's process its work (B-tree and FTS5
inserts, the commit) competes for the one interpreter with decoding, pseudonymising and analysing:
SQLite releases the GIL during a statement, but ``executemany`` takes it back for every row, so the
writer thread barely overlaps with the others. :class:`WorkerStoreWriter` sends each batch, its posts
as they are (:meth:`StoreWriter.prepare` with ``rows=False``), to ``python -m
civicpulse.pipeline.store_worker``, which builds the posts' rows and writes them with the same
:meth:`StoreWriter.write_prepared` (one transaction per batch, cursor included) and answers with
the result. Encoding a post as msgpack costs the pipeline's process half what building its row
(its JSON record included) would; that process is the pipeline's bottleneck, the child is not.

    parent (pipeline writer thread)                   child (this module's main)
    write(batch) ─── posts as one msgpack frame ───▶  writer.write_prepared(batch): rows, commit
                 ◀── inserted, duplicates, CPU ─────

Guarantees are the in-process writer's: the child commits a batch and its cursor together or not
at all, so at-least-once delivery with idempotent writes holds whatever dies when. PostgreSQL does
its work in its own server processes already, so this is for SQLite files only.

Lifetime, as for the source worker (:mod:`civicpulse.pipeline.worker`): the child runs in a process
group of its own and ignores SIGINT/SIGTERM (the parent drains gracefully and then closes it), and
exits at end-of-file on its stdin, which comes when the parent closes it or dies, SIGKILL included.
A batch it has already received is committed first (or rolled back, if it dies too); nothing
half-written remains.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
import weakref
from datetime import UTC
from typing import IO, Any

import msgspec
from sqlalchemy import Engine

from civicpulse.errors import PipelineError
from civicpulse.pipeline.worker import (
    ChildFailure,
    child_error,
    child_streams,
    cores,
    how_child_ended,
    receive_frame,
    send_frame,
    serve_child,
    stop_child,
)
from civicpulse.post import Post
from civicpulse.store.database import connect
from civicpulse.store.writer import Batch, BatchWriter, Prepared, StoreWriter, WriteResult

__all__ = ["WorkerStoreWriter", "frame_for_child", "store_writer"]

_BATCH, _RESULT, _FAILURE = 0, 1, 2
#: How long the child waits between checks that its parent is still the same process.
_WATCH_S = 1.0


class _Header(msgspec.Struct, frozen=True):
    url: str
    parent: int


class _Result(msgspec.Struct, array_like=True):
    inserted: int
    duplicates: int
    quarantined: int
    #: Only when there were duplicates (the pipeline then passes just the new posts to its sinks).
    inserted_ids: list[str]
    #: The child's CPU time so far and its peak resident memory, for ``civicpulse bench``.
    cpu_s: float
    peak_rss_mb: float


_encoder = msgspec.msgpack.Encoder()
_prepared_decoder = msgspec.msgpack.Decoder(Prepared)
_result_decoder = msgspec.msgpack.Decoder(_Result)


def store_writer(engine: Engine, worker: bool = True, operation_id: str | None = None) -> BatchWriter:
    """A writer for ``engine``: in a worker process for an SQLite file when ``worker`` is on and a
    second core exists; otherwise in the pipeline's own process. ``operation_id``: the operation
    the records are collected for (it travels with each prepared batch)."""
    url = engine.url
    in_file = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if not worker or not in_file or os.name != "posix" or cores() < 2:
        return StoreWriter(engine, operation_id)
    return WorkerStoreWriter(engine, operation_id)


class WorkerStoreWriter:
    """Prepares batches here and writes them in a child process that has its own connection."""

    def __init__(self, engine: Engine, operation_id: str | None = None) -> None:
        self._local = StoreWriter(engine, operation_id)
        self._url = engine.url.render_as_string(hide_password=False)
        self._process: subprocess.Popen[bytes] | None = None
        self._stop_process: weakref.finalize[Any, Any] | None = None
        #: CPU seconds and peak resident memory of the current child (reported with each result).
        self.child_cpu_s = 0.0
        self.child_peak_rss_mb = 0.0
        # Started now, so that its imports overlap with the pipeline's start instead of the first batch.
        self._start()

    @property
    def pid(self) -> int | None:
        """The running child's process id (for tests and diagnostics)."""
        return self._process.pid if self._process is not None else None

    def prepare(self, batch: Batch) -> Prepared:
        # The posts' rows are built in the child: encoding a post costs half what its row would here.
        return self._local.prepare(batch, rows=False)

    def write(self, batch: Batch) -> WriteResult:
        return self.write_prepared(self.prepare(batch))

    def write_prepared(self, batch: Prepared) -> WriteResult:
        payload = frame_for_child(self._local, batch)
        if self._process is None:
            self._start()
        process = self._process
        assert process is not None
        assert process.stdin is not None
        assert process.stdout is not None
        try:
            send_frame(process.stdin, _BATCH, payload)
        except BrokenPipeError:
            raise self._crashed() from None
        kind, answer = receive_frame(process.stdout)
        if kind is None:
            raise self._crashed()
        if kind == _FAILURE:
            self.close()
            raise child_error(msgspec.json.decode(answer, type=ChildFailure), "the store writer", "store_worker")
        result = _result_decoder.decode(answer)
        self.child_cpu_s, self.child_peak_rss_mb = result.cpu_s, result.peak_rss_mb
        return WriteResult(inserted=result.inserted, duplicates=result.duplicates, quarantined=result.quarantined,
                           inserted_ids=result.inserted_ids)

    def close(self) -> None:
        """End-of-file on the child's stdin: it finishes (there is no batch in flight) and exits."""
        if self._stop_process is not None:
            self._stop_process()
        self._process = self._stop_process = None

    def _start(self) -> None:
        self.close()
        environment = dict(os.environ)
        paths = [p for p in sys.path if p]
        environment["PYTHONPATH"] = os.pathsep.join([*paths, environment.get("PYTHONPATH", "")])
        # Its own process group: a Ctrl-C at the terminal reaches the pipeline, which drains and then
        # closes the child, and not the child itself (not even while it is still starting up).
        process = subprocess.Popen([sys.executable, "-m", "civicpulse.pipeline.store_worker"],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment, process_group=0)
        self._process = process
        self._stop_process = weakref.finalize(self, stop_child, process)
        assert process.stdin is not None
        try:
            process.stdin.write(msgspec.json.encode(_Header(url=self._url, parent=os.getpid())) + b"\n")
            process.stdin.flush()
        except BrokenPipeError:
            raise self._crashed() from None

    def _crashed(self) -> PipelineError:
        how = how_child_ended(self._process, "stopped answering")
        self.close()
        return PipelineError(
            f"the store writer's worker process {how}; the batch it held was committed whole or not at all",
            fix="look above for its error output; run again to resume from the stored cursor; "
                "set store_worker = false to write from the pipeline's own process",
        )


def frame_for_child(local: StoreWriter, batch: Prepared) -> bytes:
    """``batch`` as the child receives it: one msgpack frame, its posts as they are (the child builds
    their rows). Built here instead, for the whole batch so that its order stays, when msgpack
    cannot carry a post as JSON would store it: a time with an offset (msgpack keeps only the
    instant) or an integer beyond 64 bits (a raw payload may hold one)."""
    if all(map(_utc_times, batch.unprepared)):
        try:
            return _encoder.encode(batch)
        except OverflowError:
            pass
    return _encoder.encode(local.with_rows(batch))


def _utc_times(post: Post) -> bool:
    account_created = post.author.created_at
    return post.created_at.tzinfo is UTC and (account_created is None or account_created.tzinfo is UTC)


# -- the child -------------------------------------------------------------------------------------------


def _watch_parent(parent: int) -> None:
    """Exit when the parent is gone even if its pipe lives on (our stdin's end-of-file is the usual way)."""
    while True:
        time.sleep(_WATCH_S)
        if os.getppid() != parent:
            os._exit(0)


def _serve(header: _Header, control: IO[bytes], out: IO[bytes]) -> None:
    engine = connect(header.url)
    writer = StoreWriter(engine)
    try:
        while True:
            kind, payload = receive_frame(control)
            if kind is None:
                return
            result = writer.write_prepared(_prepared_decoder.decode(payload))
            ids = result.inserted_ids if result.duplicates else []
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            send_frame(out, _RESULT, _encoder.encode(_Result(result.inserted, result.duplicates, result.quarantined,
                                                             ids, time.process_time(), peak_mb)))
    finally:
        engine.dispose()


def main() -> None:
    out, control = child_streams()
    header = msgspec.json.decode(control.readline(), type=_Header)
    threading.Thread(target=_watch_parent, args=(header.parent,), daemon=True).start()
    serve_child(lambda: _serve(header, control, out), out, _FAILURE)


if __name__ == "__main__":
    main()
