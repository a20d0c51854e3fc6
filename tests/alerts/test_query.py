from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicpulse.alerts.query import (
    MAX_DEPTH,
    READINGS,
    And,
    Node,
    Not,
    Or,
    QueryError,
    Term,
    format_query,
    parse_query,
)


def test_precedence_not_binds_tighter_than_and_than_or() -> None:
    tree = parse_query('fire OR smoke AND NOT "fire drill"')
    assert tree == Or((Term(("fire",)), And((Term(("smoke",)), Not(Term(("fire", "drill")))))))


def test_juxtaposition_means_and_and_hashtags_are_terms() -> None:
    assert parse_query("#MatchDay knife") == And((Term(("matchday",), hashtag=True), Term(("knife",))))


def test_lower_case_operators_are_words() -> None:
    assert parse_query("rock and roll") == And((Term(("rock",)), Term(("and",)), Term(("roll",))))


@pytest.mark.parametrize(("query", "column", "says"), [
    ('fire AND "smoke', 10, "never closed"),
    ("(fire OR smoke", 15, "expected )"),
    ("fire)", 5, "unexpected )"),
    ("fire AND", 9, "ends where"),
    ("OR fire", 1, "found OR"),
    ("# fire", 1, "hashtag"),
    ("fire !!!", 6, "no letters"),
])
def test_errors_point_at_the_column(query: str, column: int, says: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert caught.value.column == column
    assert says in caught.value.message
    assert caught.value.message.splitlines()[-1].index("^") == column + 1  # two spaces of indent
    assert "e.g." in caught.value.fix


def test_nesting_is_bounded() -> None:
    with pytest.raises(QueryError, match="levels of nesting"):
        parse_query("(" * (MAX_DEPTH + 2) + "x" + ")" * (MAX_DEPTH + 2))
    with pytest.raises(QueryError, match="levels of nesting"):
        parse_query("NOT " * (MAX_DEPTH + 2) + "x")


@settings(max_examples=300)
@given(st.lists(st.sampled_from([*'ab #"()_-é\x00ß', " AND ", " OR ", "NOT "]), max_size=30).map("".join)
       | st.text(max_size=80))
def test_never_crashes_and_canonical_form_is_stable(query: str) -> None:
    try:
        tree = parse_query(query)
    except QueryError:
        return
    text = format_query(tree)
    assert parse_query(text) == tree
    assert format_query(parse_query(text)) == text


_words = st.text(alphabet="abcxyzéß0", min_size=1, max_size=6)
_terms = (st.builds(lambda ws, tag: Term((ws[0],), True) if tag else Term(tuple(ws)),
                    st.lists(_words, min_size=1, max_size=3), st.booleans())
          | st.sampled_from(READINGS).map(lambda name: Term((name,), reading=True)))
_trees: st.SearchStrategy[Node] = st.recursive(
    _terms,
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.builds(lambda xs: And(tuple(xs)), st.lists(inner, min_size=2, max_size=3)),
        st.builds(lambda xs: Or(tuple(xs)), st.lists(inner, min_size=2, max_size=3)),
    ),
    max_leaves=12,
)


@given(_trees)
def test_trees_round_trip_through_text(tree: Node) -> None:
    # Folding is idempotent on already-folded words, so a generated tree must be folded first.
    folded = parse_query(format_query(tree))
    assert parse_query(format_query(folded)) == folded


def test_readings_parse_print_and_refuse_unknown_names() -> None:
    tree = parse_query("reading:Offensive-at-group AND NOT reading:hate leeds")
    assert tree == And((Term(("offensive-at-group",), reading=True), Not(Term(("hate",), reading=True)),
                        Term(("leeds",))))
    assert format_query(tree) == "reading:offensive-at-group AND NOT reading:hate AND leeds"
    with pytest.raises(QueryError, match="not a reading") as caught:
        parse_query("flood AND reading:muslim")
    assert caught.value.column == 11
