"""``civicpulse eval detection``: score the detectors on scenario ground truth and on CrisisLex.

**Scenarios.** Each built-in scenario is generated (posts plus ``truth.jsonl``/``truth.json``) and
replayed through the detectors in stream-time steps of :data:`STEP_S` seconds, with the step's end as
``now`` (the injected clock), cut by the pipeline's own :class:`~civicpulse.detectors.stream_clock.StreamClock`:
exactly the steps the pipeline gives them at any replay speed and batch size. The detectors are
given the scenario's area (its districts and landmarks, as a force's map of its own area would list
them), as the demo does. A signal is matched to the inject whose label most of its ``post_ids``
carry (more than half); an ``event`` signal matching nothing is a false event. An incident counts
as detected when an event matching it is raised within :data:`INCIDENT_DEADLINE_S` of stream time
after its onset. Rumours are scored the same way on signals of kind ``rumour``.

**Coordination.** Detectors that require analysers (``coordination`` needs ``near_duplicates``) get
them: the replay runs the required analysers, once each, on every step's batch before the detectors
(their cost is timed apart from the detectors'). A coordinated campaign is flagged when a
``coordination`` signal is made mostly of its posts; time to flag is measured from its first round;
the accounts named in all coordination signals are compared with the campaign's ``members``
(precision and recall); a coordination signal matching no campaign is a false flag.

**CrisisLex T26.** The related tweets of each of the 26 crises (about 900 each; a tweet starting
``RT @`` counts as a repost, each tweet gets its own account) are mixed, one crisis
every :data:`CRISIS_EVERY_S`, into the background chatter of a scenario with its injects removed
(and no area: the crises happened elsewhere), arriving over :data:`CRISIS_SPREAD_S` at a rate that
rises linearly. A crisis is found when an event made mostly of its tweets is raised while it is
arriving; we report how many, how soon, and into how many events each one was split.

Keys that other scoring fills (stance, veracity, Twitter15/16) are emitted as ``None`` here; see
:data:`MODEL_KEYS`.
"""

from __future__ import annotations

import csv
import gzip
import math
import os
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import msgspec

from civicpulse.analysers.base import Analyser
from civicpulse.detectors.area import AreaMap
from civicpulse.detectors.base import STEP_S, Detector, Signal
from civicpulse.detectors.relations import related_rumours
from civicpulse.detectors.stream_clock import replay_steps
from civicpulse.evaluation.rumours import SCORE_KEYS, rumour_model_scores
from civicpulse.pipeline.chain import check_order, enrich
from civicpulse.pipeline.gc_tuning import streaming_gc
from civicpulse.post import Author, Post, decode_post
from civicpulse.registry import analysers as analyser_registry
from civicpulse.registry import detectors as detector_registry
from civicpulse.scenarios.generator import ScenarioRun
from civicpulse.scenarios.library import builtin_names, load_scenario
from civicpulse.scenarios.spec import Scenario
from civicpulse.scenarios.truth import TruthSink, TruthSummary, write_scenario

__all__ = [
    "EVENT_LABEL_KINDS", "INCIDENT_DEADLINE_S", "MODEL_KEYS", "ScenarioScore", "crisislex_score", "evaluate_detection",
    "match_signals", "replay", "score_scenario",
]

INCIDENT_DEADLINE_S = 120.0
#: The labels an event signal is matched by (the scripted injects whose posts can make an event).
EVENT_LABEL_KINDS = ("incident", "rumour", "hate_wave", "appeal", "tip", "denial", "coordinated")
CRISIS_EVERY_S = 45 * 60.0
CRISIS_SPREAD_S = 25 * 60.0
#: Keys of ``--json`` filled by the rumour models' scoring on real data (``evaluation/rumours.py``);
#: ``None`` without ``--data``.
MODEL_KEYS = SCORE_KEYS

DetectorFactory = Callable[[], Sequence[Detector]]


def default_detectors() -> list[Detector]:
    """Every registered detector, with default settings (the replay runs the analysers they require)."""
    return [cls() for _, cls in detector_registry]


def required_analysers(detectors: Sequence[Detector]) -> list[Analyser]:
    """The analysers ``detectors`` require, each once, in the order first required; checked like a
    pipeline's chain."""
    names = list(dict.fromkeys(name for d in detectors for name in d.requires))
    chain = [analyser_registry.get(name)() for name in names]
    check_order(chain, detectors)
    return chain


