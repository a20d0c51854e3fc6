"""The scenario file format: durations, validation messages, fuzzing, the built-in library."""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from civicpulse.errors import ScenarioError
from civicpulse.scenarios import BUILTIN_DIR, ScenarioRun, list_scenarios, load_scenario, parse_duration, parse_scenario
from civicpulse.scenarios.phrases import SLOTS, available_languages, phrasebook
from tests.scenarios.conftest import small

RIOT = (BUILTIN_DIR / "city-riot.yaml").read_text()


def _error_of(action: Callable[[], object]) -> ScenarioError | None:
    """The ScenarioError ``action`` raises, or None; any other exception fails the test."""
    try:
        action()
    except ScenarioError as error:
        return error
    return None


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("45m", 2700), ("2h", 7200), ("1h30m", 5400), ("1d", 86_400), ("1.5h", 5400), (12, 12),
     (2.5, 2.5), (" 2h 5m ", 7500)],
)
def test_durations(text: str | float, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "45", "forty", "-5m", "5x", "m", True, None, -3, float("nan"), [1]])
def test_bad_durations_say_how_to_write_one(text: object) -> None:
    with pytest.raises(ScenarioError, match="duration") as caught:
        parse_duration(text)
    assert "45m" in caught.value.fix


@given(st.one_of(st.text(max_size=20), st.floats(), st.integers(), st.booleans(), st.none(),
                 st.from_regex(r"\A(\d{1,3}d)?(\d{1,3}h)?(\d{1,3}m)?(\d{1,3}s)?\Z")))
def test_duration_parser_gives_seconds_or_a_scenario_error(value: object) -> None:
    error = _error_of(lambda: parse_duration(value))
    if error is None:
        assert parse_duration(value) >= 0
    else:
        assert error.fix


@settings(max_examples=150)
@given(st.text(max_size=300))
def test_any_text_is_a_scenario_or_a_scenario_error(text: str) -> None:
    error = _error_of(lambda: parse_scenario(text, "fuzz.yaml"))
    assert error is None or error.message.startswith("fuzz.yaml")


_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8),
                     st.sampled_from(["45m", "2h", "en", "Harehills", "@WYP_Leeds", "incident", "rumour"]))
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=20)


@settings(max_examples=150)
@given(st.dictionaries(st.sampled_from(["name", "title", "city", "start", "duration", "area", "population", "chatter",
                                        "injects", "scale", "description", "utc_offset_hours"]), _values))
def test_any_mapping_is_a_scenario_or_a_scenario_error(fields: dict[str, Any]) -> None:
    error = _error_of(lambda: parse_scenario(yaml.safe_dump(fields), "fuzz.yaml"))
    assert error is None or (error.message.startswith("fuzz.yaml") and error.fix)


@settings(max_examples=100)
@given(st.integers(0, 10_000), st.text(string.printable, max_size=6))
def test_the_riot_file_with_a_random_edit_is_a_scenario_or_a_scenario_error(position: int, insert: str) -> None:
    edited = RIOT[:position] + insert + RIOT[position:]
    error = _error_of(lambda: parse_scenario(edited, "city-riot.yaml"))
    assert error is None or error.message.startswith("city-riot.yaml")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("district: Harehills, title: Disorder", "district: Nowhere, title: Disorder"),
         "injects[0].district: 'Nowhere' is not in area.districts"),
        (("at: 40m", "at: forty"), "injects[0].at: expected a duration like '45m'"),
        (("at: 40m", "at: 9h"), "injects[0].at: is after the end"),
        (("at: 2h40m", "at: 2h40"), "injects[3].at: expected a duration"),
        (('denied_by: "@WYP_Leeds", denial_at: 1h50m', 'denied_by: "@nobody", denial_at: 1h50m'),
         "injects[1].denied_by: '@nobody' is not an official account"),
        (("denial_at: 1h50m", "denial_at: 1h"), "injects[1].denial_at: must be after the rumour starts"),
        (("duration: 6h", "duration: 6h\nsurprise: 1"), "top level: object contains unknown field `surprise`"),
        (("  per_minute: 300", "  per_minute: -3"), "chatter.per_minute: expected `float` > 0.0"),
        (("  follows: 12", "  follows: many"), "population.follows: expected `int`, got `str`"),
        (("{kind: incident", "{kind: meteor"), "injects[0].kind: invalid value 'meteor'"),
        (("branching: 0.85", "branching: 1.2"), "injects[1].branching: expected `float` <= 0.95"),
        (("claim: riot-shooting", "claim: aliens"), "injects[1].claim: 'aliens' is not in the phrasebook"),
        (("topic: riot", "topic: volcano"), "injects[0].topic: 'volcano' is not in the phrasebook"),
        (("languages: {en: 0.94,", "languages: {xx: 0.5, en: 0.94,"), "chatter.languages.xx: no phrasebook"),
        (("start: 2026-08-07T16:00:00Z", "start: 2026-08-07T16:00:00"), "start: has no timezone"),
        (("amplifies: rumour-looting", "amplifies: fire-city-centre"), "injects[4].amplifies"),
        (("id: hate-blame", "id: disorder-harehills"), "injects: two injects have the same id"),
    ],
)
def test_mistakes_name_the_file_the_field_and_the_fix(change: tuple[str, str], message: str) -> None:
    broken = RIOT.replace(*change, 1)
    assert broken != RIOT, "the test's edit no longer applies to city-riot.yaml"
    with pytest.raises(ScenarioError, match=re.escape(f"city-riot.yaml: {message}")) as caught:
        parse_scenario(broken, "city-riot.yaml")
    assert caught.value.fix


