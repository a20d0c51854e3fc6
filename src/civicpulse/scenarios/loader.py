"""Reading scenario files: YAML in, a validated :class:`~civicpulse.scenarios.spec.Scenario` out.

Parsing is two steps: msgspec checks the shape and types (and says where a wrong field is), then
:class:`_Checker` checks what types cannot say: durations, references between fields (districts,
officials, injects), times within the scenario, template placeholders. Every error names the file,
the field and the fix, so that a trainer editing a scenario is never shown a traceback.
"""

from __future__ import annotations

import math
import re
from datetime import UTC
from pathlib import Path
from typing import Any

import msgspec
import yaml

from civicpulse.errors import ScenarioError
from civicpulse.scenarios.phrases import SLOTS, available_languages, phrasebook
from civicpulse.scenarios.spec import (
    DOCS,
    DURATION_FIX,
    Appeal,
    HateWave,
    Incident,
    Inject,
    Rumour,
    Scenario,
    Texts,
    parse_duration,
)

__all__ = ["load_file", "parse_scenario"]

_PATH = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)


def parse_scenario(text: str, origin: str) -> Scenario:
    """Parse and validate YAML text; ``origin`` (a file name) prefixes every error."""
    try:
        data: Any = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ScenarioError(f"{origin}: not valid YAML{where}", fix="check the indentation and brackets there") \
            from None
    except (ValueError, TypeError, OverflowError, RecursionError) as error:
        # PyYAML builds dates and numbers itself and lets their errors escape (e.g. month 13).
        raise ScenarioError(f"{origin}: a value cannot be read: {error}", fix="check dates and numbers") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{origin}: a scenario must be a mapping of fields",
                            fix="start from a built-in scenario (civicpulse scenario generate) or docs/scenarios.md")
    data.setdefault("name", Path(origin).stem)
    try:
        scenario = msgspec.convert(data, Scenario, strict=False)
    except msgspec.ValidationError as error:
        match = _PATH.match(str(error))
        message, path = (match["message"], match["path"] or "") if match else (str(error), "")
        field = path.lstrip(".") or "top level"
        fix = "use one of the kinds: incident, rumour, hate_wave, appeal, coordinated" if field.endswith(".kind") \
            else DOCS
        raise ScenarioError(f"{origin}: {field}: {message[:1].lower()}{message[1:]}", fix=fix) from None
    except RecursionError:
        raise ScenarioError(f"{origin}: nested too deeply", fix=DOCS) from None
    _check(scenario, origin)
    if scenario.start.utcoffset():
        scenario = msgspec.structs.replace(scenario, start=scenario.start.astimezone(UTC))
    return scenario


def load_file(path: Path) -> Scenario:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError(f"cannot read {path}: {error.strerror}", fix="check the path") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path.name}: not UTF-8 text", fix="save the file as UTF-8") from None
    return parse_scenario(text, path.name)