@dataclass
class ReplayResult:
    signals: list[Signal] = field(default_factory=list)
    posts: int = 0
    #: CPU seconds of each detector, by name.
    detector_s_by_name: dict[str, float] = field(default_factory=dict)
    #: CPU seconds of the analysers the detectors required (none: 0).
    analyser_s: float = 0.0

    @property
    def detector_s(self) -> float:
        """CPU seconds of all the detectors together."""
        return sum(self.detector_s_by_name.values())

    @property
    def posts_per_s(self) -> float:
        return self.posts / self.detector_s if self.detector_s > 0 else 0.0


def replay(posts: Iterable[Post], detectors: Sequence[Detector], step_s: float = STEP_S,
           analysers: Sequence[Analyser] | None = None) -> ReplayResult:
    """Feed ``posts`` (in time order) to ``detectors`` in ``step_s`` steps of stream time, each step's
    batch first enriched by ``analysers`` (default: those the detectors require).

    Under the pipeline's garbage-collector setting (:func:`streaming_gc`), as the pipeline runs the
    detectors: under CPython's default one, collections walking the detectors' large maps took a
    share of the measured time that the pipeline never pays."""
    chain = required_analysers(detectors) if analysers is None else list(analysers)
    result = ReplayResult()
    with streaming_gc():
        for batch, now in replay_steps(posts, step_s):
            # CPU time of this process: the cost on one core, whatever else the machine is running.
            started = time.process_time()
            enriched = enrich(batch, chain)
            result.analyser_s += time.process_time() - started
            for detector in detectors:
                started = time.process_time()
                result.signals.extend(detector.update_many(enriched, now))
                spent = time.process_time() - started
                result.detector_s_by_name[detector.name] = result.detector_s_by_name.get(detector.name, 0.0) + spent
            result.posts += len(batch)
    return result


@dataclass(frozen=True)
class Match:
    key: str
    kind: str
    at: datetime
    label_id: str | None
    post_ids: tuple[str, ...]


def match_signals(signals: Iterable[Signal], labels: dict[str, list[tuple[str, str]]], kind: str,
                  label_kinds: Sequence[str]) -> list[Match]:
    """The first signal of each ``key`` of ``kind``, matched to the label most of its posts carry."""
    first: dict[str, Signal] = {}
    for signal in signals:
        if signal.kind == kind and signal.key not in first:
            first[signal.key] = signal
    matches = []
    for key, signal in first.items():
        votes: Counter[str] = Counter()
        for post_id in signal.post_ids:
            for label_kind, label_id in labels.get(post_id, ()):
                if label_kind in label_kinds:
                    votes[label_id] += 1
        label = None
        if votes:
            best, n = votes.most_common(1)[0]
            if n * 2 > len(signal.post_ids):
                label = best
        matches.append(Match(key, kind, signal.at, label, signal.post_ids))
    return matches


@dataclass
class CoordinationScore:
    """One scenario's coordination flags against its campaigns."""

    campaigns: int
    campaigns_flagged: int
    latencies_s: list[float]
    flags: int
    false_flags: int
    #: What the false flags' posts mostly were, by label kind ("none": unlabelled chatter).
    false_flags_by_label: dict[str, int]
    accounts_flagged: int
    accounts_flagged_members: int
    members: int
    #: Bursts of near-identical text judged and not flagged: no sign the accounts were not independent.
    groups_not_flagged: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "campaigns": self.campaigns, "campaigns_flagged": self.campaigns_flagged,
            "coordination_latencies_s": [round(x, 1) for x in self.latencies_s],
            "coordination_flags": self.flags, "coordination_false_flags": self.false_flags,
            "coordination_false_flags_by_label": dict(self.false_flags_by_label),
            "accounts_flagged": self.accounts_flagged, "accounts_flagged_in_campaigns": self.accounts_flagged_members,
            "campaign_members": self.members, "coordination_groups_not_flagged": self.groups_not_flagged,
        }


