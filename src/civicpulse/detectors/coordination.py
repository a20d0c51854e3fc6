"""Coordinated behaviour: many accounts posting near-duplicates within a short window, flagged for review.

The ``near_duplicates`` analyser has already put each post into a cluster of near-identical texts
(``near_duplicates/1`` -> ``{"cluster": id, "size": n}``); this detector computes no text similarity
of its own. Per cluster it keeps the distinct accounts that posted into it during the last
``window_s`` of post time (default 5 minutes). When ``min_accounts`` (default 16) distinct accounts
are in that window, and that is a **burst** over the cluster's own past (at least ``burst_ratio``
times what its history predicts: common phrases such as "rain again" are posted by many accounts all
day, which is their baseline, not coordination; during the first ``warmup_s`` of the stream a new
cluster must first have a past), the group is **judged**.

Near-identical text alone does not make a campaign: forty witnesses of the same fire write the same
few words, and many people share an appeal word for word. Listing those people as "possible
coordination" would put innocent accounts on a review list. So a group is flagged only when the
accounts being judged show an **indicator of inauthenticity** (:class:`Indicators`): most of them
created within one ``batch_days`` window (sockpuppets are made in a batch), most of them behaving
like bots (the :mod:`civicpulse.models.bots` model over the ``account/1`` features), or most of
them having posted in another near-duplicate group within ``repeat_s`` (a network that co-posts
again and again, after Pacheco et al. 2021 and CooRnet's repeated co-sharing). When most accounts
come without account fields, the first two cannot be judged and the group is flagged, saying so.
Groups without an indicator are counted (``counters["organic_groups"]``), not signalled;
``require_indicator=False`` flags every burst.

A flag is a ``Signal(kind="coordination", key="coordination:<cluster>")`` for a person to review,
with its evidence — the cluster, the accounts judged (pseudonyms as stored, never handles), the
group's size, the time span, an example text, the indicators, how bot-like the accounts behave
(accounts whose source gave no account fields are counted as unscored) and how close together they
were created. The cluster is judged again for a new wave of accounts at least as large as the group
last judged (a campaign joining the cluster of a rumour's organic copies is judged on its own), and
when the group forms again after falling apart (a new round of the same campaign). A flag is never
an action against anyone.

Memory is bounded whatever the stream: a cluster with one post so far costs a tuple in a capped
map (``max_pending``, dropped after ``window_s``); at most ``max_clusters`` clusters with two or
more posts are followed (the least recently active go first, and one idle for ``history_s`` is
dropped), each with at most ``max_accounts`` accounts and ``max_members`` in all; a cluster keeps its
accounts only while its group is in the window; the accounts of judged groups are remembered for
``repeat_s``, at most ``max_members`` of them. Bad input degrades the output and says so in
``details["degraded"]``: one account posting 10,000 times a minute counts once (its extra posts are
counted, not stored); a clock going backwards is ignored; posts dated in the future count at ``now``,
posts older than ``max_lag_s`` are ignored.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
import numpy as np

from civicpulse.analysers.account import features as account_features
from civicpulse.analysers.near_duplicates import cluster_of
from civicpulse.detectors.base import Detector, Signal
from civicpulse.models.bots import bot_model, feature_row
from civicpulse.post import Post
from civicpulse.registry import detectors

__all__ = ["CoordinationDetector", "Indicators"]

_STATE_VERSION = 2
_ACCOUNT = "account/1"
_TEXT_KEPT = 280
#: Accounts named in one signal; the count is always complete.
_LISTED = 200
#: Bot-likeness histogram edges.
_BINS = (0.2, 0.4, 0.6, 0.8)
#: Counters that describe the stream, not bad input.
_NOT_DEGRADED = frozenset({"evicted_clusters", "organic_groups"})

Row = tuple[float, float, float] | None


class _Member(msgspec.Struct, array_like=True):
    account: str
    first: float
    last: float
    posts: int
    post_id: str
    row: tuple[float, float, float] | None


class _Cluster(msgspec.Struct, kw_only=True):
    id: str
    example: str
    #: Accounts in the window, least recently active first (the dict keeps that order).
    members: dict[str, _Member] = msgspec.field(default_factory=dict)
    posts: int = 0
    #: Posts counted for the baseline: at most three per account while it stays in the group.
    counted: int = 0
    first_seen: float = 0.0
    extra_posts: int = 0
    accounts_capped: bool = False
    last_seen: float = 0.0
    #: Group size when last judged; 0 while no group is formed.
    judged: int = 0
    #: Post time of the last judgement: accounts that joined after it are a new wave.
    judged_at: float = 0.0
    #: Groups formed so far (a group that grows is the same group).
    groups: int = 0
    #: Whether the current group has been signalled (the next signal is then "grew").
    reported: bool = False
    rounds: int = 0


class _Pending(msgspec.Struct, array_like=True):
    cluster: str
    member: _Member
    text: str


class _Grouped(msgspec.Struct, array_like=True):
    """An account's last judged group: which cluster, which of its groups, when."""

    account: str
    cluster: str
    group: int
    at: float


