from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicpulse.errors import ScenarioError
from civicpulse.scenarios.library import BUILTIN_DIR, load_scenario
from civicpulse.scenarios.spec import parse_duration, parse_scenario

RIOT = (BUILTIN_DIR / "city-riot.yaml").read_text()


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("45m", 2700), ("2h", 7200), ("1h30m", 5400), (12, 12)])
def test_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == seconds


@given(st.text(max_size=20))
def test_duration_parser_never_fails_otherwise(text: str) -> None:
    try:
        assert parse_duration(text) >= 0
    except ValueError:
        pass


@given(st.text(max_size=300))
def test_any_text_is_a_scenario_or_a_scenario_error(text: str) -> None:
    try:
        parse_scenario(text, "fuzz.yaml")
    except ScenarioError as error:
        assert error.message.startswith("fuzz.yaml")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("district: Harehills, title: Disorder", "district: Nowhere, title: Disorder"), "not in area.districts"),
        (("at: 40m", "at: forty"), "injects[0].at"),
        (("at: 40m", "at: 9h"), "after the end"),
        (('denied_by: "@WYP_Leeds", denial_at: 1h50m', 'denied_by: "@nobody", denial_at: 1h50m'), "not an official"),
        (("duration: 6h", "duration: 6h\nsurprise: 1"), "surprise"),
        (("  per_minute: 300", "  per_minute: -3"), "per_minute"),
    ],
)
def test_mistakes_name_the_file_the_field_and_the_fix(change: tuple[str, str], message: str) -> None:
    broken = RIOT.replace(*change, 1)
    assert broken != RIOT
    with pytest.raises(ScenarioError, match=message.replace("[", r"\[").replace("]", r"\]")) as caught:
        parse_scenario(broken, "city-riot.yaml")
    assert caught.value.message.startswith("city-riot.yaml")
    assert caught.value.fix


def test_unknown_names_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="choose one of"):
        load_scenario("atlantis")
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(str(tmp_path / "absent.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(ScenarioError, match="not valid YAML at line"):
        load_scenario(str(bad))