def score_coordination(truth: TruthSummary, labels: dict[str, list[tuple[str, str]]],
                       signals: Sequence[Signal]) -> CoordinationScore:
    # Every signal, not only each flag's first: a campaign that amplifies a rumour joins the cluster
    # of the rumour's own copy-pasted posts, which may have been flagged (falsely) before it came.
    mine = [s for s in signals if s.kind == "coordination"]
    matched = [m for s in mine for m in match_signals([s], labels, "coordination", ("coordinated",))]
    campaigns = {c.id: c for c in truth.coordinated}
    latencies = []
    for campaign in truth.coordinated:
        found = [(m.at - campaign.onset).total_seconds() for m in matched if m.label_id == campaign.id]
        if found:
            latencies.append(min(found))
    flags = {m.key for m in matched}
    true_keys = {m.key for m in matched if m.label_id in campaigns}
    false = match_signals([s for s in mine if s.key not in true_keys], labels, "coordination",
                          ("incident", "rumour", "hate_wave", "appeal", "tip", "denial"))
    kind_of = {label_id: kind for kinds in labels.values() for kind, label_id in kinds}
    by_label = Counter("none" if m.label_id is None else kind_of.get(m.label_id, "none") for m in false)
    flagged = {a for s in signals if s.kind == "coordination" for a in s.details.get("accounts", ())
               if isinstance(a, str)}
    members = {a for c in truth.coordinated for a in c.members}
    return CoordinationScore(
        campaigns=len(campaigns), campaigns_flagged=len(latencies), latencies_s=latencies, flags=len(flags),
        false_flags=len(false), false_flags_by_label=dict(sorted(by_label.items())), accounts_flagged=len(flagged),
        accounts_flagged_members=len(flagged & members), members=len(members))


@dataclass
class RelationScore:
    """One scenario's event -> related-rumour links against the ground truth: an event made mostly
    of a rumour's own posts relates to that rumour, and an inject to a rumour in the same district."""

    #: Links between an event matched to an inject and a rumour signal matched to a rumour.
    links: int
    correct: int
    #: Links from or to a signal that matches no such inject (a false event, chatter, a hate wave).
    unmatched_links: int
    #: (inject, rumour) pairs in the same district, both detected; and those linked at least once.
    pairs: int
    pairs_linked: int

    def as_dict(self) -> dict[str, Any]:
        return {"relation_links": self.links, "relation_links_correct": self.correct,
                "relation_unmatched_links": self.unmatched_links, "relation_pairs": self.pairs,
                "relation_pairs_linked": self.pairs_linked}


def score_relations(truth: TruthSummary, labels: dict[str, list[tuple[str, str]]],
                    signals: Sequence[Signal]) -> RelationScore:
    """Score :func:`civicpulse.detectors.relations.related_rumours` over the latest signal of each
    event and rumour, each matched to an inject as the other scores match it (by its first signal)."""
    districts = {i.id: i.district for i in truth.all()}
    rumour_ids = {r.id for r in truth.rumours}
    events = match_signals(signals, labels, "event", ("incident", "appeal", "hate_wave", "tip", "rumour"))
    rumours = match_signals(signals, labels, "rumour", ("rumour",))
    inject_of = {m.key: m.label_id for m in events if m.label_id in districts}
    rumour_of = {m.key: m.label_id for m in rumours if m.label_id in rumour_ids}
    latest: dict[tuple[str, str], Signal] = {}
    for signal in signals:
        if signal.kind in ("event", "rumour"):
            latest[signal.kind, signal.key] = signal
    links = related_rumours([s for (k, _), s in latest.items() if k == "event"],
                            [s for (k, _), s in latest.items() if k == "rumour"])
    matched = correct = unmatched = 0
    linked: set[tuple[str, str]] = set()
    for event_key, related in links.items():
        for rumour in related:
            inject, claim = inject_of.get(event_key), rumour_of.get(rumour.key)
            if inject is None or claim is None:
                unmatched += 1
                continue
            matched += 1
            if inject == claim or (districts[inject] is not None and districts[inject] == districts[claim]):
                correct += 1
                linked.add((inject, claim))
    # Pairs to find: an incident or appeal and a rumour in the same district, both detected.
    detected_injects = {i for i in inject_of.values() if i not in rumour_ids}
    detected_rumours = set(rumour_of.values())
    pairs = {(i, r) for i in detected_injects for r in detected_rumours
             if districts[i] is not None and districts[i] == districts[r]}
    return RelationScore(links=matched, correct=correct, unmatched_links=unmatched, pairs=len(pairs),
                         pairs_linked=len(pairs & linked))


