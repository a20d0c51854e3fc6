"""Replaying a stream at real time, N times faster, or as fast as possible."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator

from civicpulse.post import Post

__all__ = ["replay"]


def replay(posts: Iterable[Post], speed: float | None, *, sleep: Callable[[float], None] = time.sleep,
           monotonic: Callable[[], float] = time.monotonic) -> Iterator[Post]:
    """Yield ``posts`` paced by their ``created_at``: ``speed`` 1 is real time, 60 is 60x, None is max."""
    if speed is None:
        yield from posts
        return
    if speed <= 0:
        raise ValueError("speed must be positive")
    origin: tuple[float, float] | None = None
    for post in posts:
        stamp = post.created_at.timestamp()
        if origin is None:
            origin = (stamp, monotonic())
        due = origin[1] + (stamp - origin[0]) / speed
        wait = due - monotonic()
        if wait > 0:
            sleep(wait)
        yield post
