"""Reading a source in a worker process, so that generating or parsing gets a core of its own.

The pipeline's threads share one interpreter (one GIL); a scenario generator or a JSON parser in the
same process competes with the pseudonymiser and the store writer for it. :func:`in_worker` wraps any
source that says how to rebuild itself (:meth:`~civicpulse.sources.base.Source.spec`) in a
:class:`WorkerSource`, which starts ``python -m civicpulse.pipeline.worker`` and receives its pages:

    parent (pipeline reader thread)                 child (this module's main)
    fetch(cursor, limit) ──── header on stdin ────▶ source = registry.get(name)(*args, **options)
                         ◀─── page frames ────────  loop: page = source.fetch(cursor, limit)

Each frame is one page encoded with msgspec (JSON: the posts' own wire format, and a post that fails
validation in the parent is quarantined with its JSON as the raw payload); the pipe is the bounded
queue: the child blocks on a full pipe, so it runs at most a page or two ahead. The cursor of every
page is still committed by the parent's writer with that page's posts, so a crash anywhere re-reads
at most the pages in flight, exactly as in-process; fetching from another cursor restarts the child.

Lifetime: the child ignores SIGINT/SIGTERM (the parent decides when reading stops, so Ctrl-C still
drains gracefully), and exits as soon as its stdin reaches end-of-file, which happens when the parent
closes it or dies for any reason, SIGKILL included: no orphans. A source error in the child comes
back as the same :class:`~civicpulse.errors.CivicpulseError` (message and fix) or as a
:class:`~civicpulse.errors.PipelineError` naming the exception; a child that dies without a word
(killed, out of memory) is reported with its exit status.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import select
import signal
import struct
import subprocess
import sys
import threading
import traceback
import weakref
from collections.abc import Callable
from typing import IO, Any, ClassVar

import msgspec

from civicpulse import errors
from civicpulse.errors import CivicpulseError, PipelineError
from civicpulse.pipeline.gc_tuning import streaming_gc
from civicpulse.post import Post
from civicpulse.registry import sources
from civicpulse.sources.base import Page, Rejected, Source, SourceSpec

__all__ = ["HEADER", "ChildFailure", "WorkerSource", "child_error", "child_failure", "child_streams", "cores",
           "how_child_ended", "in_worker", "receive_frame", "send_frame", "serve_child", "stop_child"]

# A frame: 4-byte big-endian payload length, 1-byte kind, payload.
HEADER = struct.Struct(">IB")
_PAGE, _FAILURE = 0, 1
#: How long the child waits between checks that its parent is still the same process.
_WATCH_S = 1.0


class _Header(msgspec.Struct, frozen=True):
    """What the parent tells a new child: which source, from where, how many posts a page."""

    spec: SourceSpec
    cursor: str | None
    limit: int
    parent: int


class _Rejected(msgspec.Struct, array_like=True):
    reason: str
    raw: bytes
    location: str
    stage: str


class _Page(msgspec.Struct, array_like=True):
    posts: list[Post]
    rejected: list[_Rejected]
    cursor: str | None
    done: bool
    stream_time: float | None


class _LoosePage(msgspec.Struct, array_like=True):
    """The same frame with each post left undecoded, to isolate the ones that fail validation."""

    posts: list[msgspec.Raw]
    rejected: list[_Rejected]
    cursor: str | None
    done: bool
    stream_time: float | None


class ChildFailure(msgspec.Struct, frozen=True):
    kind: str
    message: str
    fix: str = ""
    civicpulse: bool = False


_encoder = msgspec.json.Encoder()
_page_decoder = msgspec.json.Decoder(_Page)
_loose_decoder = msgspec.json.Decoder(_LoosePage)
_post_decoder = msgspec.json.Decoder(Post)


def in_worker(source: Source) -> Source:
    """``source`` read in a worker process when it can be rebuilt there and a second core exists;
    otherwise ``source`` itself (stdin, injected test doubles, single-core machines, non-POSIX)."""
    spec = source.spec()
    if spec is None or os.name != "posix" or cores() < 2:
        return source
    if spec.module == "__main__":
        # A script's own source: the child can import it only under the name ``python -m`` ran it as.
        main_spec = getattr(sys.modules["__main__"], "__spec__", None)
        if main_spec is None:
            return source
        spec = msgspec.structs.replace(spec, module=main_spec.name)
    try:
        registered = sources.get(spec.name)
    except CivicpulseError:
        return source
    if registered is not type(source):
        return source
    return WorkerSource(source, spec)


def cores() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)


class WorkerSource(Source):
    """Delivers the pages of ``source``, fetched by a child process rebuilt from ``spec``."""

    name: ClassVar[str] = "worker"

    def __init__(self, source: Source, spec: SourceSpec) -> None:
        self._spec = spec
        self._description = source.describe()
        self._total = source.total_hint()
        self._process: subprocess.Popen[bytes] | None = None
        self._stop_process: weakref.finalize[Any, Any] | None = None
        #: The (cursor, limit) the running child will answer next; another one restarts it.
        self._next: tuple[str | None, int] | None = None

    def fetch(self, cursor: str | None, limit: int) -> Page:
        if self._process is None or self._next != (cursor, limit):
            self._start(cursor, limit)
        assert self._process is not None
        assert self._process.stdout is not None
        kind, payload = receive_frame(self._process.stdout)
        if kind is None:
            raise self._crashed()
        if kind == _FAILURE:
            self.close()
            raise child_error(msgspec.json.decode(payload, type=ChildFailure), f"the {self._spec.name} source",
                              "source_worker")
        page = decode_page(payload)
        self._next = (page.cursor if page.cursor is not None else cursor, limit)
        if page.done:
            self.close()
        return page

    def describe(self) -> str:
        return self._description

    def total_hint(self) -> int | None:
        return self._total

    def spec(self) -> SourceSpec:
        return self._spec

    def close(self) -> None:
        """Stop the child: end-of-file on its stdin ends it; SIGKILL if it does not go at once."""
        if self._stop_process is not None:
            self._stop_process()
        self._process = self._stop_process = None
        self._next = None

    @property
    def pid(self) -> int | None:
        """The running child's process id (for tests and diagnostics)."""
        return self._process.pid if self._process is not None else None

    # -- internals -------------------------------------------------------------------------------------

    def _start(self, cursor: str | None, limit: int) -> None:
        self.close()
        environment = dict(os.environ)
        # The child must import exactly the plug-ins this process can (a test's or a script's path).
        paths = [p for p in sys.path if p]
        environment["PYTHONPATH"] = os.pathsep.join([*paths, environment.get("PYTHONPATH", "")])
        process = subprocess.Popen([sys.executable, "-m", "civicpulse.pipeline.worker"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, env=environment)
        self._process = process
        self._stop_process = weakref.finalize(self, stop_child, process)
        header = _Header(spec=self._spec, cursor=cursor, limit=limit, parent=os.getpid())
        assert process.stdin is not None
        try:
            process.stdin.write(_encoder.encode(header) + b"\n")
            process.stdin.flush()
        except BrokenPipeError:
            raise self._crashed() from None
        self._next = (cursor, limit)

    def _crashed(self) -> PipelineError:
        how = how_child_ended(self._process, "stopped sending pages")
        self.close()
        return PipelineError(
            f"the worker process reading the {self._spec.name} source {how} before the source was finished",
            fix="look above for its error output; if the system killed it for memory, lower batch_size; "
                "set source_worker = false to read the source in-process",
        )


def how_child_ended(process: subprocess.Popen[bytes] | None, silent: str) -> str:
    """How a worker child that stopped answering ended, for the error message (waits up to 5 s);
    ``silent`` when it is still running."""
    status = None
    if process is not None:
        try:
            status = process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            status = None
    if status is not None and status < 0:
        return f"was killed by {signal.Signals(-status).name}"
    return f"exited with status {status}" if status is not None else silent


def decode_page(payload: bytes) -> Page:
    """A page frame back into a :class:`Page`; posts that fail validation become rejections."""
    rejected: list[Rejected]
    try:
        frame = _page_decoder.decode(payload)
        posts = frame.posts
        rejected = []
    except msgspec.ValidationError:
        loose = _loose_decoder.decode(payload)
        posts, rejected = [], []
        for raw in loose.posts:
            try:
                posts.append(_post_decoder.decode(raw))
            except msgspec.ValidationError as error:
                rejected.append(Rejected.of(f"invalid post: {error}", bytes(raw), stage="parse"))
        frame = _Page(posts, loose.rejected, loose.cursor, loose.done, loose.stream_time)
    rejected.extend(Rejected(r.reason, r.raw, r.location, r.stage) for r in frame.rejected)
    return Page(posts=posts, rejected=rejected, cursor=frame.cursor, done=frame.done, stream_time=frame.stream_time)


def encode_page(page: Page) -> bytes:
    """The frame payload for ``page`` (the inverse of :func:`decode_page`)."""
    rejected = [_Rejected(r.reason, r.raw, r.location, r.stage) for r in page.rejected]
    return _encoder.encode(_Page(page.posts, rejected, page.cursor, page.done, page.stream_time))


def receive_frame(stream: IO[bytes]) -> tuple[int | None, bytes]:
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None, b""
    length, kind = HEADER.unpack(head)
    payload = stream.read(length)
    if len(payload) < length:
        return None, b""
    return kind, payload


def send_frame(stream: IO[bytes], kind: int, payload: bytes) -> None:
    stream.write(HEADER.pack(len(payload), kind))
    stream.write(payload)
    stream.flush()


def stop_child(process: subprocess.Popen[bytes]) -> None:
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()
    try:
        process.wait(timeout=2)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def child_error(failure: ChildFailure, what: str, setting: str) -> CivicpulseError:
    """The error a child process reported, raised again in the parent.

    A :class:`~civicpulse.errors.CivicpulseError` keeps its class, message and fix; anything else
    becomes a :class:`~civicpulse.errors.PipelineError` that names ``what`` failed and the setting
    that keeps the work in-process.
    """
    if failure.civicpulse:
        cls = getattr(errors, failure.kind, None)
        if isinstance(cls, type) and issubclass(cls, CivicpulseError):
            return cls(failure.message, fix=failure.fix)
    return PipelineError(
        f"{what} failed in its worker process: {failure.kind}: {failure.message}",
        fix=failure.fix or f"the traceback is printed above; set {setting} = false to run it in-process",
    )


def child_failure(error: BaseException) -> ChildFailure:
    """What a child sends back about ``error`` (a traceback goes to stderr unless it is ours)."""
    if not isinstance(error, CivicpulseError):
        traceback.print_exc()
    return ChildFailure(kind=type(error).__name__, message=str(getattr(error, "message", error)),
                        fix=getattr(error, "fix", ""), civicpulse=isinstance(error, CivicpulseError))


# -- the child -------------------------------------------------------------------------------------------


def _watch_parent(control: IO[bytes], parent: int) -> None:
    """Exit when the parent closes our stdin or is gone (its pipe may live on in another child)."""
    while True:
        ready, _, _ = select.select([control], [], [], _WATCH_S)
        if (ready and not os.read(control.fileno(), 4096)) or os.getppid() != parent:
            os._exit(0)


def _serve(header: _Header, out: IO[bytes]) -> None:
    importlib.import_module(header.spec.module)
    source = sources.get(header.spec.name)(*header.spec.args, **header.spec.options)
    cursor = header.cursor
    try:
        while True:
            page = source.fetch(cursor, header.limit)
            send_frame(out, _PAGE, encode_page(page))
            if page.cursor is not None:
                cursor = page.cursor
            if page.done:
                return
    finally:
        source.close()


def child_streams() -> tuple[IO[bytes], IO[bytes]]:
    """A worker child's frames-out and control-in streams, set up as every worker child needs.

    The parent decides when work stops (Ctrl-C drains gracefully there), so the child ignores
    SIGINT and SIGTERM. Frames get a private copy of stdout; anything a plug-in prints goes to
    stderr instead."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return out, sys.stdin.buffer


def serve_child(serve: Callable[[], None], out: IO[bytes], failure_kind: int) -> None:
    """Run a worker child's loop; a failure goes to the parent as a ``failure_kind`` frame."""
    try:
        with streaming_gc():
            serve()
    except BrokenPipeError:
        os._exit(0)  # the parent stopped listening; nobody is left to tell
    except BaseException as error:
        failure = child_failure(error)
        with contextlib.suppress(OSError):
            send_frame(out, failure_kind, msgspec.json.encode(failure))
        os._exit(1)
    out.close()


def main() -> None:
    out, control = child_streams()
    header = msgspec.json.decode(control.readline(), type=_Header)
    threading.Thread(target=_watch_parent, args=(control, header.parent), daemon=True).start()
    serve_child(lambda: _serve(header, out), out, _FAILURE)


if __name__ == "__main__":
    main()
