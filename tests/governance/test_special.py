from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicpulse.errors import AccessDenied, UsageError
from civicpulse.governance.context import Governance
from civicpulse.governance.special import approve, check_terms, require_approval

from .seeding import ANA, SUE, operation, staff


@pytest.mark.parametrize(("term", "category"), [
    ("#BlackLivesMatter", "ethnicity"), ("#DontShoot", "ethnicity"),
    ("MOSQUÉES", "religion"), ("Musulmanes", "religion"), ("moslims", "religion"), ("Muslime", "religion"),
    ("Gewerkschaften", "trade_union"), ("piquets de grève", "trade_union"), ("sciopero generale", "trade_union"),
    ("Schwangerschaft", "health"), ("salud mental", "health"), ("zelfmoord", "health"),
    ("gay bar soho", "sex_life"), ("orientation sexuelle", "sex_life"),
    ("extrema derecha", "political"), ("Partei", "political"),
    ("protesters", "protest"), ("manifestación", "protest"), ("betoging", "protest"), ("corteo", "protest"),
])
def test_special_categories_are_recognised_in_six_languages(term: str, category: str) -> None:
    assert category in {f.category for f in check_terms([term])}


@pytest.mark.parametrize("term", ["flood Leeds", "bridge collapse", "missing child", "fire station", "car crash"])
def test_ordinary_incident_terms_pass(term: str) -> None:
    assert check_terms([term]) == []


@given(st.lists(st.text(max_size=300), max_size=5))
def test_any_input_is_checked_without_error(terms: list[str]) -> None:
    for finding in check_terms(terms):
        assert finding.term in [t[:500] for t in terms]


@pytest.fixture
def op(gov: Governance) -> str:
    staff(gov)
    return operation(gov, "Rally")


def test_a_special_term_needs_a_supervisors_written_approval(gov: Governance, op: str) -> None:
    require_approval(gov, op, "term", ["traffic jam"])
    with pytest.raises(AccessDenied, match="targets a special category: protest") as caught:
        require_approval(gov, op, "term", ["protest Leeds"])
    assert "special approve" in caught.value.fix
    with pytest.raises(AccessDenied, match="may not approve special category"):
        approve(gov, ANA, op, "term", "protest Leeds", "credible threat of violence at the counter-demo")
    with pytest.raises(UsageError, match="justification"):
        approve(gov, SUE, op, "term", "protest Leeds", "needed")
    approve(gov, SUE, op, "term", "Protest  leeds", "credible threat of violence at the counter-demo on Sat")
    require_approval(gov, op, "term", ["protest Leeds"])
    with pytest.raises(AccessDenied):
        require_approval(gov, op, "search", ["protest Leeds"])