class _Snapshot(msgspec.Struct):
    version: int
    now: float
    start: float
    clusters: list[_Cluster]
    pending: list[_Pending]
    rounds: list[tuple[str, int]]
    grouped: list[_Grouped]
    counters: dict[str, int]


@dataclass(frozen=True)
class Indicators:
    """What, beyond near-identical text, suggests the accounts judged are not independent people.

    Each share is over the accounts judged (``batch_created`` and ``bot_like`` over those with account
    fields); ``None`` where it could not be measured."""

    account_data: float
    batch_created: float | None
    bot_like: float | None
    repeated: float
    share: float
    batch_days: float
    repeat_s: float

    @property
    def fired(self) -> list[str]:
        names = [name for name, value in (("batch_created", self.batch_created), ("bot_like", self.bot_like),
                                          ("repeated", self.repeated)) if value is not None and value >= self.share]
        if self.account_data < self.share:
            names.append("no_account_data")
        return names

    def reasons(self) -> list[str]:
        """The fired indicators in words, as the summary and the dashboard show them."""
        words = {
            "batch_created": f"{self.batch_created or 0:.0%} created within {self.batch_days:g} days of each other",
            "bot_like": f"{self.bot_like or 0:.0%} bot-like",
            "repeated": (f"{self.repeated:.0%} were in another near-identical group in the last "
                         f"{self.repeat_s / 3600:g} h"),
            "no_account_data": "no account data to judge them by",
        }
        return [words[name] for name in self.fired]

    def as_dict(self) -> dict[str, Any]:
        return {"fired": self.fired, "reasons": self.reasons(), "account_data_share": round(self.account_data, 3),
                "batch_created_share": None if self.batch_created is None else round(self.batch_created, 3),
                "bot_like_share": None if self.bot_like is None else round(self.bot_like, 3),
                "repeated_share": round(self.repeated, 3), "threshold": self.share}


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat()


def _creation_days(members: Sequence[_Member]) -> list[float]:
    """When each account with account fields was created, in days since the epoch, sorted: its
    first post's time less its age then."""
    return sorted(m.first / 86_400.0 - m.row[0] for m in members if m.row is not None)


def _account_row(post: Post) -> Row:
    enrichment = post.enrichments.get(_ACCOUNT)
    if not isinstance(enrichment, Mapping):  # the account analyser was not in the chain: cheap to derive
        enrichment = account_features(post)
    return feature_row(enrichment)


