"""The event detector's settings, and the state it saves and resumes from.

The state is msgspec structs, written as MessagePack by :meth:`EventDetector.snapshot
<civicpulse.detectors.events.EventDetector.snapshot>`. A snapshot of another layout is not read
(the detector starts learning afresh), so a change of these structs that an older snapshot would be
misread under must raise :data:`STATE_VERSION`.
"""

from __future__ import annotations

import msgspec

from civicpulse.detectors.seasonal import DailyShares

__all__ = ["MAX_REASONS", "STATE_VERSION", "Event", "EventSettings", "Reason", "Recent", "State"]

#: The layout of :class:`State`.
STATE_VERSION = 5


class EventSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Tuning of the event detector; the defaults are the measured default sensitivity."""

    bucket_s: float = 10.0
    window_s: float = 120.0
    #: Half-life of the learned baseline.
    half_life_s: float = 2 * 3600.0
    #: Stream time learnt before any event is raised (the baseline is meaningless before).
    warmup_s: float = 15 * 60.0
    #: log P-value under which a term bursts (about 1e-7 by default).
    burst_log_p: float = -16.0
    #: ... and under which a word of the incident vocabulary bursts ("police", "smoke", "flooded":
    #: :mod:`civicpulse.detectors.incident_lexicon`), about 5e-5. ``burst_log_p`` guards against
    #: chance bursts among the tens of thousands of words of everyday talk; the incident vocabulary
    #: is a few hundred words, so the same number of chance bursts allows a threshold about
    #: ln(100) higher, and a burst of one of them is news more often than not. Still ``min_authors``
    #: accounts. ``burst_log_p`` (or higher) turns it off.
    incident_log_p: float = -10.0
    #: Distinct accounts a bursting term, and a new event, need.
    min_authors: int = 3
    #: First-story confirmation: two posts by different accounts sharing two *new* terms (each with
    #: a decayed baseline count of at most ``new_count``) open an event at once, once the baseline
    #: holds ``mature_windows`` windows' worth of posts and ``mature_language_posts`` posts in the
    #: post's language (a word is not new merely because little of its language has been seen).
    confirm_pairs: bool = True
    new_count: float = 1.0
    mature_windows: float = 10.0
    mature_language_posts: float = 3000.0
    max_pairs: int = 200_000
    #: A pair is not confirmed when one of its words is likely a slip of the thumb
    #: (:mod:`civicpulse.detectors.slips`): "alightn" shared by two posts of "car alight near ..."
    #: is one slip of a common text, not two witnesses to a new story; so is "routef ermée".
    refuse_slips: bool = True
    #: New company: each original post's ``pair_terms`` least common terms are counted in pairs, in a
    #: baseline of pairs. A known term (baseline at least ``known_count``) that a post pairs with a
    #: word of news (a word of an open event, or of one closed in the last ``story_memory_s``) for
    #: the first time (pair baseline under ``novel_below``) is *in new company* in that post. A
    #: term in new company in improbably many posts (``novel_log_p``, against its own decayed count
    #: of such posts) is news about it: "Beeston" with "riot" after a riot in Harehills, "Kehl"
    #: with "flooded" during a flood in Neudorf. Place names are everyday words that do not burst
    #: alone, and the words of the second flood are those of the first. A one-word name of a
    #: district of the operation's area, one of a dozen words, bursts in new company under
    #: ``incident_log_p``, as a word of the incident vocabulary does.
    pair_terms: int = 6
    known_count: float = 3.0
    novel_below: float = 1.0
    novel_log_p: float = -16.0
    story_memory_s: float = 6 * 3600.0
    max_story_words: int = 5000
    #: New company is only judged once the baseline holds this many windows' worth of posts: the
    #: pairs of everyday talk take far longer to learn than its words.
    novel_mature_windows: float = 40.0
    max_baseline_pairs: int = 300_000
    max_window_pairs: int = 100_000
    #: New pairs an event told by new company owns (a post carrying one joins it first).
    max_event_pairs: int = 50
    #: A bursting term joins an open event holding this share of its recent posts ...
    merge_share: float = 0.5
    #: ... and bursting terms whose post sets overlap this much (Jaccard) form one new event.
    merge_jaccard: float = 0.2
    #: A confirmed pair joins an open event when most of its posts share this many of its terms.
    merge_shared_terms: int = 2
    emerging_s: float = 300.0
    #: A young event takes in what bursts among its posts; from this age on, a word never seen
    #: before or a term in new company that it does not speak of opens an event of its own.
    new_thread_after_s: float = 1800.0
    #: An event closes once none of its words has burst for this long: everyday posts that still name
    #: its district do not keep it open, and the next incident there is a new event.
    close_after_s: float = 900.0
    max_events: int = 100
    #: Per-minute contribution caps (a flooding account, a flood of one text). An account's posts
    #: past ``max_posts_per_account`` count only the incident words and ``near:`` districts it has
    #: not been counted for since, at most ``max_capped_terms`` a minute (a busy account's one post
    #: about an incident still counts; its everyday words do not).
    max_posts_per_account: int = 5
    max_capped_terms: int = 50
    max_identical: int = 30
    #: Posts dated more than this after ``now`` are not counted.
    future_s: float = 300.0
    #: Capped maps: terms in the baseline, terms in the window, recent posts kept for grouping.
    max_baseline_terms: int = 200_000
    max_window_terms: int = 100_000
    max_recent_posts: int = 5000
    #: A word is also judged against its usual share at this hour of the day: the median over the
    #: last ``seasonal_days`` days, once ``seasonal_min_days`` of them had ``seasonal_min_posts``
    #: posts in the hour and the hours either side; each hour keeps its ``seasonal_words`` most
    #: frequent words (``civicpulse.detectors.seasonal``).
    seasonal_days: int = 7
    seasonal_min_days: int = 3
    seasonal_min_posts: float = 200.0
    seasonal_words: int = 500
    #: Posts whose ids a signal carries, and top posts by engagement.
    sample_size: int = 30
    top_posts: int = 5
    #: Posts remembered with the event they joined, so that a reply to one joins that event (the
    #: conversation under a story is that story, not a new one); the oldest are forgotten first.
    max_reply_parents: int = 100_000
    #: An open event whose numbers changed is reported again (same status, ``progress`` true) at most
    #: this often, so that the dashboard and the event alert rules see its current size.
    progress_every_s: float = 60.0


class Reason(msgspec.Struct, array_like=True):
    """One piece of evidence an event was raised on: a term; the rule it met ("burst",
    "incident_words", "district", "new_company", or "new_words" for a first story); its posts in the
    window (for a first story, the accounts that shared it); and the count its baseline expected there
    (0 for a first story)."""

    term: str
    rule: str
    posts: int
    expected: float


#: Pieces of evidence an event keeps (its strongest first).
MAX_REASONS = 5


class Event(msgspec.Struct, kw_only=True):
    id: str
    terms: list[str]
    #: Why it was raised: the terms it opened on and the rule each met (empty for older snapshots).
    raised_by: list[Reason] = msgspec.field(default_factory=list)
    #: The new pairs of terms ("a b") that told it (new company): a post carrying one joins it first.
    pairs: list[str] = msgspec.field(default_factory=list)
    first_seen: float
    signalled_at: float
    #: When one of its terms last tested as bursting: an event whose words are no longer unusual
    #: closes even if everyday posts still use them.
    last_burst: float = 0.0
    status: str = "emerging"
    posts: int = 0
    originals: int = 0
    #: Distinct accounts that posted it, as a k-minimum-values sketch (``stats.distinct_add``).
    author_sketch: list[int] = msgspec.field(default_factory=list)
    #: Member posts per bucket index, for rate and growth (pruned to two windows).
    buckets: dict[int, int] = msgspec.field(default_factory=dict)
    peak_rate: float = 0.0
    term_counts: dict[str, int] = msgspec.field(default_factory=dict)
    languages: dict[str, int] = msgspec.field(default_factory=dict)
    geo_n: int = 0
    geo_sum: list[float] = msgspec.field(default_factory=lambda: [0.0, 0.0, 0.0, 0.0])
    sample: list[str] = msgspec.field(default_factory=list)
    #: [score, post id, text] of the most engaged posts.
    top: list[tuple[int, str, str]] = msgspec.field(default_factory=list)
    example: str = ""
    #: Stream time of its last signal and its posts then (progress signals).
    reported_at: float = 0.0
    reported_posts: int = 0


class Recent(msgspec.Struct, array_like=True):
    bucket: int
    post_id: str
    author: str
    terms: list[str]
    lat: float | None = None
    lon: float | None = None
    language: str | None = None
    #: The start of the text, so that a new event can show an example at once.
    text: str = ""
    #: Its terms in new company (see ``EventSettings.novel_below``).
    novel: list[str] = msgspec.field(default_factory=list)


class State(msgspec.Struct, kw_only=True):
    version: int = STATE_VERSION
    clock: float = 0.0
    started: float = 0.0
    buckets: dict[int, dict[str, int]] = msgspec.field(default_factory=dict)
    bucket_totals: dict[int, int] = msgspec.field(default_factory=dict)
    window: dict[str, int] = msgspec.field(default_factory=dict)
    window_total: int = 0
    baseline: dict[str, float] = msgspec.field(default_factory=dict)
    baseline_total: float = 0.0
    #: Decay factor not yet applied to the baseline (applied in steps, see ``_advance``).
    owed_decay: float = 1.0
    recent: list[Recent] = msgspec.field(default_factory=list)
    minute: int = -1
    account_counts: dict[str, int] = msgspec.field(default_factory=dict)
    text_counts: dict[str, int] = msgspec.field(default_factory=dict)
    #: Per account past its cap this minute, the witness terms it has been counted for since.
    capped_terms: dict[str, list[str]] = msgspec.field(default_factory=dict)
    events: dict[str, Event] = msgspec.field(default_factory=dict)
    owner: dict[str, str] = msgspec.field(default_factory=dict)
    next_event: int = 1
    degraded: dict[str, int] = msgspec.field(default_factory=dict)
    #: "term1 term2" -> [bucket, author, post id] of the first recent post with both rare terms.
    pairs: dict[str, tuple[int, str, str]] = msgspec.field(default_factory=dict)
    #: Decayed count of posts per language (same decay as the baseline).
    languages: dict[str, float] = msgspec.field(default_factory=dict)
    #: Pairs of terms ("a b", a < b): per bucket, in the window, in the baseline, and the event told
    #: by a new pair (see ``EventSettings.pair_terms``).
    pair_buckets: dict[int, dict[str, int]] = msgspec.field(default_factory=dict)
    pair_window: dict[str, int] = msgspec.field(default_factory=dict)
    pair_baseline: dict[str, float] = msgspec.field(default_factory=dict)
    pair_owner: dict[str, str] = msgspec.field(default_factory=dict)
    #: Decay factor not yet applied to the pairs' baseline.
    pair_owed_decay: float = 1.0
    #: Posts in which a term was novel: per bucket, in the window, in the baseline.
    novel_buckets: dict[int, dict[str, int]] = msgspec.field(default_factory=dict)
    novel_window: dict[str, int] = msgspec.field(default_factory=dict)
    novel_baseline: dict[str, float] = msgspec.field(default_factory=dict)
    #: Words of events closed recently -> when (news a while ago: "riot" after the first riot).
    story_words: dict[str, float] = msgspec.field(default_factory=dict)
    #: Post id -> the event it joined, in two generations (the older is dropped whole when the newer
    #: fills up: bounded, and O(1) per post), for the replies to those posts.
    joined: dict[str, str] = msgspec.field(default_factory=dict)
    joined_before: dict[str, str] = msgspec.field(default_factory=dict)
    #: Posts and frequent words per hour of stream time, for a week (words with a daily rhythm).
    daily: DailyShares = msgspec.field(default_factory=DailyShares)
