"""Generating a scenario's stream: deterministic for a seed, time-ordered, flat in memory.

The stream is built one minute at a time: Poisson counts for background chatter, incidents, hate
waves and appeal replies are drawn for the minute, rumour cascades (simulated up front, bounded)
contribute the reposts that fall in it, and the minute's posts are sorted by time and yielded. Only
one minute of posts and the bounded cascades are ever held, however long the scenario.

Scalar choices use ``random.Random`` (much faster per call than NumPy scalars); bulk draws (the
population, cascades, counts) use a NumPy PCG64 generator. Both are seeded from the one seed.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, TypeVar

import numpy as np

from civicpulse.post import Author, Geo, GeoSource, Metrics, Post
from civicpulse.scenarios import phrases
from civicpulse.scenarios.hawkes import CascadeEvent, simulate_cascade
from civicpulse.scenarios.population import Population, build_population
from civicpulse.scenarios.spec import (
    Appeal,
    Coordinated,
    District,
    HateWave,
    Incident,
    Rumour,
    Scenario,
    parse_duration,
)
from civicpulse.scenarios.truth import InjectTruth, TruthSink, TruthSummary

__all__ = ["ScenarioRun"]

T = TypeVar("T")

# (time offset in seconds, post, label kind or None, label id or None)
Item = tuple[float, Post, str | None, str | None]

_STANCE = {
    "support": ["omg share this!!", "This is true, my mate saw it", "Everyone needs to see this",
                "Unbelievable. Spread the word"],
    "query": ["Is this true??", "Source?", "Can anyone confirm this?", "Anyone know if this is real?"],
    "deny": ["This is fake, stop sharing", "Police already said this is false", "Not true, I'm there right now",
             "Fake news, check the official account"],
}


class ScenarioRun:
    def __init__(self, scenario: Scenario, seed: int = 0, truth: TruthSink | None = None) -> None:
        self.scenario = scenario
        self.seed = seed
        self.truth = truth or TruthSink()
        self._np = np.random.Generator(np.random.PCG64(seed))
        self._r = random.Random(seed)
        self._count = 0
        self._summary = TruthSummary(scenario=scenario.name, seed=seed, start=scenario.start,
                                     end=scenario.start + timedelta(seconds=scenario.duration_s))
        self._truth_by_id: dict[str, InjectTruth] = {}
        # A shortened copy of a scenario simply leaves out the injects that would start after its end.
        self._injects = [i for i in scenario.injects if parse_duration(i.at) < scenario.duration_s]

    # -- public ----------------------------------------------------------------------------------

    def summary(self) -> TruthSummary:
        """The ground-truth summary (post counts are complete once :meth:`posts` is exhausted)."""
        return self._summary

    def posts(self) -> Iterator[Post]:
        scenario = self.scenario
        population = build_population(scenario, self._np)
        self._prepare_truth()
        cascades = self._simulate_rumours(population)
        cursor = {rumour.id: 0 for rumour, _ in cascades}
        post_ids: dict[str, dict[int, str]] = {rumour.id: {} for rumour, _ in cascades}
        minutes = math.ceil(scenario.duration_s / 60)
        pending: list[tuple[float, int, Item]] = []
        sequence = itertools.count()
        start_hour = scenario.start.hour + scenario.start.minute / 60
        for minute in range(minutes):
            t0 = minute * 60.0
            items: list[Item] = []
            hour = int((start_hour + t0 / 3600) % 24)
            items.extend(self._background(population, t0, hour))
            for inject in self._injects:
                at = parse_duration(inject.at)
                if isinstance(inject, Incident):
                    items.extend(self._incident(inject, population, t0, at))
                elif isinstance(inject, HateWave):
                    items.extend(self._hate(inject, population, t0, at))
                elif isinstance(inject, Appeal) and t0 <= at + parse_duration(inject.duration):
                    items.extend(self._appeal(inject, population, t0, at))
                elif isinstance(inject, Coordinated):
                    items.extend(self._coordinated(inject, population, t0, at))
            items.sort(key=lambda item: item[0])
            # Rumour posts (and denials) reference earlier posts by id, so they are built in time
            # order after the minute's other posts have their ids.
            merged = self._merge_rumours(items, cascades, cursor, post_ids, population, t0)
            # Some injects spill past the minute (a coordinated burst lasts minutes): they wait in
            # a heap until their time comes, so the stream stays in time order.
            for item in merged:
                heapq.heappush(pending, (item[0], next(sequence), item))
            horizon = t0 + 60 if minute < minutes - 1 else scenario.duration_s
            while pending and pending[0][0] < horizon:
                yield self._emit(heapq.heappop(pending)[2])

    def _emit(self, item: Item) -> Post:
        _, post, kind, label = item
        if kind is not None and label is not None:
            self.truth.label(post.id, kind, label)
            self._truth_by_id[label].posts += 1
        self._summary.posts += 1
        return post

    # -- building blocks -------------------------------------------------------------------------

    def _new_id(self) -> str:
        self._count += 1
        return f"scenario:{self.scenario.name}-{self.seed}-{self._count}"

    def _post(self, t: float, author: Author, text: str, language: str | None, **fields: Any) -> Post:
        return Post(id=self._new_id(), platform="scenario", created_at=self.scenario.start + timedelta(seconds=t),
                    author=author, text=text, language=language if self._r.random() < 0.7 else None,
                    url=None, **fields)

    def _decorate(self, text: str, language: str, tag_key: str, district: str) -> tuple[str, tuple[str, ...],
                                                                                       tuple[str, ...]]:
        """Typos, emoji, hashtags, links and code-switching, at the scenario's rates."""
        chatter, r = self.scenario.chatter, self._r
        if r.random() < chatter.typos and len(text) > 6:
            i = r.randrange(1, len(text) - 2)
            text = text[:i] + text[i + 1] + text[i] + text[i + 2:] if r.random() < 0.5 else text[:i] + text[i + 1:]
        if r.random() < chatter.code_switching:
            other = r.choice(self.scenario.languages)
            if other != language and other in phrases.BACKGROUND:
                # Code-switching: a second clause in another language, as bilingual posters write.
                clause = r.choice(phrases.BACKGROUND[other]["neutral"])
                thing = r.choice(phrases.THINGS[other]["daily"])
                text = f"{text} — {clause.format(thing=thing, district=district, city=self.scenario.city, time='18h')}"
        hashtags: tuple[str, ...] = ()
        if r.random() < 0.35:
            raw = r.choice(phrases.HASHTAGS.get(tag_key, ["{city}"]))
            tag = raw.format(city=self.scenario.city, district=district).replace(" ", "")
            hashtags = (tag.casefold(),)
            text = f"{text} #{tag}"
        if r.random() < chatter.emoji:
            text = f"{text} {r.choice(phrases.EMOJI)}"
        links: tuple[str, ...] = ()
        if r.random() < chatter.links:
            link = f"https://news.example.org/{self.scenario.name}/{r.randrange(10_000)}"
            links = (link,)
            text = f"{text} {link}"
        return text, hashtags, links

    def _geo(self, district: District, probability: float) -> Geo | None:
        r = self._r
        if r.random() >= probability:
            return None
        spread = district.radius_km / 111.0
        lat = max(-90.0, min(90.0, district.lat + r.gauss(0, spread / 2)))
        lon = max(-180.0, min(180.0, district.lon + r.gauss(0, spread / 2 / max(0.1, math.cos(math.radians(lat))))))
        return Geo(source=GeoSource.GEOTAG, lat=round(lat, 6), lon=round(lon, 6), accuracy_m=50.0,
                   place_name=district.name if r.random() < 0.5 else None)

    def _fill(self, template: str, district: str, **slots: str) -> str:
        r = self._r
        return template.format(district=district, city=self.scenario.city, n=r.randrange(2, 50),
                               time=f"{r.randrange(6, 23)}:{r.choice(('00', '15', '30', '45'))}",
                               thing=slots.get("thing", ""), target=slots.get("target", ""),
                               subject=slots.get("subject", ""))

    def _templates(self, table: dict[str, T], language: str) -> tuple[str, T]:
        if language in table:
            return language, table[language]
        return "en", table["en"]

    # -- chatter and injects ---------------------------------------------------------------------

    def _background(self, population: Population, t0: float, hour: int) -> list[Item]:
        chatter, scenario, r = self.scenario.chatter, self.scenario, self._r
        count = int(self._np.poisson(chatter.per_minute * chatter.rhythm[hour] * scenario.scale))
        if count == 0:
            return []
        authors = self._np.choice(len(population.authors), size=count, p=population.activity)
        languages, weights = zip(*chatter.languages.items(), strict=True)
        moods, mood_weights = zip(*chatter.sentiment.items(), strict=True)
        picked_languages = r.choices(languages, weights, k=count)
        picked_moods = r.choices(moods, mood_weights, k=count)
        districts = scenario.area.districts
        is_bot = set(population.bots.tolist())
        items: list[Item] = []
        for i in range(count):
            author_index = int(authors[i])
            district = r.choice(districts)
            if author_index in is_bot:
                text, language, topic = self._fill(r.choice(phrases.BOT), district.name), "en", "daily"
            else:
                language, table = self._templates(phrases.BACKGROUND, picked_languages[i])
                topic = r.choice(chatter.topics)
                things = phrases.THINGS[language].get(topic) or phrases.THINGS[language]["daily"]
                text = self._fill(r.choice(table[picked_moods[i]]), district.name, thing=r.choice(things))
            text, hashtags, links = self._decorate(text, language, topic, district.name)
            t = t0 + r.random() * 60
            post = self._post(t, population.authors[author_index], text, language, hashtags=hashtags, links=links,
                              geo=self._geo(district, chatter.geotagged),
                              metrics=Metrics(likes=int(r.paretovariate(1.5)) - 1))
            items.append((t, post, None, None))
        return items

    def _incident(self, inject: Incident, population: Population, t0: float, at: float) -> list[Item]:
        rise, decay = parse_duration(inject.rise), parse_duration(inject.decay)
        mid = t0 + 30 - at
        if mid < 0:
            return []
        # Growth then decay: saturating rise to the peak, exponential fall-off afterwards.
        rate = (inject.peak_per_minute * (1 - math.exp(-3 * mid / rise)) if mid <= rise
                else inject.peak_per_minute * math.exp(-(mid - rise) / decay))
        rate *= self.scenario.scale
        if rate < 0.05:
            return []
        count = int(self._np.poisson(rate))
        district = self.scenario.district(inject.district)
        table: dict[str, list[str]] = phrases.INCIDENTS.get(inject.topic, phrases.INCIDENTS["riot"])
        languages, weights = zip(*self.scenario.chatter.languages.items(), strict=True)
        items: list[Item] = []
        for _ in range(count):
            t = max(at, t0 + self._r.random() * 60)
            language, templates = self._templates(table, self._r.choices(languages, weights)[0])
            author = population.authors[int(self._r.choice(population.ordinary))]
            text, hashtags, links = self._decorate(self._fill(self._r.choice(templates), district.name), language,
                                                   inject.topic, district.name)
            post = self._post(t, author, text, language, hashtags=hashtags, links=links,
                              geo=self._geo(district, inject.geotagged))
            items.append((t, post, "incident", inject.id))
        return items

    def _hate(self, inject: HateWave, population: Population, t0: float, at: float) -> list[Item]:
        duration = parse_duration(inject.duration)
        mid = t0 + 30 - at
        if not 0 <= mid <= duration:
            return []
        shape = min(1.0, mid / (duration * 0.2), (duration - mid) / (duration * 0.3))
        count = int(self._np.poisson(inject.peak_per_minute * max(0.0, shape) * self.scenario.scale))
        items: list[Item] = []
        for _ in range(count):
            t = max(at, t0 + self._r.random() * 60)
            pool = population.coordinated if (self._r.random() < inject.coordinated_share
                                              and population.coordinated.size) else population.ordinary
            district = self._r.choice(self.scenario.area.districts).name
            text = self._fill(self._r.choice(phrases.HATE), district, target=inject.target)
            text, hashtags, links = self._decorate(text, "en", "hate", district)
            post = self._post(t, population.authors[int(self._r.choice(pool))], text, "en",
                              hashtags=hashtags, links=links)
            items.append((t, post, "hate_wave", inject.id))
        return items

    def _appeal(self, inject: Appeal, population: Population, t0: float, at: float) -> list[Item]:
        items: list[Item] = []
        district = inject.district
        truth = self._truth_by_id[inject.id]
        if t0 <= at < t0 + 60:
            author = population.authors[population.officials[inject.by]]
            text = self._fill(phrases.APPEAL[0], district, subject=inject.subject)
            post = self._post(at, author, f"{text} #missing", "en", hashtags=("missing",))
            truth.post_id = post.id
            items.append((at, post, "appeal", inject.id))
        appeal_id = truth.post_id
        mid = t0 + 30 - at
        if appeal_id is None or mid <= 0:
            return items
        rate = inject.replies_per_minute * math.exp(-mid / (parse_duration(inject.duration) / 3)) * self.scenario.scale
        for _ in range(int(self._np.poisson(rate))):
            t = max(at + 1, t0 + self._r.random() * 60)
            author = population.authors[int(self._r.choice(population.ordinary))]
            if self._r.random() < inject.tips:
                text, kind = self._fill(self._r.choice(phrases.TIPS), self._r.choice(self.scenario.area.districts).name,
                                        subject=inject.subject), "tip"
            else:
                text, kind = self._fill(self._r.choice(phrases.REPLIES[self._r.choice(("share", "share", "comment"))]),
                                        district), "appeal"
            post = self._post(t, author, text, "en", reply_to=appeal_id)
            items.append((t, post, kind, inject.id))
        return items

    def _coordinated(self, inject: Coordinated, population: Population, t0: float, at: float) -> list[Item]:
        window, every = parse_duration(inject.window), parse_duration(inject.every)
        items: list[Item] = []
        for round_index in range(inject.rounds):
            begin = at + round_index * every
            if not (t0 <= begin < t0 + 60) or not population.coordinated.size:
                continue
            district = self._r.choice(self.scenario.area.districts).name
            claims = phrases.CLAIMS.get(inject.message, {}).get("en")
            template = self._r.choice(claims) if claims else "{city} deserves better #enough"
            base = self._fill(template, district, target="outsiders", subject="a child")
            for account in population.coordinated:
                t = begin + self._r.random() * window
                # Near-duplicates: the same message with small variations, as copy-paste campaigns do.
                text = f"{base} {self._r.choice(phrases.EMOJI)}" if self._r.random() < 0.5 else f"{base}!!"
                post = self._post(t, population.authors[int(account)], text, "en")
                items.append((t, post, "coordinated", inject.id))
        return items

    # -- rumours ---------------------------------------------------------------------------------

    def _simulate_rumours(self, population: Population) -> list[tuple[Rumour, list[CascadeEvent]]]:
        cascades = []
        for inject in self._injects:
            if isinstance(inject, Rumour):
                events = simulate_cascade(
                    self._np, start=parse_duration(inject.at), spread=parse_duration(inject.spread),
                    seeds=max(1, round(inject.seeds * self.scenario.scale)), branching=inject.branching,
                    kernel=parse_duration(inject.kernel), seed_authors=population.ordinary,
                    followers_of=population.followers_of, end=self.scenario.duration_s)
                cascades.append((inject, events))
        return cascades

    def _merge_rumours(self, items: list[Item], cascades: list[tuple[Rumour, list[CascadeEvent]]],
                       cursor: dict[str, int], post_ids: dict[str, dict[int, str]], population: Population,
                       t0: float) -> list[Item]:
        extra: list[Item] = []
        for rumour, events in cascades:
            denial_at = parse_duration(rumour.denial_at) if rumour.denial_at is not None else math.inf
            truth = self._truth_by_id[rumour.id]
            district = rumour.district or self.scenario.area.districts[0].name
            if rumour.denied_by and t0 <= denial_at < t0 + 60:
                language, templates = self._templates(phrases.DENIAL, self.scenario.languages[0])
                author = population.authors[population.officials[rumour.denied_by]]
                denial = self._post(denial_at, author, self._fill(self._r.choice(templates), district), language)
                truth.denial_post_id = denial.id
                extra.append((denial_at, denial, "denial", rumour.id))
            ids = post_ids[rumour.id]
            index = cursor[rumour.id]
            while index < len(events) and events[index].at < t0 + 60:
                event = events[index]
                after_denial = event.at > denial_at
                # Denials slow a rumour down: most would-be reposts after it never happen.
                kept = not (after_denial and event.parent >= 0 and self._r.random() < 0.65)
                if not kept:
                    ids[index] = ids.get(event.parent, "")
                    index += 1
                    continue
                post = self._rumour_post(rumour, event, ids, population, district, after_denial)
                ids[index] = post.id if event.parent < 0 or post.repost_of is None else ids[event.parent]
                extra.append((event.at, post, "rumour", rumour.id))
                index += 1
            cursor[rumour.id] = index
        if not extra:
            return items
        return sorted([*items, *extra], key=lambda item: item[0])

    def _rumour_post(self, rumour: Rumour, event: CascadeEvent, ids: dict[int, str], population: Population,
                     district: str, after_denial: bool) -> Post:
        r = self._r
        author = population.authors[event.author]
        claims = phrases.CLAIMS.get(rumour.claim, phrases.CLAIMS["riot-shooting"])
        if event.parent < 0 or not ids.get(event.parent):
            language, templates = self._templates(claims, r.choice(self.scenario.languages))
            text = self._fill(r.choice(templates), district, target="outsiders", subject="a child")
            text, hashtags, links = self._decorate(text, language, "riot", district)
            return self._post(event.at, author, text, language, hashtags=hashtags, links=links)
        parent_id = ids[event.parent]
        if r.random() < 0.65:
            return self._post(event.at, author, "", None, repost_of=parent_id)
        stance = r.choice(("deny", "deny", "query", "support")) if after_denial else \
            r.choice(("support", "support", "query", "query", "support"))
        field = "quote_of" if r.random() < 0.5 else "reply_to"
        return self._post(event.at, author, r.choice(_STANCE[stance]), "en", **{field: parent_id})

    def _prepare_truth(self) -> None:
        scenario, start = self.scenario, self.scenario.start
        for inject in self._injects:
            onset = start + timedelta(seconds=parse_duration(inject.at))
            district_name = getattr(inject, "district", None)
            district = scenario.district(district_name) if district_name else None
            truth = InjectTruth(id=inject.id, kind=type(inject).__name__.lower(), title="", onset=onset,
                                district=district_name, lat=district.lat if district else None,
                                lon=district.lon if district else None)
            if isinstance(inject, Incident):
                truth.title, truth.kind = inject.title, "incident"
                self._summary.incidents.append(truth)
            elif isinstance(inject, Rumour):
                truth.title, truth.kind = inject.claim, "rumour"
                if inject.denial_at is not None and inject.denied_by:
                    truth.denial_at = start + timedelta(seconds=parse_duration(inject.denial_at))
                self._summary.rumours.append(truth)
            elif isinstance(inject, HateWave):
                truth.title, truth.kind = f"hate speech against {inject.target}", "hate_wave"
                self._summary.hate_waves.append(truth)
            elif isinstance(inject, Appeal):
                truth.title, truth.kind = inject.subject, "appeal"
                self._summary.appeals.append(truth)
            else:
                truth.title, truth.kind = inject.message, "coordinated"
                self._summary.coordinated.append(truth)
            self._truth_by_id[inject.id] = truth