@dataclass
class ScenarioScore:
    scenario: str
    hours: float
    posts: int
    incidents: int
    incidents_detected: int
    incidents_in_time: int
    incident_latencies_s: list[float]
    events: int
    false_events: int
    rumours: int
    rumours_detected: int | None
    rumour_latencies_s: list[float]
    posts_per_s: float
    #: Rumours signalled whose posts are not mostly a scripted rumour (None without a rumour detector).
    false_rumours: int | None = None
    coordination: CoordinationScore | None = None
    analyser_s: float = 0.0
    relations: RelationScore | None = None
    seed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario, "seed": self.seed, "stream_hours": round(self.hours, 2), "posts": self.posts,
            "incidents": self.incidents, "incidents_detected": self.incidents_detected,
            "incidents_within_120s": self.incidents_in_time,
            "incident_latencies_s": [round(x, 1) for x in self.incident_latencies_s],
            "events": self.events, "false_events": self.false_events,
            "rumours": self.rumours, "rumours_detected": self.rumours_detected,
            "rumour_latencies_s": [round(x, 1) for x in self.rumour_latencies_s],
            "false_rumours": self.false_rumours,
            "posts_per_s": round(self.posts_per_s),
            **({} if self.coordination is None else self.coordination.as_dict()),
            **({} if self.relations is None else self.relations.as_dict()),
        }


def read_labels(path: Path) -> dict[str, list[tuple[str, str]]]:
    labels: dict[str, list[tuple[str, str]]] = {}
    decoder = msgspec.json.Decoder(dict[str, str])
    with path.open("rb") as handle:
        for line in handle:
            row = decoder.decode(line)
            labels.setdefault(row["post_id"], []).append((row["label_kind"], row["label_id"]))
    return labels


def _read_posts(path: Path) -> Iterator[Post]:
    with path.open("rb") as handle:
        for line in handle:
            yield decode_post(line)


def has_rumour_detector() -> bool:
    return any("rumour" in name for name in detector_registry.names())


def score_scenario(scenario: Scenario, detectors: Sequence[Detector], seed: int = 0,
                   workdir: Path | None = None) -> ScenarioScore:
    """Generate ``scenario``, replay it through ``detectors`` and score the signals."""
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        generated = write_scenario(scenario, seed, Path(tmp))
        truth = msgspec.json.decode(generated.summary_path.read_bytes(), type=TruthSummary)
        labels = read_labels(generated.truth_path)
        # The scenario's districts and landmarks are what a force's own map of its area would hold.
        area = AreaMap.of(scenario.area.districts)
        for detector in detectors:
            detector.use_area(area)
        result = replay(_read_posts(generated.posts_path), detectors)
    score = _score(scenario.name, truth, labels, result)
    score.seed = seed
    coordination = [d for d in detectors if d.name == "coordination"]
    if coordination:
        score.coordination = score_coordination(truth, labels, result.signals)
        counters = getattr(coordination[0], "counters", {})
        score.coordination.groups_not_flagged = int(counters.get("organic_groups", 0))
    if has_rumour_detector() and any(d.name == "events" for d in detectors):
        score.relations = score_relations(truth, labels, result.signals)
    return score


def _score(name: str, truth: TruthSummary, labels: dict[str, list[tuple[str, str]]],
           result: ReplayResult) -> ScenarioScore:
    injects = {i.id: i for i in truth.all()}
    events = match_signals(result.signals, labels, "event", EVENT_LABEL_KINDS)
    latencies, in_time = [], 0
    for incident in truth.incidents:
        found = [(m.at - incident.onset).total_seconds() for m in events if m.label_id == incident.id]
        if found:
            latency = min(found)
            latencies.append(latency)
            in_time += latency <= INCIDENT_DEADLINE_S
    rumour_latencies: list[float] = []
    rumours_detected: int | None = None
    false_rumours: int | None = None
    if has_rumour_detector():
        rumours_detected = 0
        found_rumours = match_signals(result.signals, labels, "rumour", ("rumour",))
        false_rumours = sum(1 for m in found_rumours if m.label_id is None)
        for rumour in truth.rumours:
            found = [(m.at - rumour.onset).total_seconds() for m in found_rumours if m.label_id == rumour.id]
            if found:
                rumours_detected += 1
                rumour_latencies.append(min(found))
    false_events = sum(1 for m in events if m.label_id is None or m.label_id not in injects)
    return ScenarioScore(
        scenario=name, hours=truth.duration_s / 3600, posts=result.posts, incidents=len(truth.incidents),
        incidents_detected=len(latencies), incidents_in_time=in_time, incident_latencies_s=latencies,
        events=len(events), false_events=false_events, rumours=len(truth.rumours),
        rumours_detected=rumours_detected, rumour_latencies_s=rumour_latencies, posts_per_s=result.posts_per_s,
        false_rumours=false_rumours,
        analyser_s=result.analyser_s,
    )


