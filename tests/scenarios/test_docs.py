"""docs/scenarios.md stays in step with the schema: every field documented, the example loads."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest

from civicpulse.scenarios import ScenarioRun, load_scenario, parse_scenario
from civicpulse.scenarios import spec as s

DOCS = Path(__file__).parents[2] / "docs" / "scenarios.md"
STRUCTS = [s.Scenario, s.Area, s.District, s.Official, s.Population, s.Chatter, s.Incident, s.Rumour, s.HateWave,
           s.Appeal, s.Coordinated]


@pytest.mark.parametrize("struct", STRUCTS, ids=lambda struct: struct.__name__)
def test_every_field_is_documented(struct: type[msgspec.Struct]) -> None:
    text = DOCS.read_text()
    for field in struct.__struct_fields__:
        assert f"`{field}`" in text or f"`{struct.__name__.lower()}s[].{field}`" in text \
            or re.search(rf"`[a-z_]+\[\]\.{field}`|`{field}`,|, `{field}`", text), f"{struct.__name__}.{field}"


def test_the_example_in_the_docs_loads_and_runs() -> None:
    example = re.search(r"```yaml\n(name: bridge-closure.*?)```", DOCS.read_text(), re.DOTALL)
    assert example is not None
    scenario = parse_scenario(example.group(1), "bridge-closure.yaml")
    posts = list(ScenarioRun(scenario.scaled(0.2), 0).posts())
    assert any("Bristol Bridge" in p.text for p in posts)


def test_the_table_of_builtins_is_current() -> None:
    text = DOCS.read_text()
    for name in ("city-riot", "flood", "missing-child"):
        row = re.search(rf"^\| `{name}` \|.*?\| ([\d,]+) \|", text, re.MULTILINE)
        assert row is not None, name
        documented = int(row.group(1).replace(",", ""))
        assert documented == pytest.approx(load_scenario(name).expected_posts(), rel=0.1)
