from __future__ import annotations

from civicpulse.alerts.matcher import CompiledQueries
from civicpulse.alerts.query import parse_query


def compiled(**queries: str) -> CompiledQueries:
    return CompiledQueries({key: parse_query(q) for key, q in queries.items()})


def test_overlapping_phrases_and_whole_words() -> None:
    rules = compiled(a="fire", b='"fire alarm"', c="firewall")
    assert rules.match("The FIRE alarm went off") == ["a", "b"]
    assert rules.match("firefighters at the scene") == []


def test_boolean_logic_and_negation_only_rules() -> None:
    rules = compiled(a='(fire OR smoke) AND NOT "fire drill"', b="NOT drill")
    assert rules.match("smoke over the station") == ["a", "b"]
    assert rules.match("fire drill at noon, smoke expected") == []
    assert rules.match("nothing here") == ["b"]


def test_hashtags_match_declared_and_inline_tags_only() -> None:
    rules = compiled(a="#Flooding", b="flooding")
    assert rules.match("water everywhere", hashtags=("flooding",)) == ["a"]
    assert rules.match("water everywhere #FLOODING") == ["a", "b"]
    assert rules.match("flooding in the underpass") == ["b"]


def test_empty_rules_and_hostile_text() -> None:
    assert compiled().match("anything") == []
    rules = compiled(a="x")
    assert rules.match("\u202eX\u0000 " * 50_000) == ["a"]
