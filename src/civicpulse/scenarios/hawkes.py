"""Self-exciting (Hawkes) cascades: how a rumour spreads through reposts.

A cluster process: each seed post arrives at a random time within the spread window; every post then
triggers a Poisson(``branching``) number of reposts after exponentially distributed delays, written
by followers of its author. With branching < 1 the cascade dies out, with a heavy-tailed size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CascadeEvent", "simulate_cascade"]


@dataclass(frozen=True, slots=True)
class CascadeEvent:
    at: float
    author: int
    #: Index of the event this one reposts (``-1`` for a seed).
    parent: int


def simulate_cascade(rng: np.random.Generator, *, start: float, spread: float, seeds: int, branching: float,
                     kernel: float, seed_authors: np.ndarray, followers_of: list[np.ndarray],
                     end: float, cap: int = 20_000) -> list[CascadeEvent]:
    """Events sorted by time; bounded by ``cap`` and by the end of the scenario."""
    events = [CascadeEvent(float(start + t), int(a), -1)
              for t, a in zip(np.sort(rng.random(seeds) * spread), rng.choice(seed_authors, seeds), strict=True)
              if start + t < end]
    frontier = list(range(len(events)))
    while frontier and len(events) < cap:
        next_frontier = []
        for index in frontier:
            parent = events[index]
            audience = followers_of[parent.author]
            children = int(rng.poisson(branching))
            if not children or audience.size == 0:
                continue
            delays = rng.exponential(kernel, children)
            for delay, author in zip(delays, rng.choice(audience, children), strict=True):
                at = parent.at + float(delay)
                if at < end and len(events) < cap:
                    events.append(CascadeEvent(at, int(author), index))
                    next_frontier.append(len(events) - 1)
        frontier = next_frontier
    order = sorted(range(len(events)), key=lambda i: events[i].at)
    position = {old: new for new, old in enumerate(order)}
    return [CascadeEvent(events[i].at, events[i].author, position.get(events[i].parent, -1)) for i in order]
