"""Test doubles shipped with the package: an in-memory source, a frozen clock, a post factory.

Plug-in authors use these to test their analysers, detectors and sinks the way civicpulse's own
tests do, without files, networks or wall-clock time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from civicpulse.detectors.base import Signal
from civicpulse.post import Author, Post
from civicpulse.sources.base import Page, Rejected, Source

__all__ = ["CollectingSink", "FrozenClock", "MemorySource", "make_post", "read_all"]


def make_post(n: int = 0, text: str = "hello", *, author: str = "acct-1", platform: str = "test",
              at: datetime | None = None) -> Post:
    """A minimal valid post; ``n`` makes the id and (by default) the time distinct."""
    created = at or datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=n)
    return Post(id=f"{platform}:{n}", platform=platform, created_at=created,
                author=Author(id=author, handle=f"@{author}"), text=text)


def read_all(source: Source, limit: int = 10_000, cursor: str | None = None,
             max_pages: int = 100_000) -> tuple[list[Post], list[Rejected], list[str]]:
    """Fetch pages until ``done``: the posts, the rejections and every cursor handed out."""
    posts: list[Post] = []
    rejected: list[Rejected] = []
    cursors: list[str] = []
    for _ in range(max_pages):
        page = source.fetch(cursor, limit)
        posts += page.posts
        rejected += page.rejected
        if page.cursor is None:
            raise AssertionError("a page without a cursor: the source cannot be resumed")
        cursors.append(page.cursor)
        cursor = page.cursor
        if page.done:
            return posts, rejected, cursors
    raise AssertionError("the source never finished")


class MemorySource(Source):
    """Serves a fixed list of posts and rejections; the cursor is the index of the next item."""

    name: ClassVar[str] = "memory"

    def __init__(self, items: Sequence[Post | Rejected]) -> None:
        self.items = list(items)

    def fetch(self, cursor: str | None, limit: int) -> Page:
        start = int(cursor or 0)
        chunk = self.items[start:start + limit]
        end = start + len(chunk)
        return Page(posts=[i for i in chunk if isinstance(i, Post)],
                    rejected=[i for i in chunk if isinstance(i, Rejected)],
                    cursor=str(end), done=end >= len(self.items))

    def total_hint(self) -> int:
        return len(self.items)


class FrozenClock:
    """A clock that moves only when told to."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class CollectingSink:
    """Keeps everything a pipeline hands to its sinks."""

    def __init__(self) -> None:
        self.posts: list[Post] = []
        self.signals: list[Signal] = []

    def consume(self, posts: Sequence[Post], signals: Sequence[Signal]) -> None:
        self.posts.extend(posts)
        self.signals.extend(signals)
