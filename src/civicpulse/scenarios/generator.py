"""Generating a scenario's stream: deterministic for a seed, time-ordered, flat in memory.

:class:`ScenarioRun` drives the :class:`~civicpulse.scenarios.engine.Engine` window by window and
turns each row of event columns into a :class:`~civicpulse.post.Post`: text from the
:class:`~civicpulse.scenarios.text.TextBank`, the author from the
:class:`~civicpulse.scenarios.population.Population`, ids, replies and reposts from the sequence
numbers. Labels go to the :class:`~civicpulse.scenarios.truth.TruthSink` as each post is yielded.

Randomness: one seed gives three independent PCG64 streams (population, plan, stream) through a
NumPy ``SeedSequence``, so, for example, a change to how chatter is drawn does not move every
account's follower count.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np

from civicpulse.post import Geo, GeoSource, Metrics, Post
from civicpulse.scenarios.engine import Engine
from civicpulse.scenarios.events import QUOTE, REPLY, REPOST, Events
from civicpulse.scenarios.plan import Plan, Planner
from civicpulse.scenarios.population import Population
from civicpulse.scenarios.spec import Scenario
from civicpulse.scenarios.text import TextBank
from civicpulse.scenarios.truth import L_APPEAL, L_DENIAL, LABEL_NAMES, InjectTruth, TruthSink, TruthSummary

__all__ = ["ScenarioRun"]

PLATFORM = "scenario"
URL_BASE = "https://social.example"
#: Domain separation for the seed, so that scenario seeds never collide with other uses of a seed.
_SALT = 0x5CE7A210


class ScenarioRun:
    """One run of a scenario with one seed: the posts, and the ground truth beside them."""

    def __init__(self, scenario: Scenario, seed: int = 0, truth: TruthSink | None = None) -> None:
        self.scenario = scenario
        self.seed = seed
        self.truth = truth if truth is not None else TruthSink()
        self._summary: TruthSummary | None = None
        self._prefix = f"{PLATFORM}:{scenario.name}-{seed}-"
        self._url = f"{URL_BASE}/{scenario.name}/{seed}/"

    # -- public ----------------------------------------------------------------------------------------

    def summary(self) -> TruthSummary:
        """The ground-truth summary; its post counts are complete once :meth:`posts` is exhausted."""
        if self._summary is None:
            self._prepare()
        assert self._summary is not None
        return self._summary

    def posts(self, skip: int = 0) -> Iterator[Post]:
        """The stream in time order. ``skip`` leaves out the first posts cheaply (their text is never
        written and no labels are sent for them), which is how a source resumes from a cursor."""
        population, plan, engine = self._prepare()
        summary = self.summary()
        prefix, url, ids = self._prefix, self._url, plan.ids
        handles = population.handles
        author = population.author
        render, render_cached = self._bank.render, self._bank.render_cached
        label_sink = self.truth.label
        start_us = round(self.scenario.start.timestamp() * 1_000_000)
        for seq0, events in engine.windows():
            self._count(events, plan, summary)
            self._note_anchors(engine, plan, summary)
            first = max(0, skip - seq0)
            if first >= len(events):
                continue
            rows = events.take(np.arange(first, len(events)))
            columns = _columns(rows, population, start_us)
            seq = seq0 + first
            for (created, poster, kind, cref, sent, lang, flags, ka, kb, cauthor, rel, parent_seq, parent_poster,
                 label, label_ref, label2, label2_ref, geo, lat, lon, views, likes, reposts, replies) in zip(
                    *columns, strict=True):
                pid = prefix + str(seq)
                if rel == REPOST:
                    text, hashtags, mentions, links, language = render_cached(kind, cref, sent, lang, flags, ka, kb)
                    root = handles[cauthor]
                    text = f"RT {root}: {text}"
                    mentions = (root, *(m for m in mentions if m != root))
                else:
                    text, hashtags, mentions, links, language = render(kind, cref, sent, lang, flags, ka, kb)
                    if rel == REPLY:
                        answered = handles[parent_poster]
                        text = f"{answered} {text}"
                        mentions = (answered, *(m for m in mentions if m != answered))
                parent = prefix + str(parent_seq) if parent_seq >= 0 else None
                post = Post(
                    id=pid, platform=PLATFORM, created_at=created.replace(tzinfo=UTC), author=author(poster),
                    text=text, url=url + str(seq), language=language,
                    reply_to=parent if rel == REPLY else None, repost_of=parent if rel == REPOST else None,
                    quote_of=parent if rel == QUOTE else None, mentions=mentions, hashtags=hashtags, links=links,
                    geo=Geo(source=GeoSource.GEOTAG, lat=lat, lon=lon, accuracy_m=25.0) if geo else None,
                    metrics=Metrics(likes=likes, reposts=reposts, replies=replies, views=views))
                # Labels go out before the post does, so a consumer that stops early has them all.
                if label:
                    label_sink(pid, LABEL_NAMES[label], ids[label_ref])
                    if label2:
                        label_sink(pid, LABEL_NAMES[label2], ids[label2_ref])
                yield post
                seq += 1

    # -- internals -------------------------------------------------------------------------------------

    def _prepare(self) -> tuple[Population, Plan, Engine]:
        """Fresh state for a pass over the stream (calling :meth:`posts` twice gives the same stream)."""
        scenario = self.scenario
        streams = np.random.SeedSequence([self.seed, _SALT]).spawn(3)
        population_rng, plan_rng, stream_rng = (np.random.Generator(np.random.PCG64(s)) for s in streams)
        population = Population(scenario, population_rng)
        self._bank = TextBank(scenario.city, scenario.languages, scenario.chatter.link_domains, population.handles)
        plan = Planner(scenario, population, plan_rng, self._bank).build()
        self._summary = _summary(scenario, self.seed, population, plan)
        return population, plan, Engine(scenario, population, plan, stream_rng)

    def _count(self, events: Events, plan: Plan, summary: TruthSummary) -> None:
        summary.posts += len(events)
        by_id = {truth.id: truth for truth in summary.all()}
        for label_column, ref_column in (("label", "label_ref"), ("label2", "label2_ref")):
            labels = events[label_column]
            labelled = labels > 0
            if not labelled.any():
                continue
            pairs, counts = np.unique(np.stack([labels[labelled], events[ref_column][labelled]]), axis=1,
                                      return_counts=True)
            for (label, ref), count in zip(pairs.T.tolist(), counts.tolist(), strict=True):
                name = LABEL_NAMES[label]
                summary.labels[name] = summary.labels.get(name, 0) + count
                truth = by_id.get(plan.ids[ref])
                if truth is not None:
                    truth.posts += count
                    truth.labels[name] = truth.labels.get(name, 0) + count

    def _note_anchors(self, engine: Engine, plan: Plan, summary: TruthSummary) -> None:
        for (label, ref), seq in engine.anchors.items():
            post_id = self._prefix + str(seq)
            for truth in summary.all():
                if truth.id != plan.ids[ref]:
                    continue
                if label == L_DENIAL:
                    truth.denial_post_id = post_id
                elif label == L_APPEAL:
                    truth.post_id = post_id


def _columns(rows: Events, population: Population, start_us: int) -> list[list[object]]:
    """The row fields as Python lists (fast to iterate), with times, geotags and metrics prepared."""
    offsets = np.floor(rows["t"] * 1_000_000).astype(np.int64)
    created = (start_us + offsets).astype("datetime64[us]").tolist()
    # Engagement as the platform would report it, derived from the content's keys so that a repost
    # shows its root's counts (as platforms do) without another draw.
    u1 = ((rows["ka"] >> 7) & 0xFFFF) / 65536.0
    u2 = ((rows["kb"] >> 11) & 0xFFFF) / 65536.0
    reach = population.followers[rows["cauthor"]].astype(np.float64)
    views = reach * (0.3 + 1.7 * u1) + 5 + 40 * u2
    likes = views * (0.002 + 0.08 * u2**4)
    return [created, *(rows[name].tolist() for name in (
        "poster", "ctype", "cref", "sent", "lang", "flags", "ka", "kb", "cauthor", "rel", "parent_seq",
        "parent_poster", "label", "label_ref", "label2", "label2_ref", "geo")),
        np.round(rows["lat"], 5).tolist(), np.round(rows["lon"], 5).tolist(),
        views.astype(np.int64).tolist(), likes.astype(np.int64).tolist(),
        (likes * 0.25 * u1).astype(np.int64).tolist(), (likes * 0.15 * (1 - u1)).astype(np.int64).tolist()]


def _summary(scenario: Scenario, seed: int, population: Population, plan: Plan) -> TruthSummary:
    start = scenario.start
    duration = scenario.duration_s

    def at(seconds: float) -> datetime:
        return start + timedelta(seconds=seconds)

    names = [d.name for d in scenario.area.districts]
    summary = TruthSummary(
        scenario=scenario.name, seed=seed, start=start, end=at(duration), duration_s=duration, scale=scenario.scale,
        bots=[f"acct-{i}" for i in population.bots.tolist()],
        officials=[f"acct-{i}" for i in population.officials.tolist()],
        coordinated_accounts=[f"acct-{i}" for i in population.coordinated.tolist()])
    for incident in plan.incidents:
        summary.incidents.append(InjectTruth(
            id=incident.spec.id, kind="incident", title=incident.spec.title, onset=at(incident.at),
            onset_s=incident.at, district=names[incident.district], lat=incident.lat, lon=incident.lon))
    for rumour in plan.rumours:
        spec = rumour.spec
        denied = rumour.denier >= 0 and rumour.denial_at < duration
        summary.rumours.append(InjectTruth(
            id=spec.id, kind="rumour", title=spec.title or spec.claim, onset=at(rumour.at), onset_s=rumour.at,
            district=spec.district, lat=rumour.lat, lon=rumour.lon, denied_by=spec.denied_by if denied else None,
            denial_at=at(rumour.denial_at) if denied else None, denial_s=rumour.denial_at if denied else None))
    for hate in plan.hates:
        target = hate.spec.target if isinstance(hate.spec.target, str) else next(iter(hate.spec.target.values()))
        summary.hate_waves.append(InjectTruth(
            id=hate.spec.id, kind="hate_wave", title=f"hate speech against {target}", onset=at(hate.at),
            onset_s=hate.at, target=target))
    for appeal in plan.appeals:
        subject = appeal.spec.subject
        title = subject if isinstance(subject, str) else next(iter(subject.values()))
        resolved = appeal.resolved_at < duration
        summary.appeals.append(InjectTruth(
            id=appeal.spec.id, kind="appeal", title=title, onset=at(appeal.at), onset_s=appeal.at,
            district=names[appeal.district], lat=appeal.lat, lon=appeal.lon,
            resolved_at=at(appeal.resolved_at) if resolved else None))
    for campaign in plan.coordinated:
        first = float(campaign.rounds[0]) if campaign.rounds.size else 0.0
        summary.coordinated.append(InjectTruth(
            id=campaign.spec.id, kind="coordinated", title=campaign.spec.message or campaign.spec.id, onset=at(first),
            onset_s=first, amplifies=campaign.spec.amplifies, members=summary.coordinated_accounts))
    return summary
