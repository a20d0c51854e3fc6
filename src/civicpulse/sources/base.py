"""The source contract: ``fetch(cursor, limit) -> Page``.

A source is resumable: every page carries the opaque cursor *after* its last item, and the pipeline
stores that cursor in the same transaction as the page's posts. Restarting from the stored cursor
therefore re-delivers at most the page that was in flight (at-least-once), and idempotent writes
turn that into exactly-once storage.

A live streaming source fits the same shape: ``fetch`` blocks for at most ``wait`` seconds and
returns what arrived (possibly nothing) with ``done=False``; reconnects happen inside ``fetch``.

Items that cannot become a ``Post`` are returned as :class:`Rejected` with the reason and the raw
bytes, never dropped, so that the pipeline can quarantine them.

A source that can be rebuilt from its registered name and JSON-compatible options says how in
:meth:`Source.spec`; the pipeline then runs its ``fetch`` loop in a worker process (see
:mod:`civicpulse.pipeline.worker`), so that generating or parsing uses a core of its own.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import msgspec

from civicpulse.post import Post

__all__ = ["MAX_RAW_BYTES", "Page", "Rejected", "Source", "SourceSpec"]

#: Quarantined payloads are kept up to this size; longer ones are truncated and flagged.
MAX_RAW_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input record that could not be turned into a post, and why."""

    reason: str
    raw: bytes
    #: Where it came from (``file.jsonl:42``), so an operator can find it.
    location: str = ""
    stage: str = "parse"

    @classmethod
    def of(cls, reason: str, raw: bytes | str, location: str = "", stage: str = "parse") -> Rejected:
        data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw
        return cls(reason=reason, raw=data[:MAX_RAW_BYTES], location=location, stage=stage)


@dataclass(frozen=True, slots=True)
class Page:
    posts: list[Post] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    #: Opaque position after this page; ``None`` only when the source has not moved.
    cursor: str | None = None
    #: True when a finite source has nothing more to give.
    done: bool = False
    #: Stream time this page represents, for replay and dashboards (optional).
    stream_time: float | None = None


class SourceSpec(msgspec.Struct, frozen=True, kw_only=True):
    """How to build a registered source again in another process.

    ``module`` is imported first, so that a plug-in registered at import time is found even without an
    entry point; the source is then ``registry.sources.get(name)(*args, **options)``.
    """

    name: str
    module: str
    args: tuple[Any, ...] = ()
    options: dict[str, Any] = msgspec.field(default_factory=dict)


class Source(ABC):
    """Base class for sources. Subclasses implement :meth:`fetch` and register themselves."""

    #: Registered name, set by subclasses.
    name: ClassVar[str]

    @abstractmethod
    def fetch(self, cursor: str | None, limit: int) -> Page:
        """Return up to ``limit`` items after ``cursor`` (``None``: from the start)."""

    def describe(self) -> str:
        """One line for progress displays and logs."""
        return self.name

    def total_hint(self) -> int | None:
        """How many items the source expects to produce, if it knows (for progress bars)."""
        return None

    def spec(self) -> SourceSpec | None:
        """How to rebuild this source elsewhere, or ``None`` (the default) if it cannot be.

        Return a spec only when a fresh instance built from it, given the same cursor, yields the same
        pages as this one, and nobody reads state back from this instance while it runs.
        """
        return None

    def close(self) -> None:  # noqa: B027 - optional hook with a safe default
        """Release files or connections."""
