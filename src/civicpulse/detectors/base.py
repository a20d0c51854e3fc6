"""The detector contract: ``update_many(posts, now) -> list[Signal]``, then read its state.

Detectors watch the enriched stream and raise signals (events, rumours, alerts). They take the
current time from the pipeline's injected clock (``now``), never from the wall clock, so a scenario
replayed at any speed gives identical results. ``snapshot``/``restore`` let detector state survive
a restart.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from civicpulse.detectors.area import AreaMap
from civicpulse.post import Post

__all__ = ["STEP_S", "Detector", "Signal"]

#: Stream time fed to detectors in one call, by the pipeline and by ``eval detection`` alike. It must
#: be short next to their windows (the events detector's is 120 s): a call's ``now`` is its step's end,
#: and a post older than the window at ``now`` is no longer counted.
STEP_S = 2.0


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
