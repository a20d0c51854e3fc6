"""The detector contract: ``update_many(posts, now) -> list[Signal]``, then read its state.

Detectors watch the enriched stream and raise signals (events, rumours, alerts). They take the
current time from the pipeline's injected clock (``now``), never from the wall clock, so a scenario
replayed at any speed gives identical results. ``snapshot``/``restore`` let detector state survive
a restart.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from civicpulse.detectors.area import AreaMap
from civicpulse.post import Post

__all__ = ["STEP_S", "Detector", "Signal", "stream_steps"]

#: Stream time fed to detectors in one call, by the pipeline and by ``eval detection`` alike. It must
#: be short next to their windows (the events detector's is 120 s): a call's ``now`` is its step's end,
#: and a post older than the window at ``now`` is no longer counted.
STEP_S = 2.0


def stream_steps(posts: Iterable[Post], step_s: float = STEP_S) -> Iterator[tuple[list[Post], datetime]]:
    """``posts`` (in time order) cut into steps of ``step_s`` seconds of stream time from the first
    post's, each with its end as ``now``; a quiet stretch gives empty steps, so that time still moves
    for the detectors (an event fades and closes without posts)."""
    step = timedelta(seconds=step_s)
    batch: list[Post] = []
    step_end: datetime | None = None
    for post in posts:
        if step_end is None:
            step_end = post.created_at + step
        while post.created_at >= step_end:
            yield batch, step_end
            batch = []
            step_end += step
        batch.append(post)
    if step_end is not None:
        yield batch, step_end


@dataclass(frozen=True, slots=True)
class Signal:
    """Something a detector noticed. ``kind`` is e.g. ``event``, ``rumour`` or ``alert``."""

    detector: str
    kind: str
    key: str
    at: datetime
    summary: str
    post_ids: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)


class Detector(ABC):
    name: ClassVar[str]
    version: ClassVar[int] = 1
    requires: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def update_many(self, posts: Sequence[Post], now: datetime) -> list[Signal]:
        """Feed a batch; return the signals it raised."""

    def snapshot(self) -> bytes:
        """Serialised state; the default says the detector is stateless."""
        return b""

    def restore(self, state: bytes) -> None:  # noqa: B027 - stateless default
        """Load state written by :meth:`snapshot`."""

    def use_area(self, area: AreaMap) -> None:  # noqa: B027 - most detectors have no use for it
        """The operation's area (its districts and their landmarks), when one is known."""