class _Checker:
    """Semantic checks with the file name and field path in every message."""

    def __init__(self, scenario: Scenario, origin: str) -> None:
        self.scenario = scenario
        self.origin = origin
        self.total = math.inf
        self.districts: set[str] = set()
        self.officials: set[str] = set()
        self.kinds: dict[str, type] = {}

    def fail(self, field: str, problem: str, fix: str) -> ScenarioError:
        return ScenarioError(f"{self.origin}: {field}: {problem}", fix=fix)

    def duration(self, value: object, field: str, *, within: bool = False, positive: bool = False) -> float:
        try:
            seconds = parse_duration(value)
        except ScenarioError as error:
            raise self.fail(field, error.message, error.fix) from None
        if positive and seconds <= 0:
            raise self.fail(field, "must be longer than zero", DURATION_FIX)
        if within and seconds >= self.total:
            raise self.fail(field, f"is after the end of the scenario ({self.scenario.duration})",
                            fix="keep it within the scenario's duration, or make the scenario longer")
        return seconds

    def texts(self, texts: Texts, field: str) -> None:
        for language, templates in texts.items():
            self.language(language, f"{field}.{language}")
            if not templates:
                raise self.fail(f"{field}.{language}", "needs at least one text", fix="list one or more texts")
            for index, template in enumerate(templates):
                self.template(template, f"{field}.{language}[{index}]")

    def template(self, template: str, field: str) -> None:
        names = {m.group(1) for m in re.finditer(r"\{([^{}]*)\}", template)}
        unknown = names - SLOTS
        if unknown or template.count("{") != template.count("}"):
            raise self.fail(field, f"unknown placeholder(s) {sorted(unknown) or 'unbalanced braces'}",
                            fix=f"use only {', '.join('{' + s + '}' for s in sorted(SLOTS))}")

    def language(self, language: str, field: str) -> None:
        if language not in available_languages():
            raise self.fail(field, f"no phrasebook for language {language!r}",
                            fix=f"use one of: {', '.join(available_languages())}")

    def run(self) -> None:
        scenario = self.scenario
        self.total = self.duration(scenario.duration, "duration", positive=True)
        if self.total > 30 * 86_400:
            raise self.fail("duration", "is longer than 30 days", fix="split the exercise into several scenarios")
        if scenario.start.tzinfo is None:
            raise self.fail("start", "has no timezone", fix="write it like 2026-08-07T14:00:00Z")
        south, west, north, east = scenario.area.bbox
        if not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
            raise self.fail("area.bbox", "must be [south, west, north, east] with south < north and west < east",
                            fix="e.g. bbox: [53.70, -1.80, 53.95, -1.29]")
        if not scenario.area.districts:
            raise self.fail("area.districts", "is empty", fix="name at least one district")
        self.districts = {d.name for d in scenario.area.districts}
        if len(self.districts) != len(scenario.area.districts):
            raise self.fail("area.districts", "two districts have the same name", fix="give each a unique name")
        self._chatter()
        self.officials = {o.handle for o in scenario.population.officials}
        for index, official in enumerate(scenario.population.officials):
            if official.language is not None:
                self.language(official.language, f"population.officials[{index}].language")
        if len(self.officials) != len(scenario.population.officials):
            raise self.fail("population.officials", "two officials have the same handle", fix="make handles unique")
        ids = [inject.id for inject in scenario.injects]
        if len(set(ids)) != len(ids):
            raise self.fail("injects", "two injects have the same id", fix="give each inject a unique id")
        self.kinds = {inject.id: type(inject) for inject in scenario.injects}
        for index, inject in enumerate(scenario.injects):
            self._inject(inject, f"injects[{index}]")

    def _chatter(self) -> None:
        chatter = self.scenario.chatter
        if len(chatter.rhythm) != 24 or not any(chatter.rhythm):
            raise self.fail("chatter.rhythm", "needs 24 values (one per hour), not all zero", fix="list 24 numbers")
        if not chatter.languages:
            raise self.fail("chatter.languages", "is empty", fix="e.g. languages: {en: 0.9, fr: 0.1}")
        for language in chatter.languages:
            self.language(language, f"chatter.languages.{language}")
        unknown = set(chatter.sentiment) - {"positive", "neutral", "negative"}
        if unknown or not any(chatter.sentiment.values()):
            raise self.fail("chatter.sentiment", f"keys must be positive, neutral, negative (got {sorted(unknown)})",
                            fix="e.g. sentiment: {positive: 0.3, neutral: 0.5, negative: 0.2}")
        known = set(phrasebook("en").chatter)
        for index, topic in enumerate(chatter.topics):
            if topic not in known:
                raise self.fail(f"chatter.topics[{index}]", f"unknown topic {topic!r}",
                                fix=f"use some of: {', '.join(sorted(known))}")
        if not chatter.topics:
            raise self.fail("chatter.topics", "is empty", fix="list one or more topics")
        if chatter.replies + chatter.reposts + chatter.quotes > 1:
            raise self.fail("chatter", "replies + reposts + quotes is more than 1", fix="lower those shares")

    def _reference(self, value: str | None, field: str, kind: str) -> None:
        if value is None:
            return
        if kind == "district" and value not in self.districts:
            raise self.fail(field, f"{value!r} is not in area.districts",
                            fix=f"use one of: {', '.join(sorted(self.districts))}")
        if kind == "official" and value not in self.officials:
            raise self.fail(field, f"{value!r} is not an official account",
                            fix=f"add it to population.officials, or use one of: {', '.join(sorted(self.officials))}")

    def _phrases(self, section: str, key: str, texts: Texts, field: str, key_field: str) -> None:
        self.texts(texts, f"{field}.texts")
        if texts:
            return
        table: dict[str, list[str]] = getattr(phrasebook("en"), section)
        if key not in table:
            raise self.fail(f"{field}.{key_field}", f"{key!r} is not in the phrasebook",
                            fix=f"give texts: for it, or use one of: {', '.join(sorted(table))}")

    def _inject(self, inject: Inject, field: str) -> None:
        at = self.duration(inject.at, f"{field}.at", within=True)
        if isinstance(inject, Incident):
            self._reference(inject.district, f"{field}.district", "district")
            self._reference(inject.official, f"{field}.official", "official")
            for name in ("rise", "hold", "decay", "update_after", "update_every"):
                positive = name in ("rise", "decay", "update_every")
                self.duration(getattr(inject, name), f"{field}.{name}", positive=positive)
            self._phrases("incident", inject.topic, inject.texts, field, "topic")
            self.texts(inject.official_texts, f"{field}.official_texts")
        elif isinstance(inject, Rumour):
            self._reference(inject.district, f"{field}.district", "district")
            self._reference(inject.denied_by, f"{field}.denied_by", "official")
            self.duration(inject.spread, f"{field}.spread", positive=True)
            self.duration(inject.kernel, f"{field}.kernel", positive=True)
            if (inject.denied_by is None) != (inject.denial_at is None):
                raise self.fail(f"{field}.denied_by", "denied_by and denial_at go together",
                                fix="give both (who denies it, and when) or neither")
            denial = inject.denial_at
            if denial is not None and self.duration(denial, f"{field}.denial_at", within=True) <= at:
                raise self.fail(f"{field}.denial_at", "must be after the rumour starts (at)",
                                fix="make it later than at")
            if inject.replies + inject.quotes > 1:
                raise self.fail(field, "replies + quotes is more than 1", fix="lower those shares")
            self._phrases("claims", inject.claim, inject.texts, field, "claim")
            self.texts(inject.denial_texts, f"{field}.denial_texts")
        elif isinstance(inject, HateWave):
            self.duration(inject.duration, f"{field}.duration", positive=True)
            self.texts(inject.texts, f"{field}.texts")
        elif isinstance(inject, Appeal):
            self._reference(inject.district, f"{field}.district", "district")
            self._reference(inject.by, f"{field}.by", "official")
            self.duration(inject.duration, f"{field}.duration", positive=True)
            self.duration(inject.kernel, f"{field}.kernel", positive=True)
            resolved = inject.resolved_at
            if resolved is not None and self.duration(resolved, f"{field}.resolved_at", within=True) <= at:
                raise self.fail(f"{field}.resolved_at", "must be after the appeal (at)", fix="make it later than at")
            self.texts(inject.texts, f"{field}.texts")
            self.texts(inject.resolved_texts, f"{field}.resolved_texts")
        else:
            self.duration(inject.window, f"{field}.window", positive=True)
            self.duration(inject.every, f"{field}.every", positive=True)
            self._phrases("claims", inject.message, inject.texts, field, "message")
            if inject.amplifies is not None and self.kinds.get(inject.amplifies) not in (Rumour, HateWave):
                raise self.fail(f"{field}.amplifies", f"{inject.amplifies!r} is not a rumour or hate wave here",
                                fix="name the id of a rumour or hate_wave inject")
            if self.scenario.population.coordinated == 0:
                raise self.fail(field, "the population has no coordinated accounts",
                                fix="set population.coordinated above zero")


def _check(scenario: Scenario, origin: str) -> None:
    _Checker(scenario, origin).run()
