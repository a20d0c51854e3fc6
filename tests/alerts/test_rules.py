from __future__ import annotations

from datetime import timedelta

import pytest

from civicpulse.alerts.rules import active_rules, add_rule, build_rule, disable_rule, list_rules
from civicpulse.errors import AccessDenied, UsageError
from civicpulse.governance import audit
from civicpulse.governance.accounts import add_user
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.operations import close_operation
from civicpulse.governance.special import approve
from civicpulse.testing import FrozenClock
from tests.governance.seeding import ADMIN, ANA, PASSWORD, SUE

SQUARE = '{"type": "Polygon", "coordinates": [[[4, 52], [5, 52], [5, 53], [4, 53], [4, 52]]]}'


def test_add_list_disable_are_audit_logged(gov: Governance, op: str) -> None:
    rule = add_rule(gov, ANA, op, name="Knives", query="knife OR #stabbing", geofence=SQUARE,
                    destinations=["webhook:https://hooks.example.org/a", "email:duty@police.example"])
    assert rule.query_text == "knife OR #stabbing"
    assert rule.created_by == "ana"
    assert [r.id for r in list_rules(gov, ANA, op)] == [rule.id]
    with gov.engine.connect() as connection:
        assert [r.id for r in active_rules(connection, gov.now())] == [rule.id]
    disable_rule(gov, ANA, rule.id)
    with gov.engine.connect() as connection:
        assert active_rules(connection, gov.now()) == []
    logged = [(e.event, e.details) for e in audit.entries(gov.engine) if e.event.startswith("rule_")]
    assert logged[0][0] == "rule_created"
    assert logged[0][1]["query"] == "knife OR #stabbing"
    assert logged[0][1]["channels"] == ["webhook:https://hooks.example.org/a", "email:duty@police.example"]
    assert logged[1] == ("rule_disabled", {"rule_id": rule.id})


def test_rules_need_permission_membership_and_an_open_operation(gov: Governance, op: str) -> None:
    add_user(gov, ADMIN, "carl", "communications", PASSWORD)
    add_user(gov, ADMIN, "olga", "analyst", PASSWORD)
    with pytest.raises(AccessDenied, match="may not manage rules"):
        add_rule(gov, Actor("carl", "communications"), op, name="x", query="x")
    with pytest.raises(AccessDenied, match="not a member"):
        add_rule(gov, Actor("olga", "analyst"), op, name="x", query="x")
    rule = add_rule(gov, ANA, op, name="x", query="x")
    close_operation(gov, SUE, op)
    with gov.engine.connect() as connection:
        assert active_rules(connection, gov.now()) == []
    with pytest.raises(AccessDenied, match="closed"):
        disable_rule(gov, ANA, rule.id)


def test_rules_stop_when_the_operation_ends(gov: Governance, op: str, clock: FrozenClock) -> None:
    add_rule(gov, ANA, op, name="x", query="x")
    clock.advance(timedelta(days=2).total_seconds())
    with gov.engine.connect() as connection:
        assert active_rules(connection, gov.now()) == []


def test_special_category_rules_need_a_supervisors_approval(gov: Governance, op: str) -> None:
    with pytest.raises(AccessDenied, match="special category") as caught:
        add_rule(gov, ANA, op, name="Mosque", query='mosque AND "graffiti"')
    assert "special approve" in caught.value.fix
    approve(gov, SUE, op, "rule", 'mosque AND "graffiti"', "Threats of arson against the mosque were posted today.")
    assert add_rule(gov, ANA, op, name="Mosque", query='mosque AND "graffiti"').name == "Mosque"


@pytest.mark.parametrize(("spec", "says"), [
    ({"name": " "}, "needs a name"),
    ({"name": "x"}, "needs a query, a geofence or both"),
    ({"name": "x", "kind": "weather"}, "unknown rule kind"),
    ({"name": "x", "kind": "event"}, "metric and a threshold"),
    ({"name": "x", "query": "a", "metric": "growth", "threshold": 2.0}, "event rules only"),
    ({"name": "x", "query": "a", "destinations": ["sms:+3161234"]}, "not a destination"),
    ({"name": "x", "query": "a", "destinations": ["webhook:ftp://x"]}, r"http\(s\) URL"),
    ({"name": "x", "query": "a", "destinations": ["email:a@b.c, d@e.f"]}, "one e-mail address"),
    ({"name": "x", "query": "(a"}, "column"),
    ({"name": "x", "kind": "rumour", "query": "reading:hate"}, "describe a post"),
])
def test_invalid_rules_say_the_fix(spec: dict[str, object], says: str) -> None:
    with pytest.raises(UsageError, match=says) as caught:
        build_rule(rule_id="r", operation_id="op", **spec)  # type: ignore[arg-type]
    assert caught.value.fix
