from __future__ import annotations

from datetime import timedelta

import pytest

from civicpulse.alerts.rules import active_rules, add_rule, build_rule, disable_rule, district_query, list_rules
from civicpulse.alerts.trial import try_rule
from civicpulse.detectors.area import AreaMap, DistrictShape
from civicpulse.errors import AccessDenied, UsageError
from civicpulse.governance import audit
from civicpulse.governance.accounts import add_user
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.operations import close_operation
from civicpulse.governance.special import approve
from civicpulse.testing import FrozenClock, make_post
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


MANCHESTER = AreaMap([
    DistrictShape(name="Rusholme", lat=53.456, lon=-2.224,
                  landmarks=["the Curry Mile", "Platt Fields Park", "Wilmslow Road"]),
    DistrictShape(name="Moss Side", lat=53.459, lon=-2.245, landmarks=["Alexandra Park"]),
    DistrictShape(name="Didsbury", lat=53.417, lon=-2.231, landmarks=["Wilmslow Road"]),
])


def test_a_district_rule_watches_every_name_of_the_district_and_only_those() -> None:
    query = district_query(MANCHESTER, "rusholme", "police OR helicopter")
    # Its own name first; "Wilmslow Road" runs through two districts, so it says nothing about either.
    assert query == '("rusholme" OR "curry mile" OR "platt fields park") AND (police OR helicopter)'
    rule = build_rule(rule_id="r", operation_id="op", name="Rusholme", query=query)
    posts = [make_post(1, "Police helicopter over the Curry Mile"), make_post(2, "police in Platt Fields Park"),
             make_post(3, "police on Wilmslow Road"), make_post(4, "police at Alexandra Park"),
             make_post(5, "Lovely curry on the Curry Mile")]
    assert [p.id for p in try_rule(rule, posts).matched] == [posts[0].id, posts[1].id]
    assert district_query(MANCHESTER, "Moss  Side") == '"moss side" OR "alexandra park"'


def test_a_district_rule_says_what_is_missing() -> None:
    with pytest.raises(UsageError, match="needs the operation's area") as no_area:
        district_query(None, "Rusholme")
    assert "area_file" in no_area.value.fix
    with pytest.raises(UsageError, match="no district 'Fallowfield'") as unknown:
        district_query(MANCHESTER, "Fallowfield")
    assert unknown.value.fix == "use one of: Rusholme, Moss Side, Didsbury"


def test_a_district_rule_goes_through_the_special_category_guard(gov: Governance, op: str) -> None:
    area = AreaMap([DistrictShape(name="Longsight", lat=53.46, lon=-2.2, landmarks=["Central Mosque"])])
    with pytest.raises(AccessDenied, match=r"special category: religion \('mosque'"):
        add_rule(gov, ANA, op, name="Longsight", query=district_query(area, "Longsight"))
