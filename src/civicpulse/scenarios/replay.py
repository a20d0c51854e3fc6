"""Replaying a stream at real time, N times faster, or as fast as possible.

Pacing follows the posts' ``created_at``: the first post sets the origin, and post *p* is due
``(p.created_at - first.created_at) / speed`` seconds of wall-clock time later. The clock and the
sleep are injected, so tests never really sleep. Sleeps shorter than :data:`MIN_SLEEP_S` are merged
into the next one: a busy stream then costs a handful of sleeps a second, not one per post.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator

from civicpulse.errors import UsageError
from civicpulse.post import Post

__all__ = ["MIN_SLEEP_S", "Pacer", "replay"]

MIN_SLEEP_S = 0.005


class Pacer:
    """When each post of a stream is due, at ``speed`` times real time."""

    def __init__(self, speed: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        if not speed > 0:
            raise UsageError(f"the replay speed must be positive, not {speed}",
                             fix="use e.g. 60 for 60x real time, or no speed for as fast as possible")
        self.speed = speed
        self.monotonic = monotonic
        self._origin: tuple[float, float] | None = None

    def wait(self, post: Post) -> float:
        """Seconds until ``post`` is due (zero or less: now)."""
        stamp = post.created_at.timestamp()
        if self._origin is None:
            self._origin = (stamp, self.monotonic())
        stream0, wall0 = self._origin
        return wall0 + (stamp - stream0) / self.speed - self.monotonic()


def replay(posts: Iterable[Post], speed: float | None, *, sleep: Callable[[float], None] = time.sleep,
           monotonic: Callable[[], float] = time.monotonic) -> Iterator[Post]:
    """Yield ``posts`` paced by their ``created_at``: ``speed`` 1 is real time, 60 is 60x, None is max."""
    if speed is None:
        yield from posts
        return
    pacer = Pacer(speed, monotonic)
    for post in posts:
        wait = pacer.wait(post)
        if wait >= MIN_SLEEP_S:
            sleep(wait)
        yield post
