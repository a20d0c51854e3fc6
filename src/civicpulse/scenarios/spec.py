"""The scenario file format (YAML), parsed into typed, validated structs.

Every field is documented in ``docs/scenarios.md``. Durations are written for people ("90s", "45m",
"2h", "1h30m"); errors name the file, the field and the fix, so that a trainer editing a scenario
is never shown a traceback.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import msgspec
import yaml

from civicpulse.errors import ScenarioError

__all__ = [
    "Appeal", "Area", "Chatter", "Coordinated", "District", "HateWave", "Incident", "Official", "Population",
    "Rumour", "Scenario", "parse_duration", "parse_scenario",
]

_DURATION = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m)?\s*(?:(\d+(?:\.\d+)?)s)?\s*$")
Probability = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]
Positive = Annotated[float, msgspec.Meta(gt=0.0)]


def parse_duration(text: str | int | float) -> float:
    """Seconds in ``"1h30m"``, ``"45m"``, ``"90s"`` or a plain number of seconds."""
    if isinstance(text, bool):
        raise ValueError("expected a duration like '45m', not a yes/no value")
    if isinstance(text, int | float):
        if text < 0:
            raise ValueError("a duration cannot be negative")
        return float(text)
    match = _DURATION.match(text) if isinstance(text, str) else None
    if not match or not any(match.groups()):
        raise ValueError(f"expected a duration like '45m', '2h' or '1h30m', got {text!r}")
    hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


class District(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)]
    radius_km: Positive = 1.0


class Area(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    #: south, west, north, east (degrees)
    bbox: tuple[float, float, float, float]
    districts: list[District]


class Official(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    handle: str
    name: str
    followers: int = 50_000


class Population(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    accounts: Annotated[int, msgspec.Meta(ge=50, le=2_000_000)] = 20_000
    #: Each account follows this many others on average (preferential attachment).
    follows: Annotated[int, msgspec.Meta(ge=1, le=200)] = 12
    officials: list[Official] = msgspec.field(default_factory=list)
    bots: Annotated[int, msgspec.Meta(ge=0)] = 200
    #: Accounts that act together (near-duplicate posts within a short window).
    coordinated: Annotated[int, msgspec.Meta(ge=0)] = 40
    #: Share of accounts with a location in their profile.
    profile_location: Probability = 0.3


class Chatter(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    #: Posts per minute at a rhythm factor of 1.
    per_minute: Positive = 300.0
    #: 24 multipliers, one per hour of the day (local = UTC in scenarios).
    rhythm: list[float] = msgspec.field(default_factory=lambda: [1.0] * 24)
    languages: dict[str, float] = msgspec.field(default_factory=lambda: {"en": 1.0})
    sentiment: dict[str, float] = msgspec.field(
        default_factory=lambda: {"negative": 0.25, "neutral": 0.5, "positive": 0.25})
    topics: list[str] = msgspec.field(default_factory=lambda: ["daily", "traffic", "weather", "sport", "food"])
    #: Share of posts with a typo, an emoji, a link, a geotag; and mixing two languages.
    typos: Probability = 0.08
    emoji: Probability = 0.3
    links: Probability = 0.05
    geotagged: Probability = 0.03
    code_switching: Probability = 0.03


class Incident(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="kind", tag="incident"):
    id: str
    at: str | float
    district: str
    title: str
    #: Template set in the phrasebook: riot, fire, flood, attack, crash, ...
    topic: str
    peak_per_minute: Positive = 60.0
    rise: str | float = "15m"
    decay: str | float = "60m"
    geotagged: Probability = 0.15


class Rumour(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="kind", tag="rumour"):
    id: str
    at: str | float
    #: Template set for the claim in the phrasebook.
    claim: str
    district: str | None = None
    #: Independent first posts of the claim (the cascade's immigrants).
    seeds: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 15
    #: Mean reposts each post triggers (< 1 so that cascades die out).
    branching: Annotated[float, msgspec.Meta(ge=0.0, lt=1.0)] = 0.85
    #: Mean delay between a post and the reposts it triggers (exponential kernel).
    kernel: str | float = "4m"
    #: The official account that denies it, and when (omit both for a rumour never denied).
    denied_by: str | None = None
    denial_at: str | float | None = None
    #: Seeding time window for the immigrants.
    spread: str | float = "20m"


class HateWave(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="kind", tag="hate_wave"):
    id: str
    at: str | float
    #: Who it targets, in the words of the templates ("migrants", "the travellers", ...).
    target: str
    duration: str | float = "45m"
    peak_per_minute: Positive = 20.0
    #: Share of the wave's posts written by the coordinated network.
    coordinated_share: Probability = 0.4


class Appeal(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="kind", tag="appeal"):
    id: str
    at: str | float
    by: str
    subject: str
    district: str
    replies_per_minute: Positive = 8.0
    duration: str | float = "3h"
    #: Share of replies that are tips (sightings) rather than shares and comments.
    tips: Probability = 0.2


class Coordinated(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="kind", tag="coordinated"):
    id: str
    at: str | float
    #: Template set the network pushes (e.g. the claim of a rumour, or a hashtag campaign).
    message: str
    window: str | float = "3m"
    rounds: Annotated[int, msgspec.Meta(ge=1, le=100)] = 3
    every: str | float = "20m"


Inject = Incident | Rumour | HateWave | Appeal | Coordinated


class Scenario(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    title: str
    description: str
    city: str
    start: datetime
    duration: str | float
    area: Area
    population: Population = msgspec.field(default_factory=Population)
    chatter: Chatter = msgspec.field(default_factory=Chatter)
    injects: list[Inject] = msgspec.field(default_factory=list)
    #: Multiplies every rate (posts per minute, seeds) — for load tests and benchmarks.
    scale: Positive = 1.0

    @property
    def duration_s(self) -> float:
        return parse_duration(self.duration)

    @property
    def languages(self) -> list[str]:
        return sorted(self.chatter.languages)

    def district(self, name: str) -> District:
        for district in self.area.districts:
            if district.name == name:
                return district
        raise ScenarioError(f"{self.name}: unknown district {name!r}",
                            fix=f"use one of: {', '.join(d.name for d in self.area.districts)}")

    def scaled(self, factor: float) -> Scenario:
        return msgspec.structs.replace(self, scale=self.scale * factor)

    def expected_posts(self) -> int:
        """A rough count (background chatter plus injects), for progress bars and listings."""
        rhythm = self.chatter.rhythm
        first_hour = self.start.hour + self.start.minute / 60
        minutes = int(self.duration_s // 60)
        total = sum(self.chatter.per_minute * rhythm[int((first_hour + m / 60) % 24)] for m in range(minutes))
        for inject in self.injects:
            if isinstance(inject, Incident):
                total += inject.peak_per_minute * (parse_duration(inject.rise) / 2 + parse_duration(inject.decay)) / 60
            elif isinstance(inject, Rumour):
                total += inject.seeds / (1 - inject.branching) + 40
            elif isinstance(inject, HateWave):
                total += inject.peak_per_minute * parse_duration(inject.duration) / 60 * 0.6
            elif isinstance(inject, Appeal):
                total += inject.replies_per_minute * parse_duration(inject.duration) / 60 * 0.5
            else:
                total += self.population.coordinated * inject.rounds
        return int(total * self.scale)

    def describe_injects(self) -> list[str]:
        lines = []
        for inject in self.injects:
            at = _clock(parse_duration(inject.at))
            if isinstance(inject, Incident):
                lines.append(f"{at} incident {inject.id}: {inject.title} in {inject.district}")
            elif isinstance(inject, Rumour):
                denial = (f", denied by {inject.denied_by} at {_clock(parse_duration(inject.denial_at))}"
                          if inject.denied_by and inject.denial_at is not None else ", never denied")
                lines.append(f"{at} rumour {inject.id} ({inject.claim}){denial}")
            elif isinstance(inject, HateWave):
                lines.append(f"{at} hate-speech wave {inject.id} against {inject.target}")
            elif isinstance(inject, Appeal):
                lines.append(f"{at} appeal {inject.id} by {inject.by}: {inject.subject}")
            else:
                lines.append(f"{at} coordinated campaign {inject.id} ({inject.message})")
        return lines


def _clock(seconds: float) -> str:
    return f"+{int(seconds // 3600)}h{int(seconds % 3600 // 60):02d}m"


def parse_scenario(text: str, origin: str) -> Scenario:
    """Parse and validate YAML text; ``origin`` (a file name) prefixes every error."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ScenarioError(f"{origin}: not valid YAML{where}", fix="check the indentation and brackets there") \
            from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{origin}: a scenario must be a mapping of fields",
                            fix="start from a built-in scenario (civicpulse scenario generate) or docs/scenarios.md")
    try:
        scenario = msgspec.convert(data, Scenario, strict=False)
    except msgspec.ValidationError as error:
        raise ScenarioError(f"{origin}: {error}", fix="see docs/scenarios.md for every field") from None
    if scenario.start.tzinfo is None:
        raise ScenarioError(f"{origin}: start has no timezone", fix="write it like 2026-08-07T14:00:00Z")
    _check(scenario, origin)
    return scenario


