from __future__ import annotations

import contextlib

from hypothesis import given
from hypothesis import strategies as st

from civicpulse.alerts.matcher import CompiledQueries, post_readings, text_hashtags
from civicpulse.alerts.query import And, Node, Not, Or, QueryError, Term, parse_query, words
from civicpulse.testing import make_post


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


def test_readings_match_what_the_analysers_stored() -> None:
    rules = compiled(a="reading:offensive-at-group AND leeds", b="reading:hate", c="NOT reading:offensive")
    assert rules.reads_readings
    assert rules.match("they should all leave Leeds", readings={"offensive", "offensive-at-group"}) == ["a"]
    assert rules.match("they should all leave Leeds", readings={"hate"}) == ["b", "c"]
    assert rules.match("they should all leave Leeds") == ["c"]
    assert not compiled(a="leeds").reads_readings
    post = make_post(1, "x").replace(enrichments={
        "offensive/3": {"label": "offensive", "target_label": "group"}, "hate/3": {"label": "not-hate"},
        "sentiment/1": "junk"})
    assert post_readings(post) == {"offensive", "offensive-at-group"}
    assert post_readings(make_post(2, "x").replace(enrichments={"offensive/3": {"label": "offensive",
                                                                                 "target_label": []}})) == {"offensive"}


def test_empty_rules_and_hostile_text() -> None:
    assert compiled().match("anything") == []
    rules = compiled(a="x")
    assert rules.match("\u202eX\u0000 " * 50_000) == ["a"]


def _naive(tree: Node, text: str, tags: set[str]) -> bool:
    """Reference semantics, one rule at a time: a term is a hashtag or a run of consecutive words."""
    if isinstance(tree, Term):
        if tree.hashtag:
            return tree.words[0] in tags
        found = words(text)
        n = len(tree.words)
        return any(found[i:i + n] == tree.words for i in range(len(found) - n + 1))
    if isinstance(tree, Not):
        return not _naive(tree.operand, text, tags)
    if isinstance(tree, And):
        return all(_naive(o, text, tags) for o in tree.operands)
    assert isinstance(tree, Or)
    return any(_naive(o, text, tags) for o in tree.operands)


_VOCAB = ["fire", "smoke", "drill", "bridge", "#fire", '"fire drill"', '"smoke bridge"', "NOT", "AND", "OR", "(", ")"]


@given(st.lists(st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=8).map(" ".join), max_size=8),
       st.lists(st.sampled_from(["fire", "smoke", "drill", "bridge", "#fire", "#smoke", "the", "FIRE"]),
                max_size=12).map(" ".join))
def test_one_pass_matches_rule_by_rule_evaluation(queries: list[str], text: str) -> None:
    trees = {}
    for n, query in enumerate(queries):
        with contextlib.suppress(QueryError):
            trees[str(n)] = parse_query(query)
    tags = text_hashtags(text)
    assert CompiledQueries(trees).match(text) == [k for k, tree in trees.items() if _naive(tree, text, tags)]