@detectors.register("coordination")
class CoordinationDetector(Detector):
    name = "coordination"
    version = 1
    requires = ("near_duplicates",)

    def __init__(self, *, window_s: float = 300.0, min_accounts: int = 16, max_clusters: int = 5000,
                 max_pending: int = 50_000, max_accounts: int = 2000, max_members: int = 200_000,
                 max_lag_s: float = 3600.0, future_s: float = 60.0, bot_threshold: float = 0.5,
                 history_s: float = 7200.0, warmup_s: float = 900.0, burst_ratio: float = 3.0,
                 require_indicator: bool = True, indicator_share: float = 0.5, batch_days: float = 7.0,
                 repeat_s: float = 21_600.0) -> None:
        self.window_s, self.min_accounts = window_s, max(2, min_accounts)
        self.require_indicator, self.indicator_share = require_indicator, indicator_share
        self.batch_days, self.repeat_s = batch_days, repeat_s
        self.history_s, self.warmup_s, self.burst_ratio = max(history_s, window_s), warmup_s, burst_ratio
        self.max_clusters, self.max_pending, self.max_accounts = max_clusters, max_pending, max_accounts
        self.max_members = max_members
        self.max_lag_s, self.future_s, self.bot_threshold = max_lag_s, future_s, bot_threshold
        self._reset()

    def _reset(self) -> None:
        self._now = float("-inf")
        self._start = float("inf")  # stream time of the first post seen: the warm-up runs from there
        self._clusters: OrderedDict[str, _Cluster] = OrderedDict()
        # Clusters with one post so far: most never get a second, so they cost a tuple, not a _Cluster.
        self._pending: OrderedDict[str, _Pending] = OrderedDict()
        # Rounds flagged per cluster, kept after the cluster goes quiet so that a campaign's next round
        # is reported as such (capped like the clusters).
        self._rounds: OrderedDict[str, int] = OrderedDict()
        # Clusters whose group may still be in the window, least recently active first: a cluster
        # kept only for its history (``history_s``) holds no accounts.
        self._live: OrderedDict[str, None] = OrderedDict()
        self._member_count = 0  # accounts held over all clusters, at most max_members
        # Accounts of judged groups, least recently judged first: a network that co-posts again.
        self._grouped: OrderedDict[str, _Grouped] = OrderedDict()
        self.counters: dict[str, int] = {"clock_backwards": 0, "late_posts": 0, "future_posts": 0,
                                         "flooded_posts": 0, "accounts_capped": 0, "evicted_clusters": 0,
                                         "organic_groups": 0}

    # -- the stream --------------------------------------------------------------------------------

    def update_many(self, posts: Sequence[Post], now: datetime) -> list[Signal]:
        now_s = now.timestamp()
        if now_s < self._now:
            self.counters["clock_backwards"] += 1
            now_s = self._now  # time never runs backwards inside the detector
        self._now = now_s
        if posts and self._start == float("inf"):
            self._start = min(now_s, min(p.created_at.timestamp() for p in posts))
        self._expire(now_s)
        touched: dict[str, None] = {}
        for post in posts:
            try:
                cid = self._one(post, now_s)
            except (ValueError, OverflowError, TypeError):  # a malformed record must not stop the stream
                self.counters["bad_posts"] = self.counters.get("bad_posts", 0) + 1
                continue
            if cid is not None:
                touched[cid] = None
        signals = []
        for cid in touched:
            cluster = self._clusters.get(cid)
            if cluster is not None:
                signal = self._check(cluster, now)
                if signal is not None:
                    signals.append(signal)
        return signals

    def _one(self, post: Post, now_s: float) -> str | None:
        cid = cluster_of(post)
        if cid is None:
            return None
        t = post.created_at.timestamp()
        if t > now_s + self.future_s:
            self.counters["future_posts"] += 1
            t = now_s
        elif t < now_s - self.max_lag_s:
            self.counters["late_posts"] += 1
            return None
        account = post.author.id
        cluster = self._clusters.get(cid)
        if cluster is None:
            pending = self._pending.get(cid)
            if pending is None:
                member = _Member(account, t, t, 1, post.id, _account_row(post))
                self._pending[cid] = _Pending(cid, member, (post.text or "")[:_TEXT_KEPT])
                if len(self._pending) > self.max_pending:
                    self._pending.popitem(last=False)
                return None
            del self._pending[cid]
            cluster = _Cluster(id=cid, example=pending.text, posts=1, counted=1, first_seen=pending.member.first,
                               last_seen=pending.member.last)
            cluster.members[pending.member.account] = pending.member
            self._member_count += 1
            self._clusters[cid] = cluster
            while len(self._clusters) > self.max_clusters:
                _, evicted = self._clusters.popitem(last=False)
                self._disperse(evicted)
                self.counters["evicted_clusters"] += 1
        self._clusters.move_to_end(cid)
        self._live[cid] = None
        self._live.move_to_end(cid)
        if t - cluster.last_seen > self.window_s:  # quiet for a whole window: any group has dispersed
            self._disperse(cluster)
        cluster.last_seen = max(cluster.last_seen, t)
        known = cluster.members.pop(account, None)
        if known is not None:
            known.posts += 1
            known.last = max(known.last, t)
            cluster.posts += 1
            if known.posts > 3:  # a flood from one account: counted, still one account
                cluster.extra_posts += 1
                self.counters["flooded_posts"] += 1
            else:
                cluster.counted += 1
            cluster.members[account] = known  # re-inserted: most recently active last
        elif len(cluster.members) < self.max_accounts and self._member_count < self.max_members:
            cluster.members[account] = _Member(account, t, t, 1, post.id, _account_row(post))
            self._member_count += 1
            cluster.posts += 1
            cluster.counted += 1
        else:
            cluster.accounts_capped = True
            self.counters["accounts_capped"] += 1
        return cid

    def _window(self, cluster: _Cluster) -> None:
        """Drop the accounts whose last post into the cluster left the window."""
        cutoff = cluster.last_seen - self.window_s
        for account in list(cluster.members):
            if cluster.members[account].last >= cutoff:
                break
            del cluster.members[account]
            self._member_count -= 1

    def _check(self, cluster: _Cluster, now: datetime) -> Signal | None:
        self._window(cluster)
        group = len(cluster.members)
        if group < self.min_accounts:
            if group < self.min_accounts // 2:
                cluster.judged, cluster.reported = 0, False  # the group fell apart: a new one is a new round
            return None
        since = cluster.judged_at if cluster.judged else float("-inf")
        if cluster.judged:
            # Judge again only for a new wave at least as large as the group last judged: a campaign
            # that joins the cluster of a rumour's organic copies is then judged on its own.
            fresh = sum(1 for m in cluster.members.values() if m.first > since)
            if fresh < max(self.min_accounts, cluster.judged):
                return None
        if not self._bursting(cluster, group):
            return None
        if not cluster.judged:
            cluster.groups += 1
        wave = [m for m in cluster.members.values() if m.first > since]
        indicators, bots = self._judge(cluster, wave)
        cluster.judged, cluster.judged_at = group, cluster.last_seen
        if self.require_indicator and not indicators.fired:
            self.counters["organic_groups"] += 1
            return None
        change = "grew" if cluster.reported else "flagged"
        if not cluster.reported:
            cluster.rounds = self._rounds.pop(cluster.id, 0) + 1
            self._rounds[cluster.id] = cluster.rounds
            if len(self._rounds) > self.max_clusters:
                self._rounds.popitem(last=False)
        cluster.reported = True
        return self._signal(cluster, now, change, wave, indicators, bots)

    def _judge(self, cluster: _Cluster, wave: Sequence[_Member]) -> tuple[Indicators, dict[str, Any]]:
        """The indicators over the accounts judged (and their bot-likeness, part of the evidence);
        remembers them as members of this group for the ``repeated`` indicator of later groups."""
        bots = self._bot_likeness(wave)
        scored = [m for m in wave if m.row is not None]
        recent = cluster.last_seen - self.repeat_s
        repeated = 0
        for member in wave:
            seen = self._grouped.pop(member.account, None)
            if seen is not None and seen.at >= recent and (seen.cluster, seen.group) != (cluster.id, cluster.groups):
                repeated += 1
            self._grouped[member.account] = _Grouped(member.account, cluster.id, cluster.groups, cluster.last_seen)
        while len(self._grouped) > self.max_members:
            self._grouped.popitem(last=False)
        indicators = Indicators(
            account_data=len(scored) / len(wave),
            batch_created=self._batch_share(scored) if scored else None,
            bot_like=bots.get("share_bot_like"), repeated=repeated / len(wave), share=self.indicator_share,
            batch_days=self.batch_days, repeat_s=self.repeat_s)
        return indicators, bots

    def _batch_share(self, scored: Sequence[_Member]) -> float:
        """The largest share of accounts created within any ``batch_days`` window."""
        created = _creation_days(scored)
        best, low = 0, 0
        for high, day in enumerate(created):
            while day - created[low] > self.batch_days:
                low += 1
            best = max(best, high - low + 1)
        return best / len(created)

    def _bursting(self, cluster: _Cluster, group: int) -> bool:
        """Is the group a burst over the cluster's own past? Common phrases ("good morning", a
        weather moan) are posted by many accounts all day: that is their baseline, not coordination."""
        past_s = cluster.last_seen - self.window_s - cluster.first_seen
        if past_s >= self.window_s:
            expected = max(0, cluster.counted - group) / past_s * self.window_s
            return group >= self.burst_ratio * expected
        # Too young to have a past: new after the warm-up is a burst by definition; first seen while
        # the detector was still learning what is common, it must earn a past first.
        return cluster.first_seen >= self._start + self.warmup_s

    def _disperse(self, cluster: _Cluster) -> None:
        """The group has left the window: forget its accounts, keep the cluster's history."""
        self._member_count -= len(cluster.members)
        cluster.members.clear()
        cluster.judged, cluster.reported = 0, False

    def _expire(self, now_s: float) -> None:
        cutoff = now_s - self.history_s
        while self._clusters:
            cid, cluster = next(iter(self._clusters.items()))
            if cluster.last_seen >= cutoff:
                break
            self._disperse(cluster)
            del self._clusters[cid]
        cutoff = now_s - self.window_s
        while self._live:
            cid = next(iter(self._live))
            live = self._clusters.get(cid)
            if live is not None and live.last_seen >= cutoff:
                break
            if live is not None:
                self._disperse(live)
            del self._live[cid]
        while self._pending:
            pending = next(iter(self._pending.values()))
            if pending.member.last >= cutoff:
                break
            self._pending.popitem(last=False)
        cutoff = now_s - self.repeat_s
        while self._grouped:
            if next(iter(self._grouped.values())).at >= cutoff:
                break
            self._grouped.popitem(last=False)

    # -- output ------------------------------------------------------------------------------------

    def _bot_likeness(self, members: Sequence[_Member]) -> dict[str, Any]:
        rows = [m.row for m in members if m.row is not None]
        out: dict[str, Any] = {"model": "bots/1", "scored": len(rows), "unscored": len(members) - len(rows)}
        if not rows:
            return out
        scores = bot_model().probs(np.array(rows)).tolist()
        histogram = [0] * (len(_BINS) + 1)
        for s in scores:
            histogram[sum(s >= edge for edge in _BINS)] += 1
        out.update({"mean": round(sum(scores) / len(scores), 3),
                    "share_bot_like": round(sum(s >= self.bot_threshold for s in scores) / len(scores), 3),
                    "threshold": self.bot_threshold,
                    "histogram": dict(zip(("0-0.2", "0.2-0.4", "0.4-0.6", "0.6-0.8", "0.8-1"), histogram,
                                          strict=True))})
        return out

    @staticmethod
    def _created(members: Sequence[_Member]) -> dict[str, Any] | None:
        """How close together the accounts were created: sockpuppets are often made in a batch. The
        span, in days, of the middle 80 % of creation dates (robust to a few real accounts joining)."""
        created = _creation_days(members)
        if len(created) < 3:
            return None
        cut = len(created) // 10
        middle = created[cut:len(created) - cut]
        return {"accounts": len(created), "span_days_middle_80": round(middle[-1] - middle[0], 1)}

    def _signal(self, cluster: _Cluster, now: datetime, change: str, wave: Sequence[_Member],
                indicators: Indicators, bots: dict[str, Any]) -> Signal:
        """The evidence is about the accounts judged: the whole group when first flagged, the new wave
        when it grew (or when it joined a group of people judged independent)."""
        first, last = min(m.first for m in wave), max(m.last for m in wave)
        span = last - first
        minutes = max(1, round(span / 60))
        listed = list(wave)[-_LISTED:]
        details: dict[str, Any] = {
            "change": change, "round": cluster.rounds, "cluster": cluster.id,
            "account_count": len(cluster.members), "new_accounts": len(wave),
            "accounts": [m.account for m in listed],
            "accounts_listed": len(listed),
            "accounts_capped": cluster.accounts_capped,
            "posts_in_cluster": cluster.posts,
            "first_post": _iso(first), "last_post": _iso(last), "span_s": round(span, 1),
            "window_s": self.window_s, "example": cluster.example, "indicators": indicators.as_dict(),
            "bot_likeness": bots, "account_creation": self._created(wave),
            "review": ("A flag for a person to review, not a finding: these accounts posted near-identical "
                       "text within a short time, and the indicators say why they may not be independent. "
                       "Coordination can be legitimate (an appeal shared by many); bot-likeness describes "
                       "behaviour, not people. Nothing is done to any account automatically."),
        }
        degraded = {k: v for k, v in self.counters.items() if v and k not in _NOT_DEGRADED}
        if cluster.extra_posts:
            degraded["flooded_posts_in_cluster"] = cluster.extra_posts
        if degraded:
            details["degraded"] = degraded
        reasons = "".join(f"; {reason}" for reason in indicators.reasons())
        summary = (f"Possible coordination, for review: {len(wave)} accounts posted near-identical text "
                   f"within {minutes} min{reasons}: {cluster.example[:100]}")
        return Signal(detector=self.name, kind="coordination", key=f"coordination:{cluster.id}", at=now,
                      summary=summary, post_ids=tuple(m.post_id for m in listed), details=details)

    # -- persistence -------------------------------------------------------------------------------

    def snapshot(self) -> bytes:
        return msgspec.msgpack.encode(_Snapshot(_STATE_VERSION, self._now, self._start, list(self._clusters.values()),
                                                list(self._pending.values()), list(self._rounds.items()),
                                                list(self._grouped.values()), dict(self.counters)))

    def restore(self, state: bytes) -> None:
        self._reset()
        if not state:
            return
        snap = msgspec.msgpack.decode(state, type=_Snapshot)
        if snap.version != _STATE_VERSION:
            return  # an older layout: start afresh rather than misread it
        self._now, self._start = snap.now, snap.start
        self._clusters = OrderedDict((c.id, c) for c in snap.clusters)
        self._pending = OrderedDict((p.cluster, p) for p in snap.pending)
        self._rounds = OrderedDict(snap.rounds)
        self._grouped = OrderedDict((g.account, g) for g in snap.grouped)
        self._live = OrderedDict((c.id, None) for c in snap.clusters if c.members)
        self._member_count = sum(len(c.members) for c in snap.clusters)
        self.counters.update(snap.counters)
