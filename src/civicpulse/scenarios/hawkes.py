"""Self-exciting (Hawkes) cascades: how rumours, appeals and eyewitness posts spread by reposts.

The cluster representation of a Hawkes process with an exponential kernel: every post of a cascade
begets a Poisson number of offspring with mean ``branching × mark``, each after ``5 s + Exp(kernel)``;
offspring beget their own, so the intensity of a cascade at time t is
``Σ_i branching·mark_i·exp(-(t - t_i)/kernel)/kernel`` over its earlier posts ``t_i``. ``mark`` is the
parent poster's influence (more followers, more reposts), normalised to mean 1 over the accounts that
repost (see :mod:`~civicpulse.scenarios.population`), so ``branching`` < 1 is the branching ratio
and every cascade dies out. Offspring are written by followers of the parent's poster.

Most offspring repost (their content is the parent's, root included); some reply or quote with a
reaction of their own. After a rumour's denial only a share of would-be offspring happen, and the
reactions turn from support to denial. Offspring are grown generation by generation inside the
current window; those that fall later are returned to wait for their window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from civicpulse.scenarios.events import QUOTE, REPLY, REPOST, Events
from civicpulse.scenarios.plan import Cascade
from civicpulse.scenarios.population import Population

__all__ = ["MIN_DELAY_S", "CascadeTable", "grow"]

#: Nobody reposts faster than this: it keeps offspring strictly after their parent in the stream.
MIN_DELAY_S = 5.0
_CONTENT = ("ctype", "cref", "sent", "lang", "flags", "ka", "kb", "cauthor")


class CascadeTable:
    """The cascades' rules as arrays indexed by cascade number, plus how many posts each has had."""

    def __init__(self, cascades: Sequence[Cascade]) -> None:
        self.size = len(cascades)

        def floats(name: str) -> NDArray[np.float64]:
            return np.array([getattr(c, name) for c in cascades], dtype=np.float64).reshape(self.size)

        def ints(name: str) -> NDArray[np.int64]:
            return np.array([getattr(c, name) for c in cascades], dtype=np.int64).reshape(self.size)

        self.branching = floats("branching")
        self.kernel = floats("kernel_s")
        self.reply = floats("reply")
        self.quote = floats("quote")
        self.switch = floats("switch_s")
        self.after = floats("after")
        self.label = ints("label")
        self.ref = ints("ref")
        self.reply_kind = ints("reply_kind")
        self.quote_kind = ints("quote_kind")
        self.reply_label = ints("reply_label")
        self.cap = ints("cap")
        self.stance_before = np.array([c.stance_before for c in cascades], dtype=np.float64).reshape(self.size, 3)
        self.stance_after = np.array([c.stance_after for c in cascades], dtype=np.float64).reshape(self.size, 3)
        self.count = np.zeros(self.size, dtype=np.int64)


def grow(events: Events, t1: float, end: float, table: CascadeTable, population: Population,
         rng: np.random.Generator, new_content: Callable[[Events], None]) -> tuple[Events, Events]:
    """``events`` with their offspring before ``t1`` appended, and the offspring due later.

    Offspring refer to their parent by row (``parent_local``) in the returned events.
    """
    spilled: list[Events] = []
    frontier = np.flatnonzero(events["casc"] >= 0)
    while frontier.size and table.size:
        cascade = events["casc"][frontier].astype(np.int64)
        posters = events["poster"][frontier]
        counts = rng.poisson(table.branching[cascade] * population.mark[posters])
        total = int(counts.sum())
        if total == 0:
            break
        parents = np.repeat(frontier, counts)
        which = np.repeat(cascade, counts)
        times = events["t"][parents] + MIN_DELAY_S + rng.exponential(table.kernel[which])
        after = times >= table.switch[which]
        keep = (~after | (rng.random(total) < table.after[which])) & (times < end)
        keep = _under_cap(keep, which, table)
        parents, which, times, after = parents[keep], which[keep], times[keep], after[keep]
        children = _offspring(events, parents, which, times, after, table, population, rng, new_content)
        inside = times < t1
        if not inside.all():
            spilled.append(children.take(~inside))
        base = len(events)
        kept = children.take(inside)
        events = Events.concat([events, kept])
        frontier = base + np.flatnonzero(kept["casc"] >= 0)
    return events, Events.concat(spilled)


def _under_cap(keep: NDArray[np.bool_], which: NDArray[np.int64], table: CascadeTable) -> NDArray[np.bool_]:
    """Drop offspring past a cascade's cap (a safety net: a subcritical cascade stays far below it)."""
    fresh = np.bincount(which[keep], minlength=table.size)
    for cascade in np.flatnonzero(table.count + fresh > table.cap):
        rows = np.flatnonzero(keep & (which == cascade))
        keep[rows[max(0, int(table.cap[cascade] - table.count[cascade])):]] = False
    table.count += np.bincount(which[keep], minlength=table.size)
    return keep


def _offspring(events: Events, parents: NDArray[np.int64], which: NDArray[np.int64], times: NDArray[np.float64],
               after: NDArray[np.bool_], table: CascadeTable, population: Population, rng: np.random.Generator,
               new_content: Callable[[Events], None]) -> Events:
    n = parents.size
    parent_posters = events["poster"][parents]
    posters = population.sample_followers(rng, parent_posters)
    u = rng.random(n)
    reply = u < table.reply[which]
    quote = ~reply & (u < table.reply[which] + table.quote[which])
    relation = np.select([reply, quote], [REPLY, QUOTE], REPOST)
    stances = np.where(after[:, None], table.stance_after[which], table.stance_before[which])
    stance = (rng.random(n)[:, None] > np.cumsum(stances, axis=1)[:, :2]).sum(axis=1)
    children = Events.new(
        n, t=times, poster=posters, rel=relation, parent_local=parents, parent_poster=parent_posters,
        ctype=np.where(reply, table.reply_kind[which], table.quote_kind[which]), cref=table.ref[which],
        sent=stance, lang=population.language[posters], cauthor=posters,
        label=np.where(reply, table.reply_label[which], table.label[which]), label_ref=table.ref[which],
        casc=np.where(reply, -1, which))
    new_content(children)
    repost = relation == REPOST
    for name in _CONTENT:
        children[name] = np.where(repost, events[name][parents], children[name])
    return children
