"""The simulation: a scenario's stream, one window of stream time at a time, as event columns.

Each window draws, in bulk, the Poisson arrivals of every process (chatter, bots, officials,
incidents, rumour seeds, hate waves, appeal replies, campaign rounds), then grows the window's Hawkes
cascades generation by generation (:mod:`~civicpulse.scenarios.hawkes`), sorts everything by time and
assigns sequence numbers. Offspring that fall after the window wait in ``pending`` with their
parent's sequence number; that, a ring of recent chatter to answer, and a handful of anchors (an
appeal's post, a denial's) are the only state carried between windows — so memory is flat however
long the stream.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np
from numpy.typing import NDArray

from civicpulse.scenarios import curves, hawkes
from civicpulse.scenarios import text as tx
from civicpulse.scenarios.events import ORIGINAL, QUOTE, REPLY, REPOST, Events
from civicpulse.scenarios.plan import (
    FALSE_TIP,
    KM_PER_DEGREE,
    AppealPlan,
    CoordinatedPlan,
    HatePlan,
    IncidentPlan,
    Plan,
    RumourPlan,
)
from civicpulse.scenarios.population import Population
from civicpulse.scenarios.spec import Scenario
from civicpulse.scenarios.truth import L_APPEAL, L_COORDINATED, L_DENIAL, L_HATE, L_INCIDENT, L_RUMOUR, L_TIP

__all__ = ["Engine"]

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
#: Arrivals are drawn per bin of this many seconds (rates are smooth on this scale).
BIN_S = 10.0
#: Chatter answers one of this many recent chatter posts.
RING = 4096
_CONTENT = ("ctype", "cref", "sent", "lang", "flags", "ka", "kb", "cauthor")
_SENTIMENT_ORDER = tx.SENTIMENTS


class Engine:
    def __init__(self, scenario: Scenario, population: Population, plan: Plan, rng: np.random.Generator) -> None:
        self.scenario = scenario
        self.pop = population
        self.plan = plan
        self.rng = rng
        self.duration = scenario.duration_s
        self.scale = scenario.scale
        chatter = scenario.chatter
        self.flag_rates = _flag_rates(scenario)
        self.flag_weights = (1 << np.arange(tx.FLAG_BITS)).astype(np.int16)
        self.sentiment = np.array([chatter.sentiment.get(name, 0.0) for name in _SENTIMENT_ORDER])
        self.local_offset_h = (scenario.start.timestamp() / 3600 + scenario.utc_offset_hours) % 24
        self.main_lang = scenario.languages.index(scenario.main_language)
        self.official_lang = population.language[population.officials]
        self.casc = hawkes.CascadeTable(plan.cascades)
        self.pending: list[Events] = []
        self.anchors: dict[tuple[int, int], int] = {}
        self.ring: dict[str, NDArray[np.generic]] = {}
        self.ring_size = 0
        districts = scenario.area.districts
        self.district_lat = np.array([d.lat for d in districts])
        self.district_lon = np.array([d.lon for d in districts])
        self.district_sigma = np.array([d.radius_km / 2 / KM_PER_DEGREE for d in districts])
        rate = max(1e-6, scenario.expected_posts() / max(1.0, self.duration))
        # About 2,000 posts a window: big enough that NumPy's per-call overhead vanishes, small enough
        # that a paced replay starts at once.
        self.window_s = float(min(600.0, max(30.0, round(2000.0 / rate / 10.0) * 10.0)))

    # -- the loop --------------------------------------------------------------------------------------

    def windows(self) -> Iterator[tuple[int, Events]]:
        """(sequence number of the first row, the window's rows sorted by time), window by window."""
        seq0, t0 = 0, 0.0
        while t0 < self.duration:
            t1 = min(t0 + self.window_s, self.duration)
            events = self._window(t0, t1, seq0)
            if len(events):
                yield seq0, events
            seq0 += len(events)
            t0 = t1

    def _window(self, t0: float, t1: float, seq0: int) -> Events:
        anchors: list[tuple[tuple[int, int], Events]] = []
        parts: list[Events] = []
        for appeal in self.plan.appeals:
            if t0 <= appeal.at < t1:
                anchors.append(((L_APPEAL, appeal.ref), self._single(
                    appeal.at, appeal.by, tx.APPEAL, appeal.ref, L_APPEAL, appeal.casc)))
        for rumour in self.plan.rumours:
            if t0 <= rumour.denial_at < t1 and rumour.denier >= 0:
                anchors.append(((L_DENIAL, rumour.ref), self._single(
                    rumour.denial_at, rumour.denier, tx.DENIAL, rumour.ref, L_DENIAL, rumour.denial_casc)))
        local = {key: index for index, (key, _) in enumerate(anchors)}
        parts.extend(events for _, events in anchors)
        parts.append(self._chatter(t0, t1))
        parts.append(self._bots(t0, t1))
        parts.append(self._routine(t0, t1))
        for incident in self.plan.incidents:
            parts.extend(self._incident(incident, t0, t1))
        for rumour in self.plan.rumours:
            parts.append(self._rumour(rumour, t0, t1))
        for hate in self.plan.hates:
            parts.append(self._hate(hate, t0, t1))
        for appeal in self.plan.appeals:
            parts.extend(self._appeal(appeal, t0, t1, local))
        for campaign in self.plan.coordinated:
            parts.append(self._campaign(campaign, t0, t1))
        if self.pending:
            waiting = Events.concat(self.pending)
            due = waiting["t"] < t1
            parts.append(waiting.take(due))
            self.pending = [waiting.take(~due)]
        events = Events.concat(parts)
        later = events["t"] >= t1
        if later.any():  # a campaign round that runs past the window
            self.pending.append(events.take(later))
            events = events.take(~later)
        events, spill = hawkes.grow(events, t1, self.duration, self.casc, self.pop, self.rng, self._new_content)
        order = np.argsort(events["t"], kind="stable")
        events = events.take(order)
        position = np.empty_like(order)
        position[order] = np.arange(order.size)
        for rows in (events, spill):
            linked = rows["parent_local"] >= 0
            rows["parent_seq"] = np.where(linked, seq0 + position[np.maximum(rows["parent_local"], 0)],
                                          rows["parent_seq"])
            rows["parent_local"] = np.full(len(rows), -1)
        if len(spill):
            self.pending.append(spill)
        for key, index in local.items():
            self.anchors[key] = seq0 + int(position[index])
        self._remember_chatter(events, seq0)
        return events

    # -- helpers ---------------------------------------------------------------------------------------

    def _arrivals(self, rate: Callable[[Floats], Floats], t0: float, t1: float, earliest: float = 0.0) -> Floats:
        """Times of an inhomogeneous Poisson process with ``rate`` (per second) in [t0, t1)."""
        start = max(t0, earliest)
        if start >= t1:
            return np.empty(0)
        edges = np.arange(start, t1, BIN_S)
        widths = np.minimum(BIN_S, t1 - edges)
        counts = self.rng.poisson(np.maximum(rate(edges + widths / 2), 0.0) * widths)
        total = int(counts.sum())
        if total == 0:
            return np.empty(0)
        times: Floats = np.repeat(edges, counts) + self.rng.random(total) * np.repeat(widths, counts)
        return np.minimum(times, np.nextafter(t1, 0.0))

    def _new_content(self, events: Events) -> None:
        """Fresh random keys and decoration flags for every row, by its content kind."""
        n = len(events)
        keys = self.rng.integers(0, np.iinfo(np.int64).max, (2, n), dtype=np.int64)
        events["ka"], events["kb"] = keys[0], keys[1]
        draws = self.rng.random((n, tx.FLAG_BITS)) < self.flag_rates[events["ctype"]]
        events["flags"] = draws.astype(np.int16) @ self.flag_weights

    def _make(self, times: Floats, posters: Ints, ctype: int | NDArray[np.int8], cref: int | Ints,
              **columns: NDArray[np.generic] | int) -> Events:
        events = Events.new(times.size, t=times, poster=posters, ctype=ctype, cref=cref,
                            lang=self.pop.language[posters], cauthor=posters, **columns)
        self._new_content(events)
        return events

    def _single(self, at: float, poster: int, ctype: int, cref: int, label: int, casc: int) -> Events:
        return self._make(np.array([at]), np.array([poster], dtype=np.int64), ctype, cref, label=label,
                          label_ref=cref, casc=casc)

    def _geotag(self, events: Events, share: float, lat: Floats | float, lon: Floats | float,
                sigma_deg: Floats | float) -> None:
        n = len(events)
        tagged = self.rng.random(n) < share
        noise = self.rng.standard_normal((2, n)) * sigma_deg
        events["geo"] = tagged
        events["lat"] = np.clip(lat + noise[0], -90.0, 90.0)
        cos = np.maximum(0.1, np.cos(np.radians(events["lat"])))
        events["lon"] = np.clip(lon + noise[1] / cos, -180.0, 180.0)

    def _home_geotag(self, events: Events, share: float) -> None:
        home = self.pop.home[events["poster"]]
        self._geotag(events, share, self.district_lat[home], self.district_lon[home], self.district_sigma[home])

    # -- background ------------------------------------------------------------------------------------

    def _chatter(self, t0: float, t1: float) -> Events:
        chatter = self.scenario.chatter
        base = chatter.per_minute / 60.0 * self.scale
        rhythm = chatter.rhythm

        def rate(t: Floats) -> Floats:
            return base * curves.rhythm(self.local_offset_h + t / 3600.0, rhythm)

        times = self._arrivals(rate, t0, t1)
        n = times.size
        posters = self.pop.sample_chatter(self.rng, n)
        topics = self.rng.integers(0, len(chatter.topics), n)
        sentiment = np.searchsorted(np.cumsum(self.sentiment), self.rng.random(n) * self.sentiment.sum(),
                                    side="right").clip(0, 2)
        events = self._make(times, posters, tx.CHATTER, topics, sent=sentiment)
        self._home_geotag(events, chatter.geotagged)
        if self.ring_size:
            u = self.rng.random(n)
            picks = self.rng.integers(0, self.ring_size, n)
            reply = u < chatter.replies
            repost = (u >= chatter.replies) & (u < chatter.replies + chatter.reposts)
            quote = (u >= chatter.replies + chatter.reposts) & (u < chatter.replies + chatter.reposts + chatter.quotes)
            answered = reply | repost | quote
            events["rel"] = np.select([reply, repost, quote], [REPLY, REPOST, QUOTE], ORIGINAL)
            events["parent_seq"] = np.where(answered, self.ring["seq"][picks], -1)
            events["parent_poster"] = np.where(answered, self.ring["poster"][picks], -1)
            events["ctype"] = np.where(reply | quote, tx.REPLY, events["ctype"])
            events["cref"] = np.where(reply | quote, 0, events["cref"])
            events["geo"] = events["geo"] & ~answered
            for name in _CONTENT:
                events[name] = np.where(repost, self.ring[name][picks], events[name])
        return events

    def _remember_chatter(self, events: Events, seq0: int) -> None:
        rows = np.flatnonzero((events["rel"] == ORIGINAL) & (events["ctype"] == tx.CHATTER))[-RING:]
        if rows.size == 0:
            return
        fresh: dict[str, NDArray[np.generic]] = {name: events[name][rows] for name in (*_CONTENT, "poster")}
        fresh["seq"] = seq0 + rows
        if self.ring_size:
            fresh = {name: np.concatenate([self.ring[name], values])[-RING:] for name, values in fresh.items()}
        self.ring = fresh
        self.ring_size = int(fresh["seq"].size)

    def _bots(self, t0: float, t1: float) -> Events:
        bots = self.pop.bots
        if bots.size == 0:
            return Events.empty()
        per_s = bots.size * self.scenario.population.bot_posts_per_hour / 3600.0
        times = self._arrivals(lambda t: np.full(t.size, per_s), t0, t1)
        return self._make(times, bots[self.rng.integers(0, bots.size, times.size)], tx.BOT, 0)

    def _routine(self, t0: float, t1: float) -> Events:
        officials = self.scenario.population.officials
        per_s = np.array([o.posts_per_hour / 3600.0 for o in officials])
        if per_s.sum() <= 0:
            return Events.empty()
        times = self._arrivals(lambda t: np.full(t.size, per_s.sum()), t0, t1)
        which = np.searchsorted(np.cumsum(per_s), self.rng.random(times.size) * per_s.sum(), side="right")
        which = np.minimum(which, len(officials) - 1).astype(np.int64)
        return self._make(times, which, tx.ROUTINE, which)

    # -- injects ---------------------------------------------------------------------------------------

    def _incident(self, plan: IncidentPlan, t0: float, t1: float) -> list[Events]:
        if t1 <= plan.at:
            return []
        spec = plan.spec

        def rate(t: Floats) -> Floats:
            return plan.peak_per_s * curves.incident(t - plan.at, spec.growth, plan.rise, plan.hold, plan.decay,
                                                        spec.onset_share)

        times = self._arrivals(rate, t0, t1, earliest=plan.at)
        posters = self.pop.sample_residents(self.rng, plan.district, times.size, local=0.6)
        events = self._make(times, posters, tx.INCIDENT, plan.ref, label=L_INCIDENT, label_ref=plan.ref,
                            casc=plan.casc)
        self._geotag(events, spec.geotagged, plan.lat, plan.lon, plan.spread_deg)
        due = plan.updates[(plan.updates >= t0) & (plan.updates < t1)]
        if due.size == 0:
            return [events]
        official = np.full(due.size, plan.official, dtype=np.int64)
        updates = self._make(due, official, tx.OFFICIAL_UPDATE, plan.ref, label=L_INCIDENT, label_ref=plan.ref,
                             casc=plan.update_casc)
        return [events, updates]

    def _rumour(self, plan: RumourPlan, t0: float, t1: float) -> Events:
        first, last = np.searchsorted(plan.seeds, [t0, t1])
        times = plan.seeds[first:last]
        # After the denial, fewer people start the claim afresh.
        times = times[(times < plan.denial_at) | (self.rng.random(times.size) < plan.spec.after_denial)]
        posters = self._mostly_people(times.size, bot_share=0.15)
        events = self._make(times, posters, tx.CLAIM, plan.ref, label=L_RUMOUR, label_ref=plan.ref, casc=plan.casc)
        self._home_geotag(events, 0.02)
        return events

    def _mostly_people(self, count: int, bot_share: float) -> Ints:
        people = self.pop.sample_chatter(self.rng, count)
        bots = self.pop.bots
        if bots.size == 0:
            return people
        botted = bots[self.rng.integers(0, bots.size, count)]
        return np.where(self.rng.random(count) < bot_share, botted, people)

    def _hate(self, plan: HatePlan, t0: float, t1: float) -> Events:
        if t1 <= plan.at:
            return Events.empty()
        times = self._arrivals(lambda t: plan.peak_per_s * curves.hate_wave(t - plan.at, plan.duration), t0, t1,
                               earliest=plan.at)
        n = times.size
        hostile, network = self.pop.hostile, self.pop.coordinated
        posters = hostile[self.rng.integers(0, hostile.size, n)]
        if self.pop.bots.size:
            posters = np.where(self.rng.random(n) < 0.2, self.pop.bots[self.rng.integers(0, self.pop.bots.size, n)],
                               posters)
        if network.size:
            posters = np.where(self.rng.random(n) < plan.spec.coordinated_share,
                               network[self.rng.integers(0, network.size, n)], posters)
        return self._make(times, posters, tx.HATE, plan.ref, label=L_HATE, label_ref=plan.ref, casc=plan.casc)

    def _appeal(self, plan: AppealPlan, t0: float, t1: float, local: dict[tuple[int, int], int]) -> list[Events]:
        key = (L_APPEAL, plan.ref)
        if key not in local and key not in self.anchors:
            return []
        parent = {"parent_local": local[key]} if key in local else {"parent_seq": self.anchors[key]}
        times = self._arrivals(lambda t: plan.rate_per_s * curves.appeal_replies(t - plan.at, plan.duration), t0, t1,
                               earliest=plan.at + curves.APPEAL_LAG_S)
        n = times.size
        posters = self.pop.sample_residents(self.rng, plan.district, n, local=0.5)
        tip = self.rng.random(n) < plan.spec.tips
        true = self.rng.random(n) < plan.spec.true_tips
        ctype = np.where(tip, tx.TIP, tx.APPEAL_REPLY).astype(np.int8)
        cref = np.where(tip & ~true, plan.ref + FALSE_TIP, plan.ref)
        replies = self._make(times, posters, ctype, cref, label=np.where(tip, L_TIP, L_APPEAL).astype(np.int8),
                             label_ref=plan.ref, rel=REPLY, parent_poster=plan.by, **parent)
        # Tips are often geotagged: true ones near where the person really is, the others anywhere.
        elsewhere = self.rng.integers(0, self.district_lat.size, n)
        near = 0.3 / KM_PER_DEGREE
        self._geotag(replies, 0.35, np.where(true, plan.lat, self.district_lat[elsewhere]),
                     np.where(true, plan.lon, self.district_lon[elsewhere]),
                     np.where(true, near, self.district_sigma[elsewhere]))
        replies["geo"] = replies["geo"] & tip
        out = [replies]
        if t0 <= plan.resolved_at < t1:
            out.append(self._make(np.array([plan.resolved_at]), np.array([plan.by], dtype=np.int64), tx.RESOLVED,
                                  plan.ref, label=L_APPEAL, label_ref=plan.ref, rel=REPLY, parent_poster=plan.by,
                                  casc=plan.casc, **parent))
        return out

    def _campaign(self, plan: CoordinatedPlan, t0: float, t1: float) -> Events:
        members = self.pop.coordinated
        rounds = plan.rounds[(plan.rounds >= t0) & (plan.rounds < t1)]
        parts = []
        for start in rounds:
            posting = members[self.rng.random(members.size) < plan.spec.participation]
            # Copy-paste campaigns post within minutes of each other, one message, small variations.
            times = np.minimum(start + self.rng.random(posting.size) * plan.window, math.nextafter(self.duration, 0))
            message = int(self.rng.integers(0, 120))
            events = self._make(times, posting, tx.CAMPAIGN, plan.ref, sent=message, label=L_COORDINATED,
                                label_ref=plan.ref, label2=plan.label2, label2_ref=plan.label2_ref, casc=plan.casc)
            events["lang"] = np.full(posting.size, self.main_lang)
            parts.append(events)
        return Events.concat(parts)


def _flag_rates(scenario: Scenario) -> NDArray[np.float64]:
    """Per content kind, the chance of each decoration (typo, emoji, hashtag, link, mention, code-switch, caps)."""
    c = scenario.chatter
    typo, cs = c.typos, c.code_switching
    rows = {
        tx.CHATTER: (typo, c.emoji, c.hashtag, c.links, c.mentions, cs, 0.01),
        tx.REPLY: (typo * 1.2, c.emoji * 1.2, c.hashtag * 0.2, c.links * 0.3, 0.0, cs, 0.01),
        tx.BOT: (0.02, 0.6, 0.9, 0.8, 0.2, 0.0, 0.05),
        tx.ROUTINE: (0.0, 0.3, 0.6, 0.3, 0.0, 0.0, 0.0),
        tx.INCIDENT: (typo * 1.5, 0.45, 0.45, 0.08, 0.15, cs, 0.05),
        tx.INCIDENT_REACTION: (typo, 0.4, 0.1, 0.0, 0.0, cs, 0.02),
        tx.OFFICIAL_UPDATE: (0.0, 0.3, 0.7, 0.3, 0.0, 0.0, 0.0),
        tx.CLAIM: (typo * 1.2, 0.5, 0.5, 0.12, 0.2, cs, 0.1),
        tx.REACTION: (typo, 0.35, 0.15, 0.02, 0.05, cs, 0.05),
        tx.DENIAL: (0.0, 0.2, 0.8, 0.5, 0.0, 0.0, 0.0),
        tx.HATE: (typo * 2, 0.35, 0.4, 0.05, 0.05, cs, 0.15),
        tx.COUNTER: (typo, 0.2, 0.1, 0.02, 0.0, cs, 0.0),
        tx.APPEAL: (0.0, 0.5, 0.9, 0.3, 0.0, 0.0, 0.0),
        tx.APPEAL_REPLY: (typo, 0.5, 0.3, 0.0, 0.0, cs, 0.0),
        tx.TIP: (typo * 1.5, 0.1, 0.05, 0.0, 0.0, cs, 0.0),
        tx.RESOLVED: (0.0, 0.6, 0.8, 0.0, 0.0, 0.0, 0.0),
        tx.CAMPAIGN: (0.15, 0.6, 0.9, 0.15, 0.3, 0.0, 0.1),
    }
    table = np.zeros((tx.KINDS, tx.FLAG_BITS))
    for kind, rates in rows.items():
        table[kind] = rates
    return np.clip(table, 0.0, 1.0)
