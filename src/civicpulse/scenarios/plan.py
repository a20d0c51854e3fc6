"""A scenario turned into numbers: every inject's times, places, rates and cascade rules.

Built once per run from the scenario, the population and the run's generator (true locations and
rumour seed times are drawn here, so they depend on the seed). The generator reads only plans; the
text bank gets one :class:`~civicpulse.scenarios.text.Context` per (content kind, inject).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from numpy.typing import NDArray

from civicpulse.scenarios import text as tx
from civicpulse.scenarios.phrases import Phrasebook
from civicpulse.scenarios.population import Population
from civicpulse.scenarios.spec import (
    Appeal,
    Coordinated,
    HateWave,
    Incident,
    Localised,
    Rumour,
    Scenario,
    Texts,
    parse_duration,
)
from civicpulse.scenarios.truth import L_APPEAL, L_DENIAL, L_HATE, L_INCIDENT, L_RUMOUR, NO_LABEL

__all__ = ["AppealPlan", "Cascade", "CoordinatedPlan", "HatePlan", "IncidentPlan", "Plan", "RumourPlan"]

Floats = NDArray[np.float64]
KM_PER_DEGREE = 111.32
#: Offset of a false tip's content reference, so that it gets its own (anywhere in the city) context.
FALSE_TIP = 512
_STANCE_BEFORE = (0.55, 0.40, 0.05)
_STANCE_AFTER = (0.20, 0.30, 0.50)
_DENY = (0.0, 0.0, 1.0)


@dataclass(frozen=True)
class Cascade:
    """How the posts of one cascade beget others (a Hawkes process with an exponential kernel)."""

    branching: float
    kernel_s: float
    label: int
    ref: int
    #: Shares of offspring that reply to or quote their parent; the rest repost it.
    reply: float
    quote: float
    reply_kind: int
    quote_kind: int
    reply_label: int
    #: After ``switch_s`` (a denial) only ``after`` of would-be offspring happen and stances turn.
    switch_s: float = math.inf
    after: float = 1.0
    stance_before: tuple[float, float, float] = _STANCE_BEFORE
    stance_after: tuple[float, float, float] = _STANCE_AFTER
    cap: int = 1_000_000


@dataclass
class IncidentPlan:
    ref: int
    spec: Incident
    at: float
    rise: float
    hold: float
    decay: float
    peak_per_s: float
    district: int
    lat: float
    lon: float
    spread_deg: float
    casc: int
    update_casc: int
    official: int
    updates: Floats


@dataclass
class RumourPlan:
    ref: int
    spec: Rumour
    at: float
    seeds: Floats
    denial_at: float
    denier: int
    casc: int
    denial_casc: int
    lat: float | None
    lon: float | None


@dataclass
class HatePlan:
    ref: int
    spec: HateWave
    at: float
    duration: float
    peak_per_s: float
    casc: int


@dataclass
class AppealPlan:
    ref: int
    spec: Appeal
    at: float
    by: int
    district: int
    lat: float
    lon: float
    duration: float
    rate_per_s: float
    resolved_at: float
    casc: int


@dataclass
class CoordinatedPlan:
    ref: int
    spec: Coordinated
    rounds: Floats
    window: float
    label2: int
    label2_ref: int
    casc: int


@dataclass
class Plan:
    incidents: list[IncidentPlan] = field(default_factory=list)
    rumours: list[RumourPlan] = field(default_factory=list)
    hates: list[HatePlan] = field(default_factory=list)
    appeals: list[AppealPlan] = field(default_factory=list)
    coordinated: list[CoordinatedPlan] = field(default_factory=list)
    cascades: list[Cascade] = field(default_factory=list)
    #: Inject index -> inject id (label references are inject indices).
    ids: list[str] = field(default_factory=list)

    def add_cascade(self, cascade: Cascade) -> int:
        self.cascades.append(cascade)
        return len(self.cascades) - 1


class Planner:
    def __init__(self, scenario: Scenario, population: Population, rng: np.random.Generator,
                 bank: tx.TextBank) -> None:
        self.scenario = scenario
        self.population = population
        self.rng = rng
        self.bank = bank
        self.duration = scenario.duration_s
        self.scale = scenario.scale
        self.names = tuple(d.name for d in scenario.area.districts)
        self.all_landmarks = tuple(lm for d in scenario.area.districts for lm in (d.landmarks or [d.name]))
        slug = scenario.city.replace(" ", "").replace("-", "")
        self.city_tags = tuple(scenario.chatter.hashtags) or (slug,)
        self.official_handles = tuple(o.handle for o in scenario.population.officials)
        self.cap = max(10_000, round(300_000 * self.scale))
        injects = scenario.injects
        self.target = next((i.target for i in injects if isinstance(i, HateWave)), "those people")
        self.subject: Localised = next((i.subject for i in injects if isinstance(i, Appeal)), "a child")

    # -- helpers ---------------------------------------------------------------------------------------

    def clock(self, seconds: float) -> str:
        local = self.scenario.start + timedelta(hours=self.scenario.utc_offset_hours, seconds=seconds)
        return f"{local.hour}:{local.minute:02d}"

    def clocks(self, start: float, end: float, step: float = 600.0) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.clock(s) for s in np.arange(start, max(end, start + 1), step)))

    def place(self, district: int, fraction: float) -> tuple[float, float]:
        """A point within ``fraction`` of the district's radius of its centre (the true location)."""
        d = self.scenario.area.districts[district]
        r = d.radius_km * fraction * math.sqrt(self.rng.random())
        angle = self.rng.random() * 2 * math.pi
        lat = d.lat + r * math.cos(angle) / KM_PER_DEGREE
        lon = d.lon + r * math.sin(angle) / (KM_PER_DEGREE * max(0.1, math.cos(math.radians(d.lat))))
        return round(lat, 6), round(lon, 6)

    def district(self, name: str | None) -> int:
        return self.names.index(name) if name in self.names else -1

    def landmarks(self, district: int) -> tuple[str, ...]:
        if district < 0:
            return self.all_landmarks
        d = self.scenario.area.districts[district]
        return tuple(d.landmarks) or (d.name,)

    def context(self, kind: int, ref: int, section: str, key: str | None = None, *, own: Texts | None = None,
                district: int = -1, emoji: str = "neutral", hashtags: tuple[str, ...] = (),
                times: tuple[str, ...] | None = None, careful: bool = False, mentions: tuple[str, ...] = (),
                target: Localised | None = None) -> None:
        def texts(book: Phrasebook) -> list[str] | dict[str, list[str]]:
            value = getattr(book, section)
            if key is not None:
                found: list[str] | dict[str, list[str]] = value.get(key, [])
                return found
            result: list[str] | dict[str, list[str]] = value
            return result

        subject, goal = self.subject, self.target if target is None else target
        self.bank.add(kind, ref, tx.Context(
            texts=texts, own_texts=dict(own or {}),
            districts=(self.names[district],) if district >= 0 else self.names,
            landmarks=self.landmarks(district), times=times or self.clocks(0, self.duration, 3600),
            target=lambda lang: _localised(goal, lang), subject=lambda lang: _localised(subject, lang),
            hashtags=hashtags, emoji=emoji, careful=careful, mentions=mentions))

    # -- plans -----------------------------------------------------------------------------------------

    def build(self) -> Plan:
        plan = Plan(ids=[i.id for i in self.scenario.injects])
        self._background()
        for ref, inject in enumerate(self.scenario.injects):
            if parse_duration(inject.at) >= self.duration:
                continue  # a shortened copy of a scenario leaves out injects after its end
            if isinstance(inject, Incident):
                plan.incidents.append(self._incident(plan, ref, inject))
            elif isinstance(inject, Rumour):
                plan.rumours.append(self._rumour(plan, ref, inject))
            elif isinstance(inject, HateWave):
                plan.hates.append(self._hate(plan, ref, inject))
            elif isinstance(inject, Appeal):
                plan.appeals.append(self._appeal(plan, ref, inject))
        # Campaigns last: they borrow the cascade of what they amplify.
        for ref, inject in enumerate(self.scenario.injects):
            if isinstance(inject, Coordinated) and parse_duration(inject.at) < self.duration:
                plan.coordinated.append(self._coordinated(plan, ref, inject))
        return plan

    def _background(self) -> None:
        chatter = self.scenario.chatter
        for index, topic in enumerate(chatter.topics):
            self.context(tx.CHATTER, index, "chatter", topic, emoji="sentiment",
                         hashtags=tx.topic_hashtags(topic, self.city_tags, self.scenario.city))
        self.context(tx.REPLY, 0, "reply", emoji="sentiment", hashtags=self.city_tags)
        self.context(tx.BOT, 0, "bot", emoji="bot", hashtags=tx.bot_hashtags(self.city_tags))
        for index, official in enumerate(self.scenario.population.officials):
            kind = official.kind if official.kind in ("police", "city", "fire") else "other"
            self.context(tx.ROUTINE, index, "routine", kind, emoji="official", hashtags=self.city_tags, careful=True,
                         times=("9:00", "10:00", "14:00", "18:00"))

    def _incident(self, plan: Plan, ref: int, spec: Incident) -> IncidentPlan:
        at, district = parse_duration(spec.at), self.district(spec.district)
        rise, hold, decay = parse_duration(spec.rise), parse_duration(spec.hold), parse_duration(spec.decay)
        lat, lon = self.place(district, 0.3)
        tags = tuple(spec.hashtags) + self.city_tags
        times = self.clocks(at, at + rise + hold + decay, 300)
        emoji = "water" if spec.topic == "flood" else "alarm"
        self.context(tx.INCIDENT, ref, "incident", spec.topic, own=spec.texts, district=district, emoji=emoji,
                     hashtags=tags, times=times, mentions=self.official_handles)
        self.context(tx.INCIDENT_REACTION, ref, "incident_reaction", district=district, emoji=emoji)
        self.context(tx.OFFICIAL_UPDATE, ref, "official_update", spec.topic, own=spec.official_texts,
                     district=district, emoji="official", hashtags=tags, times=times, careful=True)
        casc = plan.add_cascade(Cascade(
            spec.branching, 180.0, L_INCIDENT, ref, reply=0.25, quote=0.1, reply_kind=tx.INCIDENT_REACTION,
            quote_kind=tx.INCIDENT_REACTION, reply_label=L_INCIDENT, cap=self.cap))
        update_casc = plan.add_cascade(Cascade(
            0.6, 300.0, L_INCIDENT, ref, reply=0.2, quote=0.05, reply_kind=tx.INCIDENT_REACTION,
            quote_kind=tx.INCIDENT_REACTION, reply_label=L_INCIDENT, cap=self.cap))
        official = self.population.official_by_handle.get(spec.official or "", -1)
        active_until = min(self.duration, at + rise + hold + 3 * decay)
        first = at + parse_duration(spec.update_after)
        updates = np.arange(first, active_until, parse_duration(spec.update_every)) if official >= 0 \
            else np.empty(0)
        d = self.scenario.area.districts[district]
        return IncidentPlan(ref, spec, at, rise, hold, decay, spec.peak_per_minute / 60 * self.scale, district,
                            lat, lon, d.radius_km * 0.25 / KM_PER_DEGREE, casc, update_casc, official, updates)

    def _rumour(self, plan: Plan, ref: int, spec: Rumour) -> RumourPlan:
        at, district = parse_duration(spec.at), self.district(spec.district)
        spread = parse_duration(spec.spread)
        count = max(1, round(spec.seeds * self.scale))
        # Seeds arrive as a burst that builds and fades (gamma-shaped), as first posters hear it.
        seeds = np.sort(at + self.rng.gamma(2.0, spread / 4.0, count))
        seeds = seeds[seeds < self.duration]
        denial_at = parse_duration(spec.denial_at) if spec.denial_at is not None else math.inf
        denier = self.population.official_by_handle.get(spec.denied_by or "", -1)
        tags = tuple(spec.hashtags)
        self.context(tx.CLAIM, ref, "claims", spec.claim, own=spec.texts, district=district, emoji="alarm",
                     hashtags=tags + self.city_tags, times=self.clocks(at - 1800, at, 300),
                     mentions=self.official_handles)
        self.context(tx.REACTION, ref, "reaction", emoji="neutral", hashtags=tags)
        self.context(tx.DENIAL, ref, "denial", own=spec.denial_texts, district=district, emoji="official",
                     hashtags=(*tags, "FactCheck"), careful=True)
        casc = plan.add_cascade(Cascade(
            spec.branching, parse_duration(spec.kernel), L_RUMOUR, ref, reply=spec.replies, quote=spec.quotes,
            reply_kind=tx.REACTION, quote_kind=tx.REACTION, reply_label=L_RUMOUR, switch_s=denial_at,
            after=spec.after_denial, cap=self.cap))
        denial_casc = plan.add_cascade(Cascade(
            spec.denial_branching, parse_duration(spec.kernel), L_DENIAL, ref, reply=0.0, quote=0.1,
            reply_kind=tx.REACTION, quote_kind=tx.REACTION, reply_label=L_DENIAL, stance_before=_DENY,
            stance_after=_DENY, cap=self.cap))
        lat, lon = self.place(district, 0.3) if district >= 0 else (None, None)
        return RumourPlan(ref, spec, at, seeds, denial_at, denier, casc, denial_casc, lat, lon)

    def _hate(self, plan: Plan, ref: int, spec: HateWave) -> HatePlan:
        at = parse_duration(spec.at)
        tags = tuple(spec.hashtags)
        self.context(tx.HATE, ref, "hate", own=spec.texts, emoji="hate", hashtags=tags, target=spec.target)
        self.context(tx.COUNTER, ref, "counter", emoji="negative", target=spec.target)
        casc = plan.add_cascade(Cascade(
            spec.branching, 240.0, L_HATE, ref, reply=spec.counter_speech, quote=0.0, reply_kind=tx.COUNTER,
            quote_kind=tx.COUNTER, reply_label=NO_LABEL, cap=self.cap))
        return HatePlan(ref, spec, at, parse_duration(spec.duration), spec.peak_per_minute / 60 * self.scale, casc)

    def _appeal(self, plan: Plan, ref: int, spec: Appeal) -> AppealPlan:
        at, district = parse_duration(spec.at), self.district(spec.district)
        duration = parse_duration(spec.duration)
        lat, lon = self.place(district, 0.4)
        tags = (*spec.hashtags, "missing")
        seen = self.clock(at - 2400)
        later = self.clocks(at - 2400, at + duration, 900)
        self.context(tx.APPEAL, ref, "appeal", own=spec.texts, district=district, emoji="appeal", hashtags=tags,
                     times=(seen,), careful=True, target=None)
        self.context(tx.APPEAL_REPLY, ref, "appeal_reply", district=district, emoji="appeal", hashtags=tags)
        self.context(tx.TIP, ref, "tip", district=district, emoji="neutral", times=later)
        self.context(tx.TIP, ref + FALSE_TIP, "tip", emoji="neutral", times=later)
        self.context(tx.RESOLVED, ref, "resolved", own=spec.resolved_texts, emoji="appeal", hashtags=tags,
                     careful=True)
        casc = plan.add_cascade(Cascade(
            spec.branching, parse_duration(spec.kernel), L_APPEAL, ref, reply=0.0, quote=0.15,
            reply_kind=tx.APPEAL_REPLY, quote_kind=tx.APPEAL_REPLY, reply_label=L_APPEAL, cap=self.cap))
        resolved = parse_duration(spec.resolved_at) if spec.resolved_at is not None else math.inf
        return AppealPlan(ref, spec, at, self.population.official_by_handle[spec.by], district, lat, lon, duration,
                          spec.replies_per_minute / 60 * self.scale, resolved, casc)

    def _coordinated(self, plan: Plan, ref: int, spec: Coordinated) -> CoordinatedPlan:
        at, every = parse_duration(spec.at), parse_duration(spec.every)
        rounds: Floats = at + every * np.arange(spec.rounds, dtype=np.float64)
        rounds = rounds[rounds < self.duration]
        label2, label2_ref, casc, district, target = NO_LABEL, -1, -1, -1, self.target
        if spec.amplifies is not None:
            label2_ref = self.scenario.injects.index(
                next(i for i in self.scenario.injects if i.id == spec.amplifies))
            for rumour in plan.rumours:
                if rumour.ref == label2_ref:
                    label2, casc, district = L_RUMOUR, rumour.casc, self.district(rumour.spec.district)
            for hate in plan.hates:
                if hate.ref == label2_ref:
                    label2, casc, target = L_HATE, hate.casc, hate.spec.target
            if label2 == NO_LABEL:
                label2_ref = -1  # what it amplifies starts after the end of a shortened copy
        self.context(tx.CAMPAIGN, ref, "claims", spec.message, own=spec.texts, district=district, emoji="alarm",
                     hashtags=tuple(spec.hashtags) + self.city_tags, mentions=self.official_handles, target=target)
        return CoordinatedPlan(ref, spec, rounds, parse_duration(spec.window), label2, label2_ref, casc)


def _localised(value: Localised, language: str) -> str:
    if isinstance(value, str):
        return value
    return value.get(language) or value.get("en") or next(iter(value.values()), "")