def test_templates_with_unknown_placeholders_are_refused() -> None:
    broken = RIOT.replace("claim: riot-shooting,", "claim: riot-shooting, texts: {en: ['{weapon} seen']},")
    with pytest.raises(ScenarioError, match=r"injects\[1\]\.texts\.en\[0\]: unknown placeholder") as caught:
        parse_scenario(broken, "city-riot.yaml")
    assert "{district}" in caught.value.fix


def test_not_yaml_and_not_a_mapping() -> None:
    with pytest.raises(ScenarioError, match=r"x\.yaml: not valid YAML at line "):
        parse_scenario("name: [unclosed\n", "x.yaml")
    with pytest.raises(ScenarioError, match="a scenario must be a mapping"):
        parse_scenario("- just\n- a list\n", "x.yaml")


def test_unknown_names_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="choose one of: city-riot, flood, missing-child"):
        load_scenario("atlantis")
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(str(tmp_path / "absent.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(ScenarioError, match=r"bad\.yaml: not valid YAML at line"):
        load_scenario(str(bad))


def test_a_trainer_file_by_path_takes_its_name_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "my-exercise.yaml"
    path.write_text(RIOT.replace("name: city-riot\n", ""))
    assert load_scenario(str(path)).name == "my-exercise"


def test_every_builtin_scenario_loads_and_describes_itself() -> None:
    scenarios = list_scenarios()
    assert [s.name for s in scenarios] == ["city-riot", "flood", "missing-child"]
    for scenario in scenarios:
        assert scenario.title
        assert scenario.description
        assert scenario.city
        assert scenario.start.utcoffset() is not None
        assert 50_000 < scenario.expected_posts() < 300_000
        assert scenario.describe_injects()
    riot = load_scenario("city-riot")
    assert riot.duration_s == 6 * 3600
    assert 100_000 <= riot.expected_posts() <= 300_000


def test_flood_is_multilingual_by_design() -> None:
    assert {"en", "fr", "es", "de"} <= set(load_scenario("flood").languages)


def test_scaled_multiplies_the_expected_posts() -> None:
    riot = load_scenario("city-riot")
    assert riot.scaled(10).expected_posts() == pytest.approx(10 * riot.expected_posts(), rel=0.05)
    assert riot.scaled(10).scaled(0.5).scale == 5


@pytest.mark.parametrize("name", ["city-riot", "flood", "missing-child"])
def test_expected_posts_is_close_to_what_a_run_produces(name: str) -> None:
    scenario = small(name, duration="3h", scale=0.1)
    produced = sum(1 for _ in ScenarioRun(scenario, 1).posts())
    assert produced == pytest.approx(scenario.expected_posts(), rel=0.25)


@pytest.mark.parametrize("language", available_languages())
def test_every_phrasebook_template_uses_known_placeholders(language: str) -> None:
    book = phrasebook(language)
    texts: list[str] = []

    def collect(value: object) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)

    for field in book.__struct_fields__:
        collect(getattr(book, field))
    assert len(texts) > 100
    for text in texts:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        assert names <= SLOTS, text


def test_english_phrasebook_covers_every_section_and_topic() -> None:
    english = phrasebook("en")
    for field in english.__struct_fields__:
        assert getattr(english, field), field
    for language in available_languages():
        assert set(phrasebook(language).chatter) <= set(english.chatter)


def test_start_is_kept_in_utc_and_injects_are_grouped_by_kind() -> None:
    edited = RIOT.replace("start: 2026-08-07T16:00:00Z", "start: 2026-08-07T18:00:00+02:00")
    scenario = parse_scenario(edited, "x.yaml")
    assert scenario.start.tzinfo is UTC
    assert scenario.start.hour == 16
    assert [i.id for i in scenario.rumours] == ["rumour-shooting", "rumour-looting"]
    assert (len(scenario.incidents), len(scenario.hate_waves), len(scenario.campaigns)) == (3, 1, 1)
    assert scenario.appeals == []
