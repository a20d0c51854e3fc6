"""Stream time for the detectors: posts, read in batches of any size, cut into the same steps.

Detectors take ``now`` from their caller (an injected clock), and a pipeline has no clock but the
posts' own dates. :class:`StreamClock` turns those dates into steps of :data:`STEP_S` seconds, each
step's posts with its end as ``now``, so that:

- **the steps do not depend on how the stream was read.** The grid of steps starts at the first post
  (the earliest of the first ``witnesses``) and is carried from batch to batch; the last step of a
  batch is held until a later post (or :meth:`StreamClock.flush`) ends it. A scenario replayed at
  any speed, a file read in batches of any size and ``civicpulse eval detection`` all give the
  detectors exactly the same calls;
- **one post dated ahead of the stream does not move time.** A post more than ``ahead_s`` past the
  current step (a feed with the wrong time zone, a forged date) would otherwise push every
  detector's clock hours ahead, and the stream's real posts would all count as too old for their
  windows until it caught up. Such a post waits, stored but not yet shown to the detectors, until
  the stream reaches its time. Time jumps to the waiting posts only when the stream itself has
  moved on: posts from ``witnesses`` different accounts are waiting, or that many posts arrived and
  none at the old time (a quiet night ends, a replay skips ahead). Waiting posts are bounded
  (``max_held``); past the bound, and at the end of the stream, the earliest are shown at the
  current time, where the detectors count them as dated in the future and say so;
- **a quiet stretch costs one call a minute** of stream time (``quiet_every_s``), not one every
  step: the detectors still see time pass (events fade and close), and a sparse export spanning
  months stays cheap.
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from civicpulse.detectors.base import STEP_S
from civicpulse.post import Post

__all__ = ["AHEAD_S", "QUIET_CALL_EVERY_S", "Step", "StreamClock", "replay_steps", "steps_of"]

#: The posts of one step, in time order, and the step's end (the detectors' ``now``).
Step = tuple[list[Post], datetime]

#: A post this far past the current step moves time at once; further ahead, it waits for witnesses.
#: Half the events detector's two-minute window: a post that moves time on its own cannot put the
#: posts of the step before it out of that window.
AHEAD_S = 60.0

#: In a quiet stretch, detectors are still called once per this much stream time.
QUIET_CALL_EVERY_S = 60.0

#: Chunk size when a whole stream is replayed (any size gives the same steps; this bounds memory).
_REPLAY_CHUNK = 4096


class StreamClock:
    def __init__(self, step_s: float = STEP_S, *, ahead_s: float = AHEAD_S, witnesses: int = 3,
                 max_held: int = 10_000, quiet_every_s: float = QUIET_CALL_EVERY_S) -> None:
        self._step = timedelta(seconds=step_s)
        self._ahead = timedelta(seconds=ahead_s)
        self._quiet = timedelta(seconds=quiet_every_s)
        self.witnesses = witnesses
        self.max_held = max_held
        #: The end of the step being filled; ``None`` before the first post.
        self._end: datetime | None = None
        self._pending: list[Post] = []
        #: The first posts, until there are enough to start the grid.
        self._opening: list[Post] = []
        self._last_call: datetime | None = None
        #: Posts dated too far ahead, earliest first: (date, arrival, post).
        self._held: list[tuple[datetime, int, Post]] = []
        self._held_accounts: Counter[str] = Counter()
        self._arrivals = itertools.count()
        #: Whether a post within reach of the current step arrived since the first waiting one.
        self._stream_went_on = False
        #: ``held_ahead``: posts that had to wait; ``shown_ahead``: posts shown before their time.
        self.counters: dict[str, int] = {"held_ahead": 0, "shown_ahead": 0}

    @property
    def held(self) -> int:
        """Posts dated ahead of the stream, waiting for it to reach them."""
        return len(self._held)

    def feed(self, posts: Iterable[Post]) -> list[Step]:
        """The steps that ``posts`` (in any order) complete; the unfinished last one is kept."""
        out: list[Step] = []
        for post in sorted(posts, key=_date):
            self._place(post, out)
        return out

    def flush(self) -> list[Step]:
        """The end of the stream: the step being filled, with any posts still waiting shown in it."""
        out: list[Step] = []
        if self._opening:
            self._begin(out)
        while self._held:
            self._show_early(out)
        if self._end is not None and self._pending:
            self._emit(self._pending, self._end, out)
            self._pending = []
        return out

    # -- placing posts -----------------------------------------------------------------------------

    def _start(self, post: Post, out: list[Step]) -> None:
        """Before the grid exists: it starts at the earliest of the first ``witnesses`` posts, so
        that a first post with a wrong clock cannot set it hours ahead of the stream."""
        self._opening.append(post)
        if len(self._opening) >= self.witnesses:
            self._begin(out)

    def _begin(self, out: list[Step]) -> None:
        opening, self._opening = sorted(self._opening, key=_date), []
        self._end = opening[0].created_at + self._step
        for post in opening:
            self._place(post, out)

    def _place(self, post: Post, out: list[Step]) -> None:
        at = post.created_at
        if self._end is None:
            self._start(post, out)
            return
        if at < self._end:  # this step, or late: the detectors judge how late
            self._pending.append(post)
            self._stream_went_on = True
            return
        if self._within_reach(at):
            self._move_to(at, out)
            self._pending.append(post)
            self._stream_went_on = True
            return
        self._hold(post, out)

    def _within_reach(self, at: datetime) -> bool:
        return self._end is not None and at - self._end < self._ahead

    def _hold(self, post: Post, out: list[Step]) -> None:
        if not self._held:
            self._stream_went_on = False
        heapq.heappush(self._held, (post.created_at, next(self._arrivals), post))
        self._held_accounts[post.author.id] += 1
        self.counters["held_ahead"] += 1
        moved_on = len(self._held_accounts) >= self.witnesses or (
            len(self._held) >= self.witnesses and not self._stream_went_on)
        if moved_on:
            self._move_to(self._held[0][0], out)
            while self._held and self._within_reach(self._held[0][0]):  # the rest of the jump
                self._place(self._pop_held(), out)
            self._stream_went_on = False  # for the posts still waiting, further ahead
        elif len(self._held) > self.max_held:
            self._show_early(out)

    def _show_early(self, out: list[Step]) -> None:
        """Show the earliest waiting post at the current time, as a post dated in the future."""
        post = self._pop_held()
        self.counters["shown_ahead"] += 1
        self._pending.append(post)

    def _pop_held(self) -> Post:
        _, _, post = heapq.heappop(self._held)
        self._held_accounts[post.author.id] -= 1
        if not self._held_accounts[post.author.id]:
            del self._held_accounts[post.author.id]
        return post

    def _move_to(self, at: datetime, out: list[Step]) -> None:
        """End the current step and the empty ones after it, up to the step that holds ``at``."""
        assert self._end is not None
        self._emit(self._pending, self._end, out)
        self._pending = []
        steps = (at - self._end) // self._step + 1
        final, end = self._end + steps * self._step, self._end + self._step
        while end < final:  # empty steps: one call per quiet_every_s
            if self._last_call is None or end - self._last_call >= self._quiet:
                out.append(([], end))
                self._last_call = end
                end += self._step
            else:
                behind = self._last_call + self._quiet - end
                end += max(1, -(-behind // self._step)) * self._step
        self._end = final
        while self._held and self._held[0][0] < self._end:  # the stream has reached them
            self._pending.append(self._pop_held())

    def _emit(self, posts: list[Post], end: datetime, out: list[Step]) -> None:
        if posts or self._last_call is None or end - self._last_call >= self._quiet:
            out.append((posts, end))
            self._last_call = end


def steps_of(posts: Iterable[Post], step_s: float = STEP_S) -> list[Step]:
    """``posts`` (one batch, any order) as a whole stream: every step, the last one included."""
    clock = StreamClock(step_s)
    return clock.feed(posts) + clock.flush()


def replay_steps(posts: Iterable[Post], step_s: float = STEP_S) -> Iterator[Step]:
    """A whole stream's steps, read a chunk at a time (the same steps as one :meth:`StreamClock.feed`)."""
    clock = StreamClock(step_s)
    iterator = iter(posts)
    while chunk := list(itertools.islice(iterator, _REPLAY_CHUNK)):
        yield from clock.feed(chunk)
    yield from clock.flush()


def _date(post: Post) -> datetime:
    return post.created_at