def _check(scenario: Scenario, origin: str) -> None:
    def duration(value: str | float | None, field: str) -> float:
        try:
            return parse_duration(value if value is not None else 0)
        except ValueError as error:
            raise ScenarioError(f"{origin}: {field}: {error}", fix="write durations like '45m', '2h', '1h30m'") \
                from None

    total = duration(scenario.duration, "duration")
    if total <= 0:
        raise ScenarioError(f"{origin}: duration must be positive", fix="e.g. duration: 6h")
    if len(scenario.chatter.rhythm) != 24:
        raise ScenarioError(f"{origin}: chatter.rhythm needs 24 values (one per hour)", fix="list 24 numbers")
    if not scenario.area.districts:
        raise ScenarioError(f"{origin}: area.districts is empty", fix="name at least one district")
    officials = {o.handle for o in scenario.population.officials}
    names = {d.name for d in scenario.area.districts}
    for index, inject in enumerate(scenario.injects):
        field = f"injects[{index}]"
        for attr in ("at", "rise", "decay", "kernel", "denial_at", "spread", "duration", "window", "every"):
            if hasattr(inject, attr):
                value = duration(getattr(inject, attr), f"{field}.{attr}")
                if attr in ("at", "denial_at") and value > total:
                    raise ScenarioError(f"{origin}: {field}.{attr} is after the end of the scenario",
                                        fix=f"keep it within duration ({scenario.duration})")
        district = getattr(inject, "district", None)
        if district is not None and district not in names:
            raise ScenarioError(f"{origin}: {field}.district {district!r} is not in area.districts",
                                fix=f"use one of: {', '.join(sorted(names))}")
        for attr in ("by", "denied_by"):
            handle = getattr(inject, attr, None)
            if handle is not None and handle not in officials:
                raise ScenarioError(f"{origin}: {field}.{attr} {handle!r} is not an official account",
                                    fix="add it to population.officials")


def load_file(path: Path) -> Scenario:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError(f"cannot read {path}: {error.strerror}", fix="check the path") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path.name}: not UTF-8 text", fix="save the file as UTF-8") from None
    return parse_scenario(text, path.name)
