"""The scenario file format (YAML) as typed structs: the schema, and durations written for people.

Every field is documented in ``docs/scenarios.md``; :mod:`~civicpulse.scenarios.loader` parses and
validates files into these structs. Durations are strings like "90s", "45m", "2h", "1h30m" or "1d"
(or a number of seconds) and stay as written in the struct, so that a scenario can be shortened with
``msgspec.structs.replace(scenario, duration="1h")``; ``parse_duration`` turns them into seconds.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from civicpulse.errors import ScenarioError

__all__ = [
    "Appeal", "Area", "Chatter", "Coordinated", "District", "HateWave", "Incident", "Inject", "Official",
    "Population", "Rumour", "Scenario", "official_reach", "parse_duration",
]

_DURATION = re.compile(
    r"^\s*(?:(\d+(?:\.\d+)?)d)?\s*(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m)?\s*(?:(\d+(?:\.\d+)?)s)?\s*$")
_UNIT_SECONDS = (86_400.0, 3600.0, 60.0, 1.0)
DURATION_FIX = "write durations as a number and a unit: '90s', '45m', '2h', '1h30m' or '1d'"
DOCS = "see docs/scenarios.md for every field"

Probability = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]
Positive = Annotated[float, msgspec.Meta(gt=0.0)]
Identifier = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
Handle = Annotated[str, msgspec.Meta(pattern=r"^@\w{1,40}$")]
Duration = str | float
#: Language code -> templates, for injects that bring their own words.
Texts = dict[str, list[str]]
#: One string for every language, or a string per language.
Localised = str | dict[str, str]


def parse_duration(text: object) -> float:
    """Seconds in ``"1h30m"``, ``"45m"``, ``"90s"``, ``"1d"`` or a plain number of seconds."""
    if isinstance(text, bool):
        raise ScenarioError("expected a duration like '45m', not a yes/no value", fix=DURATION_FIX)
    if isinstance(text, int | float):
        if not math.isfinite(text) or text < 0:
            raise ScenarioError(f"a duration must be a positive number of seconds, got {text!r}", fix=DURATION_FIX)
        return float(text)
    match = _DURATION.match(text) if isinstance(text, str) else None
    if not match or not any(match.groups()):
        raise ScenarioError(f"expected a duration like '45m', '2h' or '1h30m', got {text!r}", fix=DURATION_FIX)
    return sum(float(g) * unit for g, unit in zip(match.groups(), _UNIT_SECONDS, strict=True) if g)


class _Spec(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    pass


class District(_Spec, frozen=True):
    name: str
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)]
    radius_km: Positive = 1.0
    #: Streets, parks, stations people name in posts ("near Roundhay Park"); default: the district's name.
    landmarks: list[str] = msgspec.field(default_factory=list)
    #: Relative share of the population living there.
    weight: Positive = 1.0


class Area(_Spec, frozen=True):
    #: south, west, north, east (degrees)
    bbox: tuple[float, float, float, float]
    districts: list[District]


class Official(_Spec, frozen=True):
    handle: Handle
    name: str
    followers: Annotated[int, msgspec.Meta(ge=0)] = 50_000
    kind: Literal["police", "city", "fire", "ambulance", "transport", "other"] = "police"
    #: The language it posts in (default: the scenario's main language).
    language: str | None = None
    #: Everyday posts per hour outside any incident.
    posts_per_hour: Annotated[float, msgspec.Meta(ge=0)] = 1.0


class Population(_Spec, frozen=True):
    accounts: Annotated[int, msgspec.Meta(ge=50, le=2_000_000)] = 20_000
    #: Each account follows this many others on average; whom is drawn by popularity (preferential attachment).
    follows: Annotated[int, msgspec.Meta(ge=1, le=200)] = 12
    #: Pareto exponent of popularity: lower means a heavier tail of very followed accounts.
    popularity_tail: Annotated[float, msgspec.Meta(ge=1.05, le=5.0)] = 1.3
    officials: list[Official] = msgspec.field(default_factory=list)
    bots: Annotated[int, msgspec.Meta(ge=0)] = 200
    #: Each bot's posts per hour, day and night alike.
    bot_posts_per_hour: Annotated[float, msgspec.Meta(ge=0)] = 4.0
    #: Accounts that act together (near-duplicate posts within a short window).
    coordinated: Annotated[int, msgspec.Meta(ge=0)] = 40
    #: Share of accounts with a location in their profile.
    profile_location: Probability = 0.3
    verified: Probability = 0.01


class Chatter(_Spec, frozen=True):
    #: Posts per minute at a rhythm factor of 1.
    per_minute: Positive = 300.0
    #: 24 multipliers, one per local hour of the day.
    rhythm: list[Annotated[float, msgspec.Meta(ge=0)]] = msgspec.field(default_factory=lambda: [1.0] * 24)
    languages: dict[str, Annotated[float, msgspec.Meta(gt=0)]] = msgspec.field(default_factory=lambda: {"en": 1.0})
    sentiment: dict[str, Annotated[float, msgspec.Meta(ge=0)]] = msgspec.field(
        default_factory=lambda: {"negative": 0.25, "neutral": 0.5, "positive": 0.25})
    topics: list[str] = msgspec.field(default_factory=lambda: ["daily", "traffic", "weather", "sport", "food"])
    #: City-wide hashtags people add (without '#'); default: the city's name.
    hashtags: list[str] = msgspec.field(default_factory=list)
    link_domains: list[str] = msgspec.field(
        default_factory=lambda: ["news.example.org", "localpaper.example.com", "video.example.net", "lnk.example"])
    #: Shares of posts with a typo, an emoji, a hashtag, a link, a mention, a geotag; mixing two languages.
    typos: Probability = 0.08
    emoji: Probability = 0.3
    hashtag: Probability = 0.25
    links: Probability = 0.05
    mentions: Probability = 0.08
    geotagged: Probability = 0.03
    code_switching: Probability = 0.03
    #: Shares of chatter that answers (reply), shares (repost) or comments on (quote) a recent post.
    replies: Probability = 0.12
    reposts: Probability = 0.10
    quotes: Probability = 0.03


class Incident(_Spec, frozen=True, tag_field="kind", tag="incident"):
    id: Identifier
    at: Duration
    district: str
    title: str
    #: Template set in the phrasebook: riot, fire, flood, search, protest (or give ``texts``).
    topic: str = "riot"
    peak_per_minute: Positive = 60.0
    growth: Literal["logistic", "exponential"] = "logistic"
    rise: Duration = "15m"
    hold: Duration = "0s"
    decay: Duration = "60m"
    #: Share of the peak rate from the first second: the people on the spot post at once.
    onset_share: Probability = 0.1
    geotagged: Probability = 0.15
    #: Mean reposts each eyewitness post triggers.
    branching: Annotated[float, msgspec.Meta(ge=0.0, le=0.95)] = 0.25
    #: The official account that posts updates, the first after ``update_after`` then every ``update_every``.
    official: str | None = None
    update_after: Duration = "15m"
    update_every: Duration = "45m"
    hashtags: list[str] = msgspec.field(default_factory=list)
    texts: Texts = msgspec.field(default_factory=dict)
    official_texts: Texts = msgspec.field(default_factory=dict)


class Rumour(_Spec, frozen=True, tag_field="kind", tag="rumour"):
    id: Identifier
    at: Duration
    #: Template set for the claim in the phrasebook (or give ``texts``).
    claim: str = ""
    title: str = ""
    district: str | None = None
    #: Independent first posts of the claim (the cascade's immigrants), spread over ``spread``.
    seeds: Annotated[int, msgspec.Meta(ge=1, le=100_000)] = 15
    spread: Duration = "20m"
    #: Mean reposts each post triggers (< 1 so that cascades die out).
    branching: Annotated[float, msgspec.Meta(ge=0.0, le=0.95)] = 0.85
    #: Mean delay between a post and the reposts it triggers (exponential kernel).
    kernel: Duration = "4m"
    #: Shares of a post's offspring that reply or quote it instead of reposting it.
    replies: Probability = 0.15
    quotes: Probability = 0.1
    #: The official account that denies it, and when (omit both for a rumour never denied).
    denied_by: str | None = None
    denial_at: Duration | None = None
    #: After the denial, this share of would-be reposts still happens.
    after_denial: Probability = 0.35
    denial_branching: Annotated[float, msgspec.Meta(ge=0.0, le=0.95)] = 0.8
    hashtags: list[str] = msgspec.field(default_factory=list)
    texts: Texts = msgspec.field(default_factory=dict)
    denial_texts: Texts = msgspec.field(default_factory=dict)


class HateWave(_Spec, frozen=True, tag_field="kind", tag="hate_wave"):
    id: Identifier
    at: Duration
    #: Who it targets, in the words of the templates ("those people", "the travellers", ...).
    target: Localised
    duration: Duration = "45m"
    peak_per_minute: Positive = 20.0
    #: Share of the wave's posts written by the coordinated network.
    coordinated_share: Probability = 0.4
    #: Mean reposts per hateful post, and the share of its replies that push back (counter-speech).
    branching: Annotated[float, msgspec.Meta(ge=0.0, le=0.95)] = 0.3
    counter_speech: Probability = 0.3
    hashtags: list[str] = msgspec.field(default_factory=list)
    texts: Texts = msgspec.field(default_factory=dict)


class Appeal(_Spec, frozen=True, tag_field="kind", tag="appeal"):
    id: Identifier
    at: Duration
    by: str
    subject: Localised
    district: str
    replies_per_minute: Positive = 8.0
    duration: Duration = "3h"
    #: Share of replies that are tips (sightings) rather than shares and comments.
    tips: Probability = 0.2
    #: Share of tips that point near the true location; the rest are honest mistakes elsewhere.
    true_tips: Probability = 0.4
    #: Reposts of the appeal: mean shares per share, and their delay.
    branching: Annotated[float, msgspec.Meta(ge=0.0, le=0.95)] = 0.8
    kernel: Duration = "6m"
    #: When the official account says the person was found (omit: never).
    resolved_at: Duration | None = None
    hashtags: list[str] = msgspec.field(default_factory=list)
    texts: Texts = msgspec.field(default_factory=dict)
    resolved_texts: Texts = msgspec.field(default_factory=dict)


class Coordinated(_Spec, frozen=True, tag_field="kind", tag="coordinated"):
    id: Identifier
    at: Duration
    #: Claim in the phrasebook the network pushes (or give ``texts``).
    message: str = ""
    window: Duration = "3m"
    rounds: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 3
    every: Duration = "20m"
    #: Share of the network's accounts that post in each round.
    participation: Probability = 0.85
    #: The rumour or hate wave this campaign pushes: its posts carry that label too and spread like it.
    amplifies: str | None = None
    hashtags: list[str] = msgspec.field(default_factory=list)
    texts: Texts = msgspec.field(default_factory=dict)


Inject = Incident | Rumour | HateWave | Appeal | Coordinated


class Scenario(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: Identifier
    title: str
    description: str
    city: str
    start: datetime
    duration: Duration
    area: Area
    country: str = ""
    #: Local time = UTC + this many hours (drives the daily rhythm and clock times in posts).
    utc_offset_hours: Annotated[float, msgspec.Meta(ge=-12, le=14)] = 0.0
    population: Population = msgspec.field(default_factory=Population)
    chatter: Chatter = msgspec.field(default_factory=Chatter)
    injects: list[Inject] = msgspec.field(default_factory=list)
    #: Multiplies every rate, seed count and the number of accounts (load tests, benchmarks).
    scale: Positive = 1.0

    @property
    def duration_s(self) -> float:
        return parse_duration(self.duration)

    @property
    def languages(self) -> list[str]:
        return sorted(self.chatter.languages)

    @property
    def main_language(self) -> str:
        return max(self.chatter.languages.items(), key=lambda item: (item[1], item[0]))[0]

    def district(self, name: str) -> District:
        for district in self.area.districts:
            if district.name == name:
                return district
        raise ScenarioError(f"{self.name}: unknown district {name!r}",
                            fix=f"use one of: {', '.join(d.name for d in self.area.districts)}")

    def scaled(self, factor: float) -> Scenario:
        """The same scenario with every rate (and the population) multiplied by ``factor``."""
        return msgspec.structs.replace(self, scale=self.scale * factor)

    @property
    def incidents(self) -> list[Incident]:
        return [i for i in self.injects if isinstance(i, Incident)]

    @property
    def rumours(self) -> list[Rumour]:
        return [i for i in self.injects if isinstance(i, Rumour)]

    @property
    def hate_waves(self) -> list[HateWave]:
        return [i for i in self.injects if isinstance(i, HateWave)]

    @property
    def appeals(self) -> list[Appeal]:
        return [i for i in self.injects if isinstance(i, Appeal)]

    @property
    def campaigns(self) -> list[Coordinated]:
        return [i for i in self.injects if isinstance(i, Coordinated)]

    def active_injects(self) -> list[Inject]:
        """The injects that start before the end (a shortened copy simply leaves the others out)."""
        end = self.duration_s
        return [inject for inject in self.injects if parse_duration(inject.at) < end]

    def expected_posts(self) -> int:
        """About how many posts a run produces (for progress bars and listings; within ~20%)."""
        # The estimate reads the rate curves; importing it here keeps the schema free of them.
        from civicpulse.scenarios.estimate import expected_posts

        return round(expected_posts(self))

    def describe_injects(self) -> list[str]:
        lines = []
        for inject in self.injects:
            at = _clock(parse_duration(inject.at))
            if isinstance(inject, Incident):
                lines.append(f"{at} incident {inject.id}: {inject.title} in {inject.district}")
            elif isinstance(inject, Rumour):
                denial = (f", denied by {inject.denied_by} at {_clock(parse_duration(inject.denial_at))}"
                          if inject.denied_by and inject.denial_at is not None else ", never denied")
                lines.append(f"{at} rumour {inject.id} ({inject.title or inject.claim}){denial}")
            elif isinstance(inject, HateWave):
                lines.append(f"{at} hate-speech wave {inject.id} against {_localised(inject.target, 'en')}")
            elif isinstance(inject, Appeal):
                lines.append(f"{at} appeal {inject.id} by {inject.by}: {_localised(inject.subject, 'en')}")
            else:
                pushes = f", amplifying {inject.amplifies}" if inject.amplifies else ""
                lines.append(f"{at} coordinated campaign {inject.id} ({inject.message or 'own texts'}){pushes}")
        return lines


def _localised(value: Localised, language: str) -> str:
    if isinstance(value, str):
        return value
    return value.get(language) or next(iter(value.values()), "")


def _clock(seconds: float) -> str:
    return f"+{int(seconds // 3600)}h{int(seconds % 3600 // 60):02d}m"


def official_reach(followers: int) -> float:
    """How many times more reposts an official account's post draws than an average account's."""
    return min(40.0, max(4.0, followers / 10_000))
