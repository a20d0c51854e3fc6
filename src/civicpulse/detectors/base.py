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

from civicpulse.post import Post

__all__ = ["Detector", "Signal"]


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
