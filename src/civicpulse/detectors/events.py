"""Live-event detection: bursts of terms against a learned baseline, grouped into stories.

How it works, per batch (``update_many(posts, now)``):

1. **Terms.** Each original post (reposts only join events, they are not evidence of news; nor are
   replies to a post of an open event, which join that event) gives its words, hashtags and
   location cell (:mod:`civicpulse.detectors.terms`); when the operation's area is known
   (:mod:`civicpulse.detectors.area`), a post saying a word of the incident vocabulary and naming one
   of its districts or landmarks, or geotagged in one, adds ``near:<district>`` as well (a word never
   seen before one slip of the thumb from an incident word or a district's name counts as it).
2. **Sliding window.** Term counts are kept in ``bucket_s`` buckets over the last ``window_s`` of
   stream time. A bucket leaving the window is folded into the **baseline**: an exponentially
   decaying count per term (half-life ``half_life_s``) and of all posts. Comparing a term's *share*
   of traffic with its baseline share divides the daily rhythm of volume out: the evening is busier
   for every term alike, a riot is busier for "riot" alone. A word's own daily rhythm ("morning"
   at 7 a.m.) is judged against its usual share at this hour on earlier days
   (:mod:`civicpulse.detectors.seasonal`): the expected count is the larger of the two.
3. **Burst test.** For each term counted in the batch, the window count ``k`` is tested against the
   Poisson mean ``lam = (baseline + 1) / baseline_total * window_total`` (one pseudo-count, so that
   a word never seen before is rare, not impossible): a term bursts when
   ``log P(X >= k) < burst_log_p`` and it came from ``min_authors`` distinct accounts; a word of the
   incident vocabulary ("police", "smoke": :mod:`civicpulse.detectors.incident_lexicon`), or a
   ``near:`` district, when ``log P(X >= k) < incident_log_p``, weaker evidence for a term that is
   more often news.
4. **First stories.** Two posts by different accounts sharing two *new* terms (decayed baseline
   count at most ``new_count``, in a language the baseline knows well) open an event at once:
   first-story detection in the spirit of Petrović et al. 2010, confirmed by a second account.
   Most posts of such a pair already sharing ``merge_shared_terms`` terms of a young open event
   (below) extend it; an old one takes in no words never seen before, and a pair is two.
5. **Stories.** A bursting term whose recent posts are mostly (``merge_share``) in an open event
   extends it; otherwise bursting terms whose posts overlap (Jaccard >= ``merge_jaccard``) start a
   new event, seeded by the posts whose words are most unusual now. Later posts carrying an event's
   terms join it. A young event (under ``new_thread_after_s``) takes in what bursts among its posts
   or shares its vocabulary; an older one does not take in a word never seen before (a new hashtag)
   or new company it does not speak of (below): the next flood uses the words of the last.
6. **New company.** A place name is everyday talk and does not burst when something happens there;
   a second flood uses the words of the first. Pairs of each post's least common terms are counted
   against a baseline of pairs; a known word that a post pairs for the first time with a word of
   news (of an open event, or of one closed in the last ``story_memory_s``) is *in new company*,
   and a word in new company in improbably many posts, against its own baseline of such posts,
   opens an event ("Beeston" with "riot", "Kehl" with "flooded"), which owns those new pairs. A
   one-word name of a district of the operation's area needs only ``incident_log_p``.
7. **Life cycle.** emerging (first ``emerging_s``) -> active -> fading (rate under a third of its
   peak) -> closed (none of its terms bursting for ``close_after_s``, however many everyday posts
   still join it), each change raised as a signal; an open event's new numbers are reported at most
   every ``progress_every_s`` (``progress`` true), so that what reads its latest signal sees its
   current size.

Memory is bounded whatever the stream's length: the window holds at most ``window_s / bucket_s``
buckets, the baseline and the window vocabularies are capped maps, open events are capped, and an
event keeps counts, sums and a fixed sample rather than its posts.

Bad input degrades the output rather than the process, and the output says so (``degraded`` in every
signal's details and in :meth:`EventDetector.health`): a clock going backwards is ignored (time only
moves forward); posts dated outside ``[now - window_s, now + future_s]`` are not counted; an account's
posts beyond ``max_posts_per_account`` a minute count only incident words and districts it has not
been counted for since (at most ``max_capped_terms``), so a flood of one account counts once;
identical texts beyond ``max_identical`` a minute are not counted (they still join events, so a flood
shows in their size).
"""

from __future__ import annotations

import math
import threading
from collections import Counter, deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

import msgspec

from civicpulse.detectors.area import AreaMap, is_near_term, near_term
from civicpulse.detectors.base import Detector, Signal
from civicpulse.detectors.event_report import event_details, rate
from civicpulse.detectors.event_state import MAX_REASONS, STATE_VERSION, Event, EventSettings, Reason, Recent, State
from civicpulse.detectors.incident_lexicon import INCIDENT_WORDS, is_incident_term
from civicpulse.detectors.seasonal import HOUR_S
from civicpulse.detectors.slips import MIN_SLIP_CHARS, SlipIndex, likely_slip, reference_vocabulary, space_slip
from civicpulse.detectors.stats import distinct_add, poisson_tail_below
from civicpulse.detectors.terms import STOP_WORDS, adjacent_words, post_terms
from civicpulse.post import Post
from civicpulse.registry import detectors

__all__ = ["EventDetector", "EventSettings"]