# -- CrisisLex ------------------------------------------------------------------------------------

CRISISLEX_FILE = Path("crisislex") / "crisislext26_labeled.csv.gz"
_RELATED = ("Related and informative", "Related - but not informative")


def crisislex_events(data: Path) -> dict[str, list[tuple[str, str]]]:
    """Event name -> [(tweet id, text)] of its tweets labelled related, in file order."""
    events: dict[str, list[tuple[str, str]]] = {}
    with gzip.open(data / CRISISLEX_FILE, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["informativeness"] in _RELATED:
                events.setdefault(row["event"], []).append((row["tweet_id"], row["text"]))
    return events


def _background(hours: float, seed: int) -> Iterator[Post]:
    """Chatter only: the demo scenario with its injects removed, stretched to ``hours``."""
    base = load_scenario("city-riot")
    quiet = msgspec.structs.replace(base, injects=[], duration=f"{int(hours * 60)}m")
    yield from ScenarioRun(quiet, seed, TruthSink(None)).posts()


def _crisis_posts(name: str, tweets: Sequence[tuple[str, str]], onset: datetime) -> list[Post]:
    """The tweets of one crisis arriving over ``CRISIS_SPREAD_S`` at a linearly rising rate."""
    n = len(tweets)
    posts = []
    for i, (tweet_id, text) in enumerate(tweets):
        # Inverse of the cumulative count of a linear ramp: arrival i at spread * sqrt(i / n).
        offset = CRISIS_SPREAD_S * ((i + 0.5) / n) ** 0.5
        repost = text.startswith("RT @")
        posts.append(Post(id=f"crisislex:{name}:{tweet_id}:{i}", platform="crisislex",
                          created_at=onset + timedelta(seconds=offset),
                          author=Author(id=f"crisislex:{name}:{i}"), text=text, language="en",
                          repost_of="crisislex:unknown" if repost else None))
    return posts


def _merge(a: Iterator[Post], b: list[Post]) -> Iterator[Post]:
    import heapq

    return heapq.merge(a, b, key=lambda p: p.created_at)


def crisislex_score(data: Path, make_detectors: DetectorFactory = default_detectors,
                    seed: int = 0) -> dict[str, Any]:
    events = crisislex_events(data)
    names = sorted(events)
    warmup = 30 * 60.0
    hours = (warmup + CRISIS_EVERY_S * len(names)) / 3600
    start = load_scenario("city-riot").start
    onsets = {name: start + timedelta(seconds=warmup + CRISIS_EVERY_S * i) for i, name in enumerate(names)}
    crisis = sorted((p for name in names for p in _crisis_posts(name, events[name], onsets[name])),
                    key=lambda p: p.created_at)
    labels = {p.id: [("crisis", p.id.split(":")[1])] for p in crisis}
    result = replay(_merge(_background(hours, seed), crisis), make_detectors())
    matches = match_signals(result.signals, labels, "event", ("crisis",))
    per_event: dict[str, Any] = {}
    found, latencies = 0, []
    for name in names:
        hits = [m for m in matches if m.label_id == name
                and (m.at - onsets[name]).total_seconds() <= CRISIS_SPREAD_S]
        latency = min(((m.at - onsets[name]).total_seconds() for m in hits), default=None)
        if latency is not None:
            found += 1
            latencies.append(latency)
        per_event[name] = {"tweets": len(events[name]), "found": latency is not None,
                           "latency_s": None if latency is None else round(latency), "events": len(hits)}
    unmatched = sum(1 for m in matches if m.label_id is None)
    return {
        "crisislex_events_found": found,
        "crisislex_events": len(names),
        "crisislex_latency_median_s": round(statistics.median(latencies)) if latencies else None,
        "crisislex_fragments_mean": round(sum(v["events"] for v in per_event.values()) / max(found, 1), 2),
        "crisislex_background_false_events": unmatched,
        "crisislex_stream_hours": round(hours, 2),
        "crisislex_per_event": per_event,
    }


# -- memory over a long stream -------------------------------------------------------------------

def resident_mb() -> float | None:
    """This process's resident memory now (Linux ``/proc``; ``None`` elsewhere). Unlike the peak
    that ``getrusage`` reports, it can show memory staying flat after an early high point."""
    try:
        pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def long_stream_state(posts: int, make_detectors: DetectorFactory = default_detectors,
                      points: int = 10, seed: int = 0) -> list[dict[str, float | None]]:
    """Detector state size (bytes of its snapshot, which is all it keeps) and the process's
    resident memory every ``posts / points`` posts of the demo scenario scaled up to about
    ``posts`` posts: flat means constant memory."""
    base = load_scenario("city-riot")
    scenario = base.scaled(max(1.0, posts / max(base.expected_posts(), 1)))
    detectors = make_detectors()
    every = max(1, posts // points)
    trace: list[dict[str, float | None]] = []
    seen = 0

    def counting() -> Iterator[Post]:
        nonlocal seen
        for post in ScenarioRun(scenario, seed, TruthSink(None)).posts():
            if seen >= posts:
                return
            seen += 1
            if seen % every == 0:
                trace.append({"posts": seen, "state_bytes": sum(len(d.snapshot()) for d in detectors),
                              "resident_mb": resident_mb()})
            yield post

    replay(counting(), detectors)
    return trace


# -- everything -----------------------------------------------------------------------------------

def _p90(values: Sequence[float]) -> float | None:
    """The 90th percentile by nearest rank (the smallest value at or above 90 % of them)."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[math.ceil(0.9 * len(ordered)) - 1], 1)


def _relation_keys(scores: Sequence[ScenarioScore]) -> dict[str, Any]:
    """``related_rumours_precision`` / ``_recall``, pooled over the scenarios (``docs/detection.md``)."""
    relations = [s.relations for s in scores if s.relations is not None]
    links = sum(r.links for r in relations)
    pairs = sum(r.pairs for r in relations)
    return {
        "related_rumours_precision": round(sum(r.correct for r in relations) / links, 3) if links else None,
        "related_rumours_recall": round(sum(r.pairs_linked for r in relations) / pairs, 3) if pairs else None,
        "related_rumours_unmatched_links": sum(r.unmatched_links for r in relations) if relations else None,
    }


def _coordination_keys(scores: Sequence[ScenarioScore], hours: float, posts: int) -> dict[str, Any]:
    """The ``coordination_*`` keys, pooled over the scenarios; ``None`` without a coordination detector."""
    coordination = [s.coordination for s in scores if s.coordination is not None]
    keys = ("coordination_recall", "coordination_account_precision", "coordination_account_recall",
            "coordination_latency_median_s", "coordination_latency_p90_s", "coordination_false_flags_per_hour",
            "required_analysers_posts_per_s")
    if not coordination:
        return dict.fromkeys(keys)
    campaigns = sum(c.campaigns for c in coordination)
    flagged = sum(c.accounts_flagged for c in coordination)
    hits = sum(c.accounts_flagged_members for c in coordination)
    members = sum(c.members for c in coordination)
    latencies = [x for c in coordination for x in c.latencies_s]
    analyser_s = sum(s.analyser_s for s in scores)
    return {
        "coordination_recall": round(sum(c.campaigns_flagged for c in coordination) / campaigns, 3) if campaigns
        else None,
        "coordination_account_precision": round(hits / flagged, 3) if flagged else None,
        "coordination_account_recall": round(hits / members, 3) if members else None,
        "coordination_latency_median_s": round(statistics.median(latencies), 1) if latencies else None,
        "coordination_latency_p90_s": _p90(latencies),
        "coordination_false_flags_per_hour": round(sum(c.false_flags for c in coordination) / hours, 2) if hours
        else None,
        "required_analysers_posts_per_s": round(posts / analyser_s) if analyser_s else None,
    }


def _score_run(name: str, seed: int, make_detectors: DetectorFactory) -> ScenarioScore:
    return score_scenario(load_scenario(name), make_detectors(), seed=seed)


def evaluate_detection(data: Path | None, scenarios: Sequence[str] | None = None,
                       make_detectors: DetectorFactory = default_detectors,
                       progress: Callable[[str], None] | None = None, long_posts: int = 0,
                       seeds: Sequence[int] = (0,), jobs: int = 1) -> dict[str, Any]:
    """Every key of ``civicpulse eval detection --json``; CrisisLex keys are ``None`` without data;
    ``long_posts`` adds the state size along a long stream (``memory_trace``).

    Each scenario is generated with each of ``seeds`` and the scenario keys are summed over all those
    runs. The detectors were tuned on seed 0, so only the other seeds are unseen draws. ``jobs``
    processes replay the runs side by side (``make_detectors`` must then be a module-level function);
    each run is scored as it would be alone, its speed in its own process's CPU time."""
    say = progress or (lambda _: None)
    seed_list = list(seeds) or [0]
    runs = [(name, seed) for seed in seed_list for name in scenarios or builtin_names()]

    def label(name: str, seed: int) -> str:
        return f"scenario {name}" + (f", seed {seed}" if len(seed_list) > 1 else "")

    scores = []
    if jobs > 1 and len(runs) > 1:
        # Spawned, not forked: the caller may be running threads (a progress bar).
        with ProcessPoolExecutor(max_workers=min(jobs, len(runs)), mp_context=get_context("spawn")) as pool:
            futures = [pool.submit(_score_run, name, seed, make_detectors) for name, seed in runs]
            for (name, seed), future in zip(runs, futures, strict=True):
                say(label(name, seed))
                scores.append(future.result())
    else:
        for name, seed in runs:
            say(label(name, seed))
            scores.append(_score_run(name, seed, make_detectors))
    incidents = sum(s.incidents for s in scores)
    hours = sum(s.hours for s in scores)
    latencies = [x for s in scores for x in s.incident_latencies_s]
    rumour_counts = [s.rumours_detected for s in scores]
    rumour_latencies = [x for s in scores for x in s.rumour_latencies_s]
    rumours = sum(s.rumours for s in scores)
    posts = sum(s.posts for s in scores)
    detector_s = sum(s.posts / s.posts_per_s for s in scores if s.posts_per_s > 0)
    results: dict[str, Any] = {
        "detectors": [d.name for d in make_detectors()],
        "seeds": seed_list,
        "incident_recall": round(sum(s.incidents_in_time for s in scores) / incidents, 3) if incidents else None,
        "incidents_detected_at_all": round(len(latencies) / incidents, 3) if incidents else None,
        "false_events_per_hour": round(sum(s.false_events for s in scores) / hours, 2) if hours else None,
        "latency_p90_s": _p90(latencies),
        "latency_median_s": round(statistics.median(latencies), 1) if latencies else None,
        "rumour_recall": (round(sum(c or 0 for c in rumour_counts) / rumours, 3)
                          if rumours and all(c is not None for c in rumour_counts) else None),
        "rumour_latency_p90_s": _p90(rumour_latencies) if has_rumour_detector() else None,
        "false_rumours_per_hour": (round(sum(s.false_rumours or 0 for s in scores) / hours, 2)
                                   if hours and has_rumour_detector() else None),
        "posts_per_s": round(posts / detector_s) if detector_s else None,
        **_coordination_keys(scores, hours, posts),
        **_relation_keys(scores),
        "scenarios": [s.as_dict() for s in scores],
    }
    results.update(dict.fromkeys(MODEL_KEYS))
    if data is not None:
        say("rumour models: RumourEval 2017 stance and veracity, Twitter15/16 (5-fold)")
        results.update(rumour_model_scores(data))
    results["crisislex_events_found"] = None
    if data is not None and (data / CRISISLEX_FILE).exists():
        say("CrisisLex T26 mixed into background chatter")
        results.update(crisislex_score(data, make_detectors))
    if long_posts > 0:
        say(f"state size along {long_posts:,} posts")
        results["memory_trace"] = long_stream_state(long_posts, make_detectors)
    results["evaluated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return results
