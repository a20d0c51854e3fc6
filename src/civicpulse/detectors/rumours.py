"""Rumour tracking: unverified claims that spread, clustered, with stance, denials and a life cycle.

What it does with each post, cheapest test first (the stream is mostly chatter, so the common path
is a few dict lookups and one regex search):

1. a repost, reply or quote of a post it already tracks joins that post's rumour (replies and
   quotes are queued for the stance model, in one batch per call);
2. a post by an *official* account (``author.official``) that denies or confirms changes the status
   of the rumour it replies to, or, standalone, of every rumour naming its content words (one claim
   runs as several rumours, one per wording and language: ``_match_verdict``), a district of the
   operation's area counting as one word named by any of its landmarks;
3. any other post with a hedge ("reportedly", "is it true", "il paraît que", "dicen que",
   "angeblich", … :mod:`.rumour_lexicon`) is a claim: it joins the rumour whose content words it
   shares most (token-set overlap on an inverted index) or starts a new candidate.

A candidate becomes a rumour (**emerging**) once ``emerge_posts`` posts from ``emerge_accounts``
distinct accounts carry it within ``emerge_window_s`` and that is a burst over the candidate's own
past: at least ``burst_ratio`` times its past rate, and a count that chance at that rate explains
with probability at most ``burst_p`` (hedged small talk such as "they say it'll rain" recurs all
day and clumps now and then). A candidate first seen in the first ``warmup_s`` of the stream must
first have a past: at start-up every recurring phrase looks new. **Spreading** once
``spread_posts`` posts from ``spread_accounts`` accounts do; **denied** / **confirmed** when an
official account says so; **fading** after ``fade_after_s`` of stream time without a post; then it
is evicted. Every status change is a ``Signal(kind="rumour", key=rumour_id)``, and so is a live
rumour's new numbers at most every ``progress_every_s`` (``progress`` true); its details carry
the spread curve (posts, distinct accounts and reach, i.e. summed follower counts, per ``bucket_s``
bucket), the stance counts of replies and quotes, the districts of the operation's area it names
(``places``, ``locations``: what alert rules on a watched place read), and any degradation (flooding
accounts, clock going backwards, late posts).

Memory is bounded whatever the stream: at most ``max_rumours`` rumours and candidates (the least
recently active go first), ``max_tracked_posts`` remembered post ids, ``max_curve`` buckets and
``max_members`` post ids per rumour, and each account counts at most ``flood_per_bucket`` posts per
bucket (a flood of identical posts from one account cannot make a rumour spread).
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec

from civicpulse.detectors.area import AreaMap, DistrictShape, near_term
from civicpulse.detectors.base import Detector, Signal
from civicpulse.detectors.rumour_lexicon import CONFIRMATION, DENIAL, claim_tokens, hedge_phrase, strip_repost_prefix
from civicpulse.detectors.stats import poisson_log_sf
from civicpulse.models.stance import StanceInput, stance_model
from civicpulse.post import Post
from civicpulse.registry import detectors

__all__ = ["RumourDetector", "RumourState"]

STATUSES = ("candidate", "emerging", "spreading", "denied", "confirmed", "fading")
_TEXT_KEPT = 280
#: Distinct hedges a rumour counts (a claim is told with a few; the bound is against crafted text).
MAX_HEDGES = 8
#: An official verdict needs a rumour whose wordings name its words at least this much (summed shares,
#: see ``_match_verdict``); a rumour *names* a word when its share is at least ``_VERDICT_NAMED``.
_VERDICT_MIN_SHARE = 0.5
_VERDICT_NAMED = 0.25
#: Districts counted per rumour (a wording names one or two).
_MAX_DISTRICTS = 16


class Bucket(msgspec.Struct, array_like=True):
    start: float
    posts: int = 0
    accounts: int = 0
    reach: int = 0


class RumourState(msgspec.Struct, kw_only=True):
    """One rumour (or candidate): what a signal reports and a snapshot stores."""

    id: str
    title: str
    status: str = "candidate"
    first_seen: float
    last_seen: float
    posts: int = 0
    reach: int = 0
    accounts: set[str] = msgspec.field(default_factory=set)
    accounts_capped: bool = False
    tokens: dict[str, int] = msgspec.field(default_factory=dict)
    #: Districts of the operation's area its wordings name, counted like ``tokens`` (by name or landmark).
    districts: dict[str, int] = msgspec.field(default_factory=dict)
    #: The hedges its claims were told with ("reportedly", "can anyone confirm"), lower case: why it is
    #: a rumour. At most ``MAX_HEDGES`` distinct ones are counted.
    hedges: dict[str, int] = msgspec.field(default_factory=dict)
    members: list[str] = msgspec.field(default_factory=list)
    stance: dict[str, int] = msgspec.field(default_factory=dict)
    languages: dict[str, int] = msgspec.field(default_factory=dict)
    curve: list[Bucket] = msgspec.field(default_factory=list)
    bucket_accounts: dict[str, int] = msgspec.field(default_factory=dict)
    denied_at: float | None = None
    confirmed_at: float | None = None
    verdict_post: str | None = None
    flooded_posts: int = 0
    #: When the last signal was raised and with how many posts (progress signals, see ``update_many``).
    reported_at: float = -math.inf
    reported_posts: int = 0


class _Snapshot(msgspec.Struct):
    version: int
    now: float
    rumours: list[RumourState]
    tracked: list[tuple[str, str, str, int]]
    exact: list[tuple[str, str]]
    counters: dict[str, int]
    #: Stream time of the first post seen (snapshots from before the warm-up have none).
    start: float = math.inf


#: Statuses whose numbers still move: a progress signal keeps them current.
_LIVE = frozenset({"emerging", "spreading", "denied", "confirmed"})


def _ts(value: datetime) -> float:
    return value.timestamp()


def _text_key(text: str) -> str:
    return hashlib.blake2b(" ".join(sorted(claim_tokens(text))).encode(), digest_size=8).hexdigest()


@detectors.register("rumours")
class RumourDetector(Detector):
    name = "rumours"
    version = 1

    def __init__(self, *, bucket_s: float = 300.0, emerge_posts: int = 5, emerge_accounts: int = 3,
                 emerge_window_s: float = 600.0, spread_posts: int = 25, spread_accounts: int = 12,
                 fade_after_s: float = 1800.0,
                 candidate_ttl_s: float = 1800.0, evict_after_s: float = 3600.0, max_rumours: int = 2000,
                 max_tracked_posts: int = 50_000, max_curve: int = 288, max_members: int = 50,
                 max_accounts: int = 5000, flood_per_bucket: int = 3, max_lag_s: float = 3600.0,
                 min_overlap: int = 2, min_claim_words: int = 3, burst_ratio: float = 3.0,
                 burst_p: float = 1e-3, warmup_s: float = 900.0, use_stance_model: bool = True,
                 progress_every_s: float = 60.0) -> None:
        self.bucket_s = bucket_s
        self.emerge_posts, self.emerge_accounts = emerge_posts, emerge_accounts
        self.emerge_window_s = emerge_window_s
        self.spread_posts, self.spread_accounts = spread_posts, spread_accounts
        self.fade_after_s, self.candidate_ttl_s, self.evict_after_s = fade_after_s, candidate_ttl_s, evict_after_s
        self.max_rumours, self.max_tracked_posts = max_rumours, max_tracked_posts
        self.max_curve, self.max_members, self.max_accounts = max_curve, max_members, max_accounts
        self.flood_per_bucket, self.max_lag_s, self.min_overlap = flood_per_bucket, max_lag_s, min_overlap
        self.min_claim_words, self.burst_ratio = min_claim_words, burst_ratio
        self.log_burst_p, self.warmup_s = math.log(burst_p), warmup_s
        self.use_stance_model = use_stance_model
        self.progress_every_s = progress_every_s
        self.area: AreaMap | None = None
        self._reset()

    def use_area(self, area: AreaMap) -> None:
        self.area = area or None

    def _reset(self) -> None:
        self._now = float("-inf")
        self._start = math.inf  # stream time of the first post seen: the warm-up runs from there
        # Least recently active first: eviction pops from the front.
        self._rumours: OrderedDict[str, RumourState] = OrderedDict()
        # post id -> (rumour id, text kept as the stance model's "parent" input, depth in the thread).
        self._tracked: OrderedDict[str, tuple[str, str, int]] = OrderedDict()
        # content-word signature of a claim -> rumour id: floods of one text skip the clustering.
        self._exact: OrderedDict[str, str] = OrderedDict()
        self._index: dict[str, set[str]] = {}
        self._sequence = 0
        self.counters: dict[str, int] = {"clock_backwards": 0, "late_posts": 0, "future_posts": 0,
                                         "flooded_posts": 0, "evicted": 0}

    # -- the stream --------------------------------------------------------------------------------

    def update_many(self, posts: Sequence[Post], now: datetime) -> list[Signal]:
        now_s = _ts(now)
        if now_s < self._now:
            self.counters["clock_backwards"] += 1
            now_s = self._now  # time never runs backwards inside the detector
        self._now = now_s
        if posts and self._start == math.inf:
            self._start = min(now_s, min(_ts(p.created_at) for p in posts))
        changed: dict[str, str] = {}  # rumour id -> status before this batch
        stance_queue: list[tuple[str, StanceInput]] = []
        for post in posts:
            try:
                self._one(post, now_s, changed, stance_queue)
            except (ValueError, OverflowError, TypeError):  # a malformed record must not stop the stream
                self.counters["bad_posts"] = self.counters.get("bad_posts", 0) + 1
        if stance_queue:
            self._apply_stances(stance_queue)
        signals = []
        for rid, before in changed.items():
            rumour = self._rumours.get(rid)
            if rumour is None:
                continue
            self._advance(rumour)
            if rumour.status != before and rumour.status != "candidate":
                signals.append(self._signal(rumour, before, now))
            elif (rumour.status in _LIVE and rumour.posts != rumour.reported_posts
                  and now_s - rumour.reported_at >= self.progress_every_s):
                # The same status, new numbers: the dashboard shows each rumour's latest signal.
                signals.append(self._signal(rumour, before, now, progress=True))
        signals += self._age(now_s, now)
        return signals

    def _one(self, post: Post, now_s: float, changed: dict[str, str],
             stance_queue: list[tuple[str, StanceInput]]) -> None:
        t = self._clamp(_ts(post.created_at), now_s)
        parent_id = post.repost_of or post.reply_to or post.quote_of
        official = bool(post.author.official)
        if parent_id is not None and parent_id in self._tracked:
            rid, parent_text, parent_depth = self._tracked[parent_id]
            rumour = self._rumours.get(rid)
            if rumour is None:
                return
            changed.setdefault(rid, rumour.status)
            if official and post.repost_of is None:
                self._official_verdict(rumour, post, t)
            if post.repost_of is None:
                stance_queue.append((rid, StanceInput(post.text, parent_depth + 1, parent_text, rumour.title,
                                                      post.language)))
                self._add(rumour, post, t, track_text=post.text, depth=parent_depth + 1)
            else:  # a repost is the claim again: same text, same depth
                self._add(rumour, post, t, track_text=parent_text, depth=parent_depth)
            return
        if official:
            for rumour in self._match_verdict(post):
                changed.setdefault(rumour.id, rumour.status)
                self._official_verdict(rumour, post, t)
            return
        text = strip_repost_prefix(post.text) if post.repost_of else post.text
        # A claim: hedged, not a reply (replies are reactions), not itself a denial (a repost of an
        # official denial says "unverified" too), and with enough content words to be about something.
        head = text[:1000]
        phrase = hedge_phrase(head) if post.reply_to is None else None
        if phrase is None or DENIAL.search(head) is not None:
            return
        if len(claim_tokens(text)) < self.min_claim_words:
            return
        rumour = self._cluster(text, t)
        changed.setdefault(rumour.id, rumour.status)
        if phrase in rumour.hedges or len(rumour.hedges) < MAX_HEDGES:
            rumour.hedges[phrase] = rumour.hedges.get(phrase, 0) + 1
        self._add(rumour, post, t, track_text=text, depth=0)

    def _clamp(self, t: float, now_s: float) -> float:
        if t > now_s + 60.0:
            self.counters["future_posts"] += 1
            return now_s
        if t < now_s - self.max_lag_s:
            self.counters["late_posts"] += 1
            return now_s - self.max_lag_s
        return t

    # -- clustering --------------------------------------------------------------------------------

    def _cluster(self, text: str, t: float) -> RumourState:
        key = _text_key(text)
        rid = self._exact.get(key)
        if rid is not None and rid in self._rumours:
            return self._rumours[rid]
        tokens = claim_tokens(text)
        best: RumourState | None = None
        best_rank: tuple[float, int, str] = (0.0, 0, "")
        overlaps: dict[str, int] = {}
        for token in tokens:
            for candidate in self._index.get(token, ()):
                overlaps[candidate] = overlaps.get(candidate, 0) + 1
        for candidate, shared in overlaps.items():
            rumour = self._rumours[candidate]
            if shared < self.min_overlap or rumour.status == "fading":
                continue
            score = shared / min(len(tokens), len(rumour.tokens))
            # Ties go to the larger rumour, then by id: the index's sets iterate in an order that
            # changes from one process to the next, and a replay must give the same result in any.
            rank = (score, rumour.posts, rumour.id)
            if score >= 0.5 and rank > best_rank:
                best, best_rank = rumour, rank
        if best is None:
            self._sequence += 1
            best = RumourState(id=f"rumour-{self._sequence}-{key[:8]}", title=text[:_TEXT_KEPT], first_seen=t,
                               last_seen=t)
            self._rumours[best.id] = best
            self._evict_over_capacity()
        for token in tokens:
            if token in best.tokens:
                best.tokens[token] += 1
            elif len(best.tokens) < 64:
                best.tokens[token] = 1
                self._index.setdefault(token, set()).add(best.id)
        if self.area is not None:
            for district in self.area.named_in(text):
                if district in best.districts or len(best.districts) < _MAX_DISTRICTS:
                    best.districts[district] = best.districts.get(district, 0) + 1
        self._exact[key] = best.id
        if len(self._exact) > self.max_tracked_posts:
            self._exact.popitem(last=False)
        return best

    def _add(self, rumour: RumourState, post: Post, t: float, *, track_text: str, depth: int) -> None:
        self._rumours.move_to_end(rumour.id)
        self._tracked[post.id] = (rumour.id, track_text[:_TEXT_KEPT], min(depth, 10))
        if len(self._tracked) > self.max_tracked_posts:
            self._tracked.popitem(last=False)
        start = t - t % self.bucket_s
        if not rumour.curve or start > rumour.curve[-1].start:
            rumour.curve.append(Bucket(start))
            rumour.bucket_accounts = {}
            if len(rumour.curve) > self.max_curve:
                del rumour.curve[0]
        bucket = rumour.curve[-1]  # a late post counts in the newest bucket: the curve never rewinds
        account = post.author.id
        seen = rumour.bucket_accounts.get(account, 0)
        if seen >= self.flood_per_bucket:
            rumour.flooded_posts += 1
            self.counters["flooded_posts"] += 1
            return
        if seen or len(rumour.bucket_accounts) < self.max_accounts:
            rumour.bucket_accounts[account] = seen + 1
        followers = max(0, min(post.author.followers or 0, 10**9))
        bucket.posts += 1
        rumour.posts += 1
        rumour.last_seen = max(rumour.last_seen, t)
        if seen == 0:
            bucket.accounts += 1
            bucket.reach += followers
        if account not in rumour.accounts:
            if len(rumour.accounts) < self.max_accounts:
                rumour.accounts.add(account)
                rumour.reach += followers
            else:
                rumour.accounts_capped = True
        if len(rumour.members) < self.max_members:
            rumour.members.append(post.id)
        if post.language:
            lang = post.language[:8]
            if lang in rumour.languages or len(rumour.languages) < 16:
                rumour.languages[lang] = rumour.languages.get(lang, 0) + 1

    # -- stance and verdicts -----------------------------------------------------------------------

    def _apply_stances(self, queue: list[tuple[str, StanceInput]]) -> None:
        if self.use_stance_model:
            labels = stance_model().predict([item for _, item in queue])
        else:
            labels = ["deny" if DENIAL.search(item.text) else "query" if "?" in item.text else "comment"
                      for _, item in queue]
        for (rid, _), label in zip(queue, labels, strict=True):
            rumour = self._rumours.get(rid)
            if rumour is not None:
                rumour.stance[label] = rumour.stance.get(label, 0) + 1

    def _match_verdict(self, post: Post) -> list[RumourState]:
        """The live rumours an official post's denial or confirmation is about, by shared content words.

        One claim is tracked as several rumours when it circulates in several wordings and languages
        ("le barrage a cédé", "der Damm ist gebrochen"), and "rumours about Kehl are untrue" answers
        them all. A rumour's *share* of a word is how many of its distinct wordings name it, over the
        count of its most named word. The verdict is about the rumour with the largest summed share
        and about every other emerged rumour naming each word that one names (share at least
        ``_VERDICT_NAMED``): a rumour that shares only the place with "nobody was shot in Harehills"
        does not name "shot" and is left as it is.

        With the operation's area, a district the verdict names is one word, which a rumour names by
        the district's name or any of its landmarks: "rumours about Moss Side" answers "a white van
        near Moss Lane East" too."""
        if DENIAL.search(post.text) is None and CONFIRMATION.search(post.text) is None:
            return []
        tokens = claim_tokens(post.text)
        districts: set[str] = set()
        for district, name in self.area.mentions(post.text) if self.area is not None else ():
            districts.add(district)
            tokens -= claim_tokens(name)
        candidates = {rid for token in tokens for rid in self._index.get(token, ())}
        if districts:
            candidates.update(rid for rid, r in self._rumours.items() if not districts.isdisjoint(r.districts))
        shares: dict[str, dict[str, float]] = {}
        for rid in candidates:
            rumour = self._rumours[rid]
            if rumour.status in ("denied", "confirmed") or rumour.posts < 2:
                continue
            most = max(rumour.tokens.values(), default=1)
            share = {tok: rumour.tokens[tok] / most for tok in tokens if tok in rumour.tokens}
            share.update({near_term(d): min(1.0, rumour.districts[d] / most)
                          for d in districts if d in rumour.districts})
            if share:
                shares[rid] = share
        if not shares:
            return []
        # A candidate is unseen small talk ("sandbags handed out in Kehl apparently") unless it is
        # bursting now (its status moves at the end of the batch): a denial must not bring it on screen.
        emerged = {rid for rid in shares if self._rumours[rid].status != "candidate"
                   or self._bursting(self._rumours[rid])}
        best = max(shares, key=lambda rid: (sum(shares[rid].values()), rid in emerged, self._rumours[rid].posts, rid))
        if sum(shares[best].values()) < _VERDICT_MIN_SHARE:
            return []
        named = {tok for tok, share in shares[best].items() if share >= _VERDICT_NAMED}
        return [self._rumours[rid] for rid in sorted(shares) if rid == best or (
            rid in emerged and all(shares[rid].get(tok, 0.0) >= _VERDICT_NAMED for tok in named))]

    def _official_verdict(self, rumour: RumourState, post: Post, t: float) -> None:
        if rumour.status in ("denied", "confirmed"):
            return
        if DENIAL.search(post.text):
            rumour.denied_at, rumour.verdict_post = t, post.id
        elif CONFIRMATION.search(post.text):
            rumour.confirmed_at, rumour.verdict_post = t, post.id

    def _advance(self, rumour: RumourState) -> None:
        """The status the rumour's counts call for: verdicts win; a fading rumour that gets posts again
        is spreading again (a resurgence); otherwise a rumour only moves forward."""
        if rumour.status == "fading" and rumour.last_seen >= self._now - self.bucket_s:
            rumour.status = "spreading"
        if rumour.denied_at is not None:
            rumour.status = "denied"
        elif rumour.confirmed_at is not None:
            rumour.status = "confirmed"
        elif rumour.status == "candidate" and self._bursting(rumour):
            rumour.status = "emerging"
        if rumour.status == "emerging" and rumour.posts >= self.spread_posts \
                and len(rumour.accounts) >= self.spread_accounts:
            rumour.status = "spreading"

    def _bursting(self, rumour: RumourState) -> bool:
        """Enough posts and accounts in the last window, and a burst over the candidate's own past:
        hedged small talk ("they say it'll rain") recurs all day and clumps now and then by chance."""
        since = self._now - self.emerge_window_s
        recent = [b for b in rumour.curve if b.start + self.bucket_s > since]
        if not recent:
            return False
        recent_posts = sum(b.posts for b in recent)
        if recent_posts < self.emerge_posts or sum(b.accounts for b in recent) < self.emerge_accounts:
            return False
        history_s = recent[0].start - rumour.first_seen
        if history_s < self.emerge_window_s:
            # No past to compare with: new is a burst, unless the stream itself has only just started.
            return rumour.first_seen >= self._start + self.warmup_s
        # The posts counted could lie anywhere from the start of the bucket the window opens in.
        covered = self._now - (since - since % self.bucket_s)
        expected = (rumour.posts - recent_posts) / history_s * covered
        return (recent_posts >= self.burst_ratio * expected
                and poisson_log_sf(recent_posts, expected) <= self.log_burst_p)

    # -- ageing and memory -------------------------------------------------------------------------

    def _age(self, now_s: float, now: datetime) -> list[Signal]:
        signals = []
        for rid in list(self._rumours):
            rumour = self._rumours[rid]
            idle = now_s - rumour.last_seen
            if idle < min(self.fade_after_s, self.candidate_ttl_s):
                break  # ordered by last activity: everything after is fresher
            if rumour.status == "candidate":
                if idle >= self.candidate_ttl_s:
                    self._evict(rid)
            elif rumour.status == "fading":
                if idle >= self.evict_after_s:
                    self._evict(rid)
            elif idle >= self.fade_after_s:
                before, rumour.status = rumour.status, "fading"
                signals.append(self._signal(rumour, before, now))
        return signals

    def _evict_over_capacity(self) -> None:
        while len(self._rumours) > self.max_rumours:
            self._evict(next(iter(self._rumours)))

    def _evict(self, rid: str) -> None:
        rumour = self._rumours.pop(rid)
        self.counters["evicted"] += 1
        for token in rumour.tokens:
            ids = self._index.get(token)
            if ids is not None:
                ids.discard(rid)
                if not ids:
                    del self._index[token]

    # -- output ------------------------------------------------------------------------------------

    def _signal(self, rumour: RumourState, before: str, now: datetime, progress: bool = False) -> Signal:
        verb = {"emerging": "emerging", "spreading": "spreading", "denied": "officially denied",
                "confirmed": "officially confirmed", "fading": "fading"}[rumour.status]
        details: dict[str, Any] = {
            "status": rumour.status, "previous": before, "title": rumour.title,
            "first_seen": datetime.fromtimestamp(rumour.first_seen, UTC).isoformat(),
            "posts": rumour.posts, "accounts": len(rumour.accounts), "accounts_capped": rumour.accounts_capped,
            "reach": rumour.reach, "stance": dict(rumour.stance), "languages": dict(rumour.languages),
            "curve": [{"start": datetime.fromtimestamp(b.start, UTC).isoformat(), "posts": b.posts,
                       "accounts": b.accounts, "reach": b.reach} for b in rumour.curve],
            "keywords": sorted(rumour.tokens, key=lambda k: (-rumour.tokens[k], k))[:8],
            "hedges": [{"phrase": phrase, "posts": n}
                       for phrase, n in sorted(rumour.hedges.items(), key=lambda kv: (-kv[1], kv[0]))[:3]],
            "progress": progress,
        }
        rumour.reported_at, rumour.reported_posts = _ts(now), rumour.posts
        named = self._districts_named(rumour)
        if named:
            # What alert rules read: a rule watching Moss Side (by name or by a geofence around it)
            # hears of "a white van near Moss Lane East".
            details["places"] = [d.name for d in named]
            details["locations"] = [d.location() for d in named]
        if rumour.verdict_post is not None:
            details["verdict_post"] = rumour.verdict_post
        degraded = {k: v for k, v in self.counters.items() if v and k != "evicted"}
        if rumour.flooded_posts:
            degraded["flooded_posts_in_rumour"] = rumour.flooded_posts
        if degraded:
            details["degraded"] = degraded
        return Signal(detector=self.name, kind="rumour", key=rumour.id, at=now,
                      summary=f"Rumour {verb}: {rumour.title[:120]}", post_ids=tuple(rumour.members),
                      details=details)

    def _districts_named(self, rumour: RumourState) -> list[DistrictShape]:
        """The districts of the area the rumour names (as a verdict reads it: at least a quarter of its
        wordings, against its most named word), most named first, at most five."""
        if self.area is None or not rumour.districts:
            return []
        most = max(rumour.tokens.values(), default=1)
        ranked = sorted(rumour.districts.items(), key=lambda kv: (-kv[1], kv[0]))
        found = [self.area.district(near_term(name)) for name, n in ranked if n / most >= _VERDICT_NAMED]
        return [d for d in found if d is not None][:5]

    def rumours(self) -> list[RumourState]:
        """Every live rumour and candidate, least recently active first (read-only use)."""
        return list(self._rumours.values())

    # -- persistence -------------------------------------------------------------------------------

    def snapshot(self) -> bytes:
        state = _Snapshot(1, self._now, list(self._rumours.values()),
                          [(pid, rid, text, depth) for pid, (rid, text, depth) in self._tracked.items()],
                          list(self._exact.items()), {**self.counters, "_sequence": self._sequence}, self._start)
        return msgspec.msgpack.encode(state)

    def restore(self, state: bytes) -> None:
        self._reset()
        if not state:
            return
        snap = msgspec.msgpack.decode(state, type=_Snapshot)
        self._now, self._start = snap.now, snap.start
        for rumour in snap.rumours:
            self._rumours[rumour.id] = rumour
            for token in rumour.tokens:
                self._index.setdefault(token, set()).add(rumour.id)
        self._tracked = OrderedDict((pid, (rid, text, depth)) for pid, rid, text, depth in snap.tracked)
        self._exact = OrderedDict(snap.exact)
        counters = dict(snap.counters)
        self._sequence = counters.pop("_sequence", 0)
        self.counters.update(counters)