#: Words whose ``likely_slip`` answer is kept until the baseline next changes (each ``bucket_s``).
_MAX_CACHED_SLIPS = 10_000
#: Which incident word a slip of the thumb stands for ("poliice", "searhcing").
_INCIDENT_SLIPS = SlipIndex(INCIDENT_WORDS)
#: A district's name this long or longer is recognised through a slip ("RUSHOMLE"); shorter ones are
#: one edit from too many words ("Kehl": "keel", "kelh").
MIN_NAME_SLIP_CHARS = 6


@detectors.register("events")
class EventDetector(Detector):
    """Bursty-term story detection over a sliding window (see the module documentation)."""

    name: ClassVar[str] = "events"
    version: ClassVar[int] = 1

    def __init__(self, settings: EventSettings | None = None, area: AreaMap | None = None) -> None:
        self.settings = settings or EventSettings()
        self.area: AreaMap | None = None
        self._place_words: frozenset[str] = frozenset()
        self._name_slips = SlipIndex(())
        if area:
            self.use_area(area)
        self._s = State()
        self._recent: deque[Recent] = deque(maxlen=self.settings.max_recent_posts)
        self._rare_below = -1.0
        self._novel_ready = False
        # ``likely_slip`` answers by (language, word) for the current baseline, cleared whenever the
        # baseline changes.
        self._slips: dict[tuple[str, str], bool] = {}
        # Words' usual shares at the current hour of the day, recomputed when the hour changes.
        self._usual_hour = -1
        self._usual: dict[str, float] = {}
        # The pipeline snapshots from its writer thread while the processor thread updates.
        self._lock = threading.Lock()

    # -- the contract ----------------------------------------------------------------------------

    def update_many(self, posts: Sequence[Post], now: datetime) -> list[Signal]:
        with self._lock:
            return self._update(posts, now)

    def _update(self, posts: Sequence[Post], now: datetime) -> list[Signal]:
        s, cfg = self._s, self.settings
        now_s = now.timestamp()
        if not s.started:
            s.started = s.clock = now_s
        if now_s < s.clock - cfg.bucket_s:
            self._note("clock_backwards")
        s.clock = max(s.clock, now_s)
        self._advance()
        touched: set[str] = set()
        touched_novel: set[str] = set()
        confirmed: list[tuple[list[str], list[str]]] = []
        mature = s.baseline_total >= cfg.mature_windows * max(s.window_total, 1)
        self._rare_below = cfg.new_count if cfg.confirm_pairs and mature else -1.0
        self._novel_ready = s.baseline_total >= cfg.novel_mature_windows * max(s.window_total, 1)
        for post in posts:
            self._take(post, touched, touched_novel, confirmed)
        signals: list[Signal] = []
        if s.clock - s.started >= cfg.warmup_s:
            signals.extend(self._confirm(confirmed))
            signals.extend(self._form(touched, touched_novel))
        signals.extend(self._lifecycle())
        return signals

    def snapshot(self) -> bytes:
        with self._lock:
            self._s.recent = list(self._recent)
            try:
                return msgspec.msgpack.encode(self._s)
            finally:
                self._s.recent = []

    def restore(self, state: bytes) -> None:
        if not state:
            return
        loaded = msgspec.msgpack.decode(state, type=State)
        if loaded.version != STATE_VERSION:
            return  # an older layout: start learning afresh rather than misread it
        with self._lock:
            self._recent = deque(loaded.recent, maxlen=self.settings.max_recent_posts)
            loaded.recent = []
            self._s = loaded
            self._slips = {}
            self._usual_hour = -1

    def use_area(self, area: AreaMap) -> None:
        self.area = area or None
        self._place_words = area.name_words() if area else frozenset()
        self._name_slips = SlipIndex(self._place_words, min_chars=MIN_NAME_SLIP_CHARS)

    def health(self) -> dict[str, Any]:
        """What the detector is doing and what it had to drop (shown with every signal)."""
        s = self._s
        return {
            "learning": s.clock - s.started < self.settings.warmup_s,
            "open_events": len(s.events),
            "window_posts": s.window_total,
            "baseline_terms": len(s.baseline),
            "baseline_pairs": len(s.pair_baseline),
            "degraded": dict(s.degraded),
        }

    # -- ingest ----------------------------------------------------------------------------------

    def _note(self, what: str, n: int = 1) -> None:
        self._s.degraded[what] = self._s.degraded.get(what, 0) + n

    def _advance(self) -> None:
        """Fold the buckets that left the window into the baseline."""
        s, cfg = self._s, self.settings
        oldest = self._bucket(s.clock - cfg.window_s) + 1
        expired = sorted(b for b in s.buckets if b < oldest)
        if not expired:
            return
        self._slips = {}
        decay = 0.5 ** (cfg.bucket_s / cfg.half_life_s)
        for index in expired:
            counts = s.buckets.pop(index)
            total = s.bucket_totals.pop(index, 0)
            for term, n in counts.items():
                left = s.window[term] - n
                if left > 0:
                    s.window[term] = left
                else:
                    del s.window[term]
                s.baseline[term] = s.baseline.get(term, 0.0) + n
            s.window_total -= total
            s.baseline_total += total
            s.daily.add(int(index * cfg.bucket_s // HOUR_S), counts, total, keep_words=cfg.seasonal_words,
                        days=cfg.seasonal_days)
            _fold(s.pair_buckets.pop(index, {}), s.pair_window, s.pair_baseline)
            _fold(s.novel_buckets.pop(index, {}), s.novel_window, s.novel_baseline)
        # Decay lazily: rescale every term once the owed factor reaches 1 % (about every 100 s of
        # stream time by default), not every term at every bucket.
        s.owed_decay *= decay ** len(expired)
        if s.owed_decay < 0.99 or len(s.baseline) > cfg.max_baseline_terms:
            self._decay(s.owed_decay)
            s.owed_decay = 1.0
        # The pairs, many more, are rescaled ten times less often (about every 15 minutes): their
        # counts are only compared with ``novel_below``, and a count up to 10 % high only makes a
        # pair look less new.
        s.pair_owed_decay *= decay ** len(expired)
        if s.pair_owed_decay < 0.9 or len(s.pair_baseline) > cfg.max_baseline_pairs:
            self._decay_pairs(s.pair_owed_decay)
            s.pair_owed_decay = 1.0
        while self._recent and self._recent[0].bucket < oldest:
            self._recent.popleft()

    def _decay(self, factor: float) -> None:
        s, cfg = self._s, self.settings
        s.baseline_total *= factor
        s.languages = {k: v * factor for k, v in s.languages.items()}
        floor = 0.05
        s.baseline = {t: v * factor for t, v in s.baseline.items() if v * factor >= floor}
        if len(s.baseline) > cfg.max_baseline_terms:
            keep = sorted(s.baseline.items(), key=lambda kv: (-kv[1], kv[0]))[: cfg.max_baseline_terms // 2]
            self._note("baseline_pruned", len(s.baseline) - len(keep))
            s.baseline = dict(keep)
        s.novel_baseline = {t: v * factor for t, v in s.novel_baseline.items() if v * factor >= floor}
        if len(s.novel_baseline) > cfg.max_baseline_terms:
            s.novel_baseline = dict(sorted(s.novel_baseline.items(), key=lambda kv: (-kv[1], kv[0]))
                                    [: cfg.max_baseline_terms // 2])

    def _decay_pairs(self, factor: float) -> None:
        s, cfg = self._s, self.settings
        # A pair only matters while its count is near ``novel_below``: one seen once is forgotten
        # after a half-life (the words' floor keeps them ten times longer), so that the map is flat
        # after a few hours of stream rather than filling up to its cap.
        floor = 0.5 * cfg.novel_below
        s.pair_baseline = {t: v * factor for t, v in s.pair_baseline.items() if v * factor >= floor}
        if len(s.pair_baseline) > cfg.max_baseline_pairs:
            keep = sorted(s.pair_baseline.items(), key=lambda kv: (-kv[1], kv[0]))[: cfg.max_baseline_pairs // 2]
            self._note("pair_baseline_pruned", len(s.pair_baseline) - len(keep))
            s.pair_baseline = dict(keep)

    def _usual_now(self) -> dict[str, float]:
        s, cfg = self._s, self.settings
        hour = int(s.clock // HOUR_S)
        if hour != self._usual_hour:
            self._usual_hour = hour
            self._usual = s.daily.expected(hour, days=cfg.seasonal_days, min_days=cfg.seasonal_min_days,
                                           min_total=cfg.seasonal_min_posts)
        return self._usual

    def _bucket(self, t: float) -> int:
        return int(t // self.settings.bucket_s)

    def _take(self, post: Post, touched: set[str], touched_novel: set[str],
              confirmed: list[tuple[list[str], list[str]]]) -> None:
        s, cfg = self._s, self.settings
        t = post.created_at.timestamp()
        if t < s.clock - cfg.window_s or t > s.clock + cfg.future_s:
            self._note("outside_window")
            return
        words = post_terms(post)
        terms = words + self._near(post, words) if self.area else words
        if post.repost_of is not None:
            self._join(post, terms, t, original=False)
            return
        if post.reply_to is not None:
            parent_event = s.joined.get(post.reply_to) or s.joined_before.get(post.reply_to)
            event = s.events.get(parent_event) if parent_event is not None else None
            if event is not None:
                # Conversation under a story ("hope nobody is hurt", "this is fake, stop sharing"):
                # part of it, and no evidence of a new one, so its words are not counted.
                self._add(event, post, terms, t, original=False)
                return
        minute = int(s.clock // 60)
        if minute != s.minute:
            s.minute, s.account_counts, s.text_counts, s.capped_terms = minute, {}, {}, {}
        author = post.author.id
        n = s.account_counts.get(author, 0) + 1
        capped = n > cfg.max_posts_per_account
        if capped:
            terms = self._past_cap(author, terms)
            if not terms:
                self._note("account_capped")
                return
        elif len(s.account_counts) < 500_000:
            s.account_counts[author] = n
        key = post.text[:200]
        same = s.text_counts.get(key, 0) + 1
        if len(s.text_counts) < 200_000:
            s.text_counts[key] = same
        if same > cfg.max_identical:
            self._note("identical_capped")
            self._join(post, terms, t, original=True)
            return
        index = self._bucket(t)
        bucket = s.buckets.get(index)
        if bucket is None:
            bucket = s.buckets[index] = {}
        window = s.window
        full = len(window) >= cfg.max_window_terms
        for term in terms:
            if full and term not in window:
                self._note("vocabulary_capped")
                continue
            bucket[term] = bucket.get(term, 0) + 1
            window[term] = window.get(term, 0) + 1
        s.bucket_totals[index] = s.bucket_totals.get(index, 0) + 1
        s.window_total += 1
        touched.update(terms)
        # A busy account's post past its cap counts as a witness of what it says for the first time,
        # not as company or a first story: those compare whole posts.
        pairs, novel = self._pairs(words) if not capped else ([], [])
        if pairs:
            self._count(s.pair_buckets, s.pair_window, index, pairs, cfg.max_window_pairs, "pairs_capped")
        if novel:
            self._count(s.novel_buckets, s.novel_window, index, novel, cfg.max_window_terms, "vocabulary_capped")
            touched_novel.update(novel)
        language = post.language or "und"
        if language in s.languages or len(s.languages) < 50:
            s.languages[language] = s.languages.get(language, 0.0) + 1.0
        if self._rare_below >= 0 and post.quote_of is None and not capped:
            known = s.languages.get(language, 0.0) >= cfg.mature_language_posts
            self._pair(post, index, words, confirmed if known else None)
        geo = post.geo
        self._recent.append(Recent(index, post.id, author, terms, geo.lat if geo else None,
                                    geo.lon if geo else None, post.language, post.text[:140], novel))
        self._join(post, terms, t, original=True, pairs=pairs)

    def _past_cap(self, author: str, terms: list[str]) -> list[str]:
        """The witness terms (incident words, ``near:`` districts) of a post by an account past
        ``max_posts_per_account`` this minute that it has not been counted for since it reached the
        cap, at most ``max_capped_terms`` a minute. A busy account's tenth post about the weather is
        not counted (its everyday words would burst whenever busy accounts are busier), its one post
        about police at Rusholme is; a flooding account's ten thousand posts of one text count once."""
        terms = [t for t in terms if _incident_or_near(t)]
        if not terms:
            return []
        s, cfg = self._s, self.settings
        counted = s.capped_terms.get(author)
        if counted is None:
            if len(s.capped_terms) >= 50_000:
                return []
            counted = s.capped_terms[author] = []
        room = cfg.max_capped_terms - len(counted)
        fresh = [t for t in terms if t not in counted][: max(room, 0)]
        counted.extend(fresh)
        return fresh

    def _near(self, post: Post, words: list[str]) -> list[str]:
        """``near:<district>`` for each district of the area the post names or is geotagged in, when it
        says a word of the incident vocabulary (see :mod:`civicpulse.detectors.area`). A word never
        seen before one slip from an incident word or a district's name counts as that word
        ("POLICE DOGS OUT IN RUSHOMLE"): a slip must not hide a witness."""
        area = self.area
        if area is None:
            return []
        unknown: list[str] | None = None
        if not any(is_incident_term(w) for w in words):
            unknown = self._unknown(words)
            if not any(_INCIDENT_SLIPS.target_of(w) for w in unknown):
                return []
        districts = area.named_in(post.text)
        if self._name_slips:
            for word in self._unknown(words) if unknown is None else unknown:
                name = self._name_slips.target_of(word)
                district = area.district_named(name) if name is not None else None
                if district is not None:
                    districts.add(district)
        geo = post.geo
        if geo is not None and geo.lat is not None and geo.lon is not None:
            at = area.district_at(geo.lat, geo.lon)
            if at is not None:
                districts.add(at)
        return [near_term(d) for d in sorted(districts)]

    def _unknown(self, words: list[str]) -> list[str]:
        """The words of a post, long enough to be judged, that the stream does not know (slips are)."""
        base, known, shortest = self._s.baseline, self.settings.known_count, MIN_SLIP_CHARS
        return [w for w in words if len(w) >= shortest and base.get(w, 0.0) < known and w.isalpha()]

    def _pairs(self, terms: list[str]) -> tuple[list[str], list[str]]:
        """The pairs ("a b", a < b) of the post's ``pair_terms`` least common terms, and its terms in
        new company (none until the baseline is mature)."""
        s, cfg = self._s, self.settings
        base = s.baseline
        if len(terms) > cfg.pair_terms:
            least = sorted(terms, key=lambda t: (base.get(t, 0.0), t))[: cfg.pair_terms]
            # A district's name is everyday talk, so a long post's least common terms leave it out,
            # and new company would never judge the one word it is meant for.
            terms = least + [t for t in terms if t in self._place_words and t not in least]
        ordered = sorted(terms)
        pairs = [f"{a} {b}" for i, a in enumerate(ordered) for b in ordered[i + 1:]]
        if not self._novel_ready:
            return pairs, []
        owner, story = s.owner, s.story_words
        news = [t for t in ordered if t in owner or t in story]
        if not news:
            return pairs, []
        known = [t for t in ordered if base.get(t, 0.0) >= cfg.known_count]
        novel: set[str] = set()
        pair_baseline, below = s.pair_baseline, cfg.novel_below
        for x in news:
            for a in known:
                if a == x or a in novel or (a in owner and owner[a] == owner.get(x)):
                    continue
                if pair_baseline.get(f"{a} {x}" if a < x else f"{x} {a}", 0.0) < below:
                    novel.add(a)
        return pairs, sorted(novel)

    def _count(self, buckets: dict[int, dict[str, int]], window: dict[str, int], index: int,
               keys: list[str], cap: int, note: str) -> None:
        bucket = buckets.get(index)
        if bucket is None:
            bucket = buckets[index] = {}
        full = len(window) >= cap
        for key in keys:
            if full and key not in window:
                self._note(note)
                continue
            bucket[key] = bucket.get(key, 0) + 1
            window[key] = window.get(key, 0) + 1

    def _pair(self, post: Post, index: int, terms: list[str],
              confirmed: list[tuple[list[str], list[str]]] | None) -> None:
        """Record pairs of new terms; a pair seen before from another account is confirmed.

        ``confirmed`` is ``None`` when the post's language is too little known to call a word new:
        the post's pairs are still recorded, for a post in a well-known language to confirm.
        """
        s, below = self._s, self._rare_below
        rare = sorted(t for t in terms if t not in s.owner and s.baseline.get(t, 0.0) <= below)[:6]
        if len(rare) < 2:
            return
        oldest = index - int(self.settings.window_s / self.settings.bucket_s)
        for i, a in enumerate(rare):
            for b in rare[i + 1:]:
                key = f"{a} {b}"
                seen = s.pairs.get(key)
                if seen is not None and seen[0] >= oldest:
                    if seen[1] != post.author.id and confirmed is not None and not self._slip(post, a, b):
                        confirmed.append(([a, b], [seen[2], post.id]))
                    continue
                if len(s.pairs) >= self.settings.max_pairs:
                    s.pairs = {k: v for k, v in s.pairs.items() if v[0] >= oldest}
                    if len(s.pairs) >= self.settings.max_pairs:
                        self._note("pairs_capped")
                        continue
                s.pairs[key] = (index, post.author.id, post.id)

    def _slip(self, post: Post, *words: str) -> bool:
        """Whether one of ``words`` of ``post`` is likely a slip of the thumb
        (:mod:`civicpulse.detectors.slips`): a misspelling of a known word, or half of a misplaced
        space between two. Two accounts sharing one slip of a common text are not two witnesses to
        a new story."""
        if not self.settings.refuse_slips:
            return False
        base, known = self._s.baseline, self.settings.known_count

        def in_stream(word: str) -> bool:
            return base.get(word, 0.0) >= known

        def is_word(word: str) -> bool:  # stop words are never terms, so never in the baseline
            return word in STOP_WORDS or in_stream(word)

        adjacent = adjacent_words(post.text)
        if any(space_slip(word, adjacent, is_word) for word in words):
            return True
        language, vocabulary = post.language, reference_vocabulary(post.language)
        if language is None or vocabulary is None:
            return False
        cache = self._slips
        for word in words:
            slip = cache.get((language, word))
            if slip is None:
                slip = likely_slip(word, in_stream, vocabulary)
                if len(cache) < _MAX_CACHED_SLIPS:
                    cache[language, word] = slip
            if slip:
                return True
        return False

    def _confirm(self, confirmed: list[tuple[list[str], list[str]]]) -> list[Signal]:
        """Open events for confirmed pairs of rare terms (pairs sharing a post form one event)."""
        if not confirmed:
            return []
        s = self._s
        by_id = {r.post_id: r for r in self._recent}
        groups: list[tuple[list[str], set[str]]] = []
        for terms, post_ids in confirmed:
            if any(t in s.owner for t in terms):
                continue
            for group_terms, group_posts in groups:
                if group_posts & set(post_ids) or set(group_terms) & set(terms):
                    group_terms.extend(t for t in terms if t not in group_terms)
                    group_posts.update(post_ids)
                    break
            else:
                groups.append((list(terms), set(post_ids)))
        signals: list[Signal] = []
        for group_terms, group_posts in groups:
            seeds = [by_id[p] for p in sorted(group_posts) if p in by_id]
            if len({r.author for r in seeds}) < 2:
                continue
            # Posts already part of a young story (most of them share two of its terms) extend it
            # rather than start another. An old one does not take in words never seen before (see
            # ``_extends``), and a confirmed pair is two: "#leedsfire" and "smoke" are the next fire,
            # not more of a riot 90 minutes old whose posts spoke of burning cars.
            owners: Counter[str] = Counter()
            young = self._young_words()
            for record in seeds:
                shared = Counter(s.owner[t] for t in record.terms if t in s.owner and s.owner[t] in young)
                owners.update(e for e, n in shared.items() if n >= self.settings.merge_shared_terms)
            if not owners:
                # Or they share the vocabulary of a young story ("#highparkfire" in posts about the
                # Colorado fire found a minute ago).
                need = self.settings.merge_shared_terms
                for event_id, words in young.items():
                    owners[event_id] = sum(len(words.intersection(r.terms)) >= need for r in seeds)
            target = min(owners, key=lambda e: (-owners[e], s.events[e].signalled_at, e), default=None)
            if target is not None and owners[target] * 2 >= len(seeds):
                s.events[target].terms.extend(group_terms)
                for term in group_terms:
                    s.owner[term] = target
                continue
            if not self._room(signals):
                continue
            accounts = len({r.author for r in seeds})
            reasons = [Reason(term, "new_words", accounts, 0.0) for term in group_terms]
            signals.append(self._open(group_terms, seeds, reasons=reasons))
        return signals

    def _join(self, post: Post, terms: list[str], t: float, *, original: bool, pairs: Sequence[str] = ()) -> None:
        """Add ``post`` to the event owning one of its pairs, else to the event of a district it names
        with incident words, else to the open event sharing most of its terms, if any."""
        pair_owner = self._s.pair_owner
        if pairs and pair_owner:
            for pair in pairs:
                event_id = pair_owner.get(pair)
                if event_id is not None:
                    self._add(self._s.events[event_id], post, terms, t, original=original)
                    return
        owner = self._s.owner
        if not owner:
            return
        # A post that names a district with incident words is about that district's event, whatever
        # words it shares with an older one ("inondée" in Port du Rhin while Neudorf is flooded).
        # near: terms come last (see ``_take``).
        for term in reversed(terms):
            if not is_near_term(term):
                break
            event_id = owner.get(term)
            if event_id is not None:
                self._add(self._s.events[event_id], post, terms, t, original=original)
                return
        votes: dict[str, int] = {}
        for term in terms:
            event_id = owner.get(term)
            if event_id is not None:
                votes[event_id] = votes.get(event_id, 0) + 1
        if not votes:
            return
        event_id = max(votes, key=lambda e: (votes[e], -int(e.rsplit("-", 1)[1])))
        self._add(self._s.events[event_id], post, terms, t, original=original)

    def _add(self, event: Event, post: Post, terms: list[str], t: float, *, original: bool) -> None:
        cfg = self.settings
        event.posts += 1
        index = self._bucket(t)
        event.buckets[index] = event.buckets.get(index, 0) + 1
        if original:
            event.originals += 1
            for term in terms:
                if term in event.term_counts or len(event.term_counts) < 200:
                    event.term_counts[term] = event.term_counts.get(term, 0) + 1
        distinct_add(event.author_sketch, post.author.id)
        self._remember(post.id, event.id)
        _count_language(event, post.language)
        geo = post.geo
        if geo is not None:
            _locate(event, geo.lat, geo.lon)
        if len(event.sample) < cfg.sample_size:
            event.sample.append(post.id)
        if original:
            metrics = post.metrics
            score = 0 if metrics is None else sum(
                v or 0 for v in (metrics.likes, metrics.reposts, metrics.replies, metrics.quotes))
            if len(event.top) < cfg.top_posts or score > event.top[-1][0]:
                event.top.append((score, post.id, post.text[:280]))
                event.top.sort(key=lambda x: -x[0])
                del event.top[cfg.top_posts:]

    def _remember(self, post_id: str, event_id: str) -> None:
        s = self._s
        s.joined[post_id] = event_id
        if len(s.joined) >= max(1, self.settings.max_reply_parents // 2):
            s.joined_before, s.joined = s.joined, {}

    # -- events ----------------------------------------------------------------------------------

    def _bursting(self, touched: set[str], window: dict[str, int], baseline: dict[str, float],
                  owner: dict[str, str], log_p: float, incident_log_p: float,
                  incident_like: Callable[[str], bool],
                  usual: dict[str, float] | None = None) -> dict[str, tuple[int, float]]:
        """Bursting terms (or pairs) no event owns yet -> (their count in the window, the count
        expected), largest first; an owned one that bursts keeps its event open. Terms that
        ``incident_like`` says are few and telling burst under ``incident_log_p``, not ``log_p``.
        ``usual``: shares of posts that terms have at this hour of the day (none expected lower)."""
        s, cfg = self._s, self.settings
        if s.window_total <= 0 or s.baseline_total <= 0:
            return {}
        scale = s.window_total / (s.baseline_total + 1.0)
        found: list[tuple[int, str, float]] = []
        for term in touched:
            k = window.get(term, 0)
            if k < cfg.min_authors:
                continue
            lam = (baseline.get(term, 0.0) + 1.0) * scale
            if usual:
                lam = max(lam, usual.get(term, 0.0) * s.window_total)
            threshold = log_p
            if incident_log_p > log_p and incident_like(term):
                threshold = incident_log_p
            if poisson_tail_below(k, lam, threshold):
                event_id = owner.get(term)
                if event_id is None:
                    found.append((k, term, lam))
                else:
                    s.events[event_id].last_burst = s.clock
        found.sort(key=lambda x: (-x[0], x[1]))
        return {term: (k, lam) for k, term, lam in found}

    def _form(self, touched: set[str], touched_novel: set[str]) -> list[Signal]:
        s, cfg = self._s, self.settings
        bursting = self._bursting(touched, s.window, s.baseline, s.owner, cfg.burst_log_p, cfg.incident_log_p,
                                  _incident_or_near, self._usual_now())
        # A term in new company is a candidate of its own, told from the term by a prefix. A
        # district's name in new company is as telling as a word of the incident vocabulary.
        novel = {f"novel:{t}": x for t, x in
                 self._bursting(touched_novel, s.novel_window, s.novel_baseline, {}, cfg.novel_log_p,
                                cfg.incident_log_p, self._place_words.__contains__).items()}
        if not bursting and not novel:
            return []
        recent = list(self._recent)
        # One pass over the recent posts: which of them carry each term of interest.
        wanted = set(bursting).union(*(e.terms for e in s.events.values()),
                                     *(p.split(" ", 1) for e in s.events.values() for p in e.pairs))
        index: dict[str, set[int]] = {}
        for i, record in enumerate(recent):
            for term in record.terms:
                if term in wanted:
                    index.setdefault(term, set()).add(i)
            for term in record.novel:
                key = f"novel:{term}"
                if key in novel:
                    index.setdefault(key, set()).add(i)
        empty: set[int] = set()

        def carrying(pair: str) -> set[int]:
            a, b = pair.split(" ", 1)
            return index.get(a, empty) & index.get(b, empty)

        open_sets = {eid: set().union(*(index.get(t, empty) for t in e.terms), *(carrying(p) for p in e.pairs))
                     for eid, e in s.events.items()}
        groups: list[tuple[list[str], set[int]]] = []
        vocabulary: dict[str, set[int]] | None = None
        for key in [*bursting, *novel]:
            mine = index.get(key, empty)
            if len({recent[i].author for i in mine}) < cfg.min_authors:
                continue
            posts = [recent[i] for i in mine]
            target = next((e for e in _holding(mine, open_sets, cfg.merge_share)
                           if self._extends(s.events[e], key, posts)), None)
            if target is None:
                # Posts of a story under way that name none of its defining words ("a brick thrown
                # near Cross Flatts Park" during the Beeston disorder) still share its vocabulary.
                vocabulary = self._vocabulary(recent) if vocabulary is None else vocabulary
                target = next(iter(_holding(mine, vocabulary, cfg.merge_share)), None)
            if target is not None:
                event = s.events[target]
                if key in bursting:
                    event.terms.append(key)
                    s.owner[key] = target
                event.last_burst = s.clock
                open_sets[target] |= mine
                continue
            for group_terms, group_posts in groups:
                if _jaccard(mine, group_posts) >= cfg.merge_jaccard:
                    group_terms.append(key)
                    group_posts |= mine
                    break
            else:
                groups.append(([key], set(mine)))
        signals: list[Signal] = []
        for group_terms, group_posts in groups:
            if len({recent[i].author for i in group_posts}) < cfg.min_authors:
                continue
            if not self._room(signals):
                continue
            # A burst of a common word (a district's name) is the excess over its usual count: the
            # posts whose words are most unusual right now explain it best.
            counts = [bursting.get(k) or novel[k] for k in group_terms]
            keep = max(cfg.min_authors, math.ceil(max(k - lam for k, lam in counts)))
            seeds = [recent[i] for i in sorted(group_posts, key=lambda i: (-self._elevated(recent[i]), i))[:keep]]
            terms = [k for k in group_terms if k in bursting]
            new_company = {k.removeprefix("novel:") for k in group_terms if k in novel}
            # A story told by new company owns its new pairs ("inondée kehl"), so that later posts
            # join it rather than the older story whose words they share, and the words in them
            # that no open event owns.
            company = Counter(p for r in seeds for p in self._company(r, new_company))
            pairs = [p for p, _ in company.most_common() if p not in s.pair_owner][: cfg.max_event_pairs]
            terms.extend(dict.fromkeys(t for t in [*sorted(new_company), *(w for p in pairs[:3] for w in p.split(" "))]
                                       if t not in s.owner and t not in terms))
            # Every post of the burst is about the story, seed or not: replies to any of them join it.
            reasons = [Reason(key.removeprefix("novel:"), _rule(key), k, round(lam, 2))
                       for key, (k, lam) in zip(group_terms, counts, strict=True)]
            signals.append(self._open(terms, seeds, pairs, members=[recent[i].post_id for i in group_posts],
                                      reasons=reasons))
        return signals

    def _young_words(self) -> dict[str, set[str]]:
        """The dozen most frequent words of each young event (see ``_extends``)."""
        s = self._s
        return {e.id: {t for t, _ in sorted(e.term_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:12]}
                for e in s.events.values() if s.clock - e.signalled_at < self.settings.new_thread_after_s}

    def _vocabulary(self, recent: list[Recent]) -> dict[str, set[int]]:
        """For each young event, the recent posts sharing ``merge_shared_terms`` of its words."""
        need = self.settings.merge_shared_terms
        return {event_id: {i for i, r in enumerate(recent) if len(words.intersection(r.terms)) >= need}
                for event_id, words in self._young_words().items()}

    def _company(self, record: Recent, terms: set[str]) -> list[str]:
        """The new pairs of ``record`` joining one of ``terms`` to a word of news."""
        s = self._s
        news = [x for x in record.terms if (x in s.owner or x in s.story_words) and not is_near_term(x)]
        pairs = []
        for a in record.novel:
            if a in terms:
                for x in news:
                    pair = f"{a} {x}" if a < x else f"{x} {a}"
                    if x != a and s.pair_baseline.get(pair, 0.0) < self.settings.novel_below:
                        pairs.append(pair)
        return pairs

    def _extends(self, event: Event, key: str, posts: list[Recent]) -> bool:
        """Whether a candidate whose posts are mostly ``event``'s is part of it rather than a story
        of its own. A young event takes in what bursts among its posts (a story grows new words as
        it unfolds); an older one (``new_thread_after_s``) neither a word never seen before (a new
        hashtag), nor new company, nor a district it does not already speak of: "#crue", "Kehl" with
        "flooded", or "flooded" said of Port du Rhin, among the words of a flood an hour old are the
        next flood, not the same one."""
        s, cfg = self._s, self.settings
        if s.clock - event.signalled_at < cfg.new_thread_after_s:
            return True
        floor = 0.1 * max(event.originals, 1)
        if is_near_term(key):
            return key in event.terms or event.term_counts.get(key, 0) >= floor
        if not key.startswith("novel:"):
            return s.baseline.get(key, 0.0) > cfg.new_count
        term = key.removeprefix("novel:")
        partners = Counter(p for r in posts for p in self._company(r, {term}))
        words = {term, *(w for pair, _ in partners.most_common(3) for w in pair.split(" ", 1))}
        return all(t in event.terms or event.term_counts.get(t, 0) >= floor for t in words)

    def _elevated(self, record: Recent) -> float:
        """How unusual the post's words are right now: the sum of log(count / expected) over its
        terms seen at least twice in the window, plus 2 for each word of an open event."""
        s = self._s
        scale = s.window_total / (s.baseline_total + 1.0)
        score = 0.0
        for term in record.terms:
            if term in s.owner:
                # A word of a story already under way: "flooded" in a post about Kehl is news
                # about Kehl, "coffee" is not.
                score += 2.0
            k = s.window.get(term, 0)
            if k >= 2:
                score += max(0.0, math.log(k / ((s.baseline.get(term, 0.0) + 1.0) * scale + 0.5)))
        return score

    def _open(self, terms: list[str], seeds: list[Recent], pairs: Sequence[str] = (),
              members: Sequence[str] | None = None, reasons: Sequence[Reason] = ()) -> Signal:
        """A new event told by ``seeds``; ``members`` (default: the seeds) are the posts about it whose
        replies join it; ``reasons`` are why it was raised."""
        s = self._s
        event_id = f"event-{s.next_event}"
        s.next_event += 1
        first = min(r.bucket for r in seeds) * self.settings.bucket_s
        strongest = sorted(reasons, key=lambda r: (-r.posts, r.expected, r.term))[:MAX_REASONS]
        event = Event(id=event_id, terms=list(terms), raised_by=strongest, pairs=list(pairs), first_seen=first,
                       signalled_at=s.clock, last_burst=s.clock, example=seeds[0].text if seeds else "")
        for record in seeds:
            event.posts += 1
            event.originals += 1
            event.buckets[record.bucket] = event.buckets.get(record.bucket, 0) + 1
            for term in record.terms:
                event.term_counts[term] = event.term_counts.get(term, 0) + 1
            distinct_add(event.author_sketch, record.author)
            if len(event.sample) < self.settings.sample_size:
                event.sample.append(record.post_id)
            _locate(event, record.lat, record.lon)
            _count_language(event, record.language)
        s.events[event_id] = event
        for post_id in members if members is not None else [r.post_id for r in seeds]:
            self._remember(post_id, event_id)
        for term in terms:
            s.owner[term] = event_id
        for pair in pairs:
            s.pair_owner[pair] = event_id
        return self._signal(event, "emerging")

    def _lifecycle(self) -> list[Signal]:
        s, cfg = self._s, self.settings
        if s.story_words and (len(s.story_words) > cfg.max_story_words
                              or min(s.story_words.values()) < s.clock - cfg.story_memory_s):
            recent = sorted(((t, at) for t, at in s.story_words.items() if at >= s.clock - cfg.story_memory_s),
                            key=lambda kv: (-kv[1], kv[0]))
            s.story_words = dict(recent[: cfg.max_story_words])
        signals = []
        now_bucket = self._bucket(s.clock)
        per_window = cfg.window_s / cfg.bucket_s
        for event in list(s.events.values()):
            for index in [b for b in event.buckets if b <= now_bucket - 2 * per_window]:
                del event.buckets[index]
            per_minute = rate(event, now_bucket, cfg)
            event.peak_rate = max(event.peak_rate, per_minute)
            if s.clock - event.last_burst >= cfg.close_after_s:
                signals.append(self._close(event))
                continue
            status = event.status
            if s.clock - event.signalled_at < cfg.emerging_s:
                status = "emerging"
            elif per_minute < event.peak_rate / 3:
                status = "fading"
            else:
                status = "active"
            if status != event.status:
                signals.append(self._signal(event, status))
            elif event.posts != event.reported_posts and s.clock - event.reported_at >= cfg.progress_every_s:
                signals.append(self._signal(event, status, progress=True))
        return signals

    def _close(self, event: Event) -> Signal:
        s = self._s
        signal = self._signal(event, "closed")
        del s.events[event.id]
        for term in event.terms:
            if s.owner.get(term) == event.id:
                del s.owner[term]
        for pair in event.pairs:
            if s.pair_owner.get(pair) == event.id:
                del s.pair_owner[pair]
        for term in event.terms:
            s.story_words[term] = s.clock
        return signal

    def _room(self, signals: list[Signal]) -> bool:
        """Whether a new event may open: below ``max_events``, or once an event due to close this step
        (its words quiet for ``close_after_s``), the quietest, is closed first to make room."""
        s, cfg = self._s, self.settings
        if len(s.events) < cfg.max_events:
            return True
        quiet = [e for e in s.events.values() if s.clock - e.last_burst >= cfg.close_after_s]
        if not quiet:
            self._note("events_capped")
            return False
        self._note("events_closed_for_room")  # first, so that the closing signal says so
        signals.append(self._close(min(quiet, key=lambda e: (e.last_burst, e.id))))
        return True

    def _signal(self, event: Event, status: str, progress: bool = False) -> Signal:
        event.status = status
        s = self._s
        event.reported_at, event.reported_posts = s.clock, event.posts
        details = event_details(event, status, clock=s.clock, settings=self.settings, area=self.area,
                                degraded=s.degraded, progress=progress)
        return Signal(detector=self.name, kind="event", key=event.id, at=datetime.fromtimestamp(s.clock, UTC),
                      summary=f"{status}: {details['title']} ({event.posts} posts)", post_ids=tuple(event.sample),
                      details=details)


def _incident_or_near(term: str) -> bool:
    return is_incident_term(term) or is_near_term(term)


def _rule(key: str) -> str:
    """The rule a candidate of ``_form`` met (see ``Reason``)."""
    if key.startswith("novel:"):
        return "new_company"
    if is_near_term(key):
        return "district"
    return "incident_words" if is_incident_term(key) else "burst"


def _fold(counts: dict[str, int], window: dict[str, int], baseline: dict[str, float]) -> None:
    """Move a bucket that left the window from ``window`` into ``baseline``."""
    for key, n in counts.items():
        left = window[key] - n
        if left > 0:
            window[key] = left
        else:
            del window[key]
        baseline[key] = baseline.get(key, 0.0) + n


def _jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _holding(mine: set[int], open_sets: dict[str, set[int]], threshold: float) -> list[str]:
    """The open events holding at least ``threshold`` of ``mine``, the largest share (then the
    newest event) first."""
    if not mine:
        return []
    shares = [(len(mine & posts) / len(mine), int(e.rsplit("-", 1)[1]), e) for e, posts in open_sets.items()]
    return [e for share, _, e in sorted(shares, reverse=True) if share >= threshold]


def _count_language(event: Event, language: str | None) -> None:
    if language and (language in event.languages or len(event.languages) < 20):
        event.languages[language] = event.languages.get(language, 0) + 1


def _locate(event: Event, lat: float | None, lon: float | None) -> None:
    if lat is None or lon is None:
        return
    event.geo_n += 1
    g = event.geo_sum
    g[0] += lat
    g[1] += lon
    g[2] += lat * lat
    g[3] += lon * lon
