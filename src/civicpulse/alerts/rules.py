"""Alert rules: what to watch (posts, growing events, rumours), where, and whom to tell.

A rule belongs to one operation. Creating or disabling one needs the *manage rules* permission
inside an active, approved operation the user is a member of; its query goes through the
special-category guard (a rule about a religion or a protest needs a supervisor's approval of kind
``rule``); both acts are audit-logged in the same transaction as the change. A rule is never
deleted, only disabled, so the audit trail can always say what a past alert was raised by.

Kinds:

* ``posts``: a post matches the query and/or lies inside the geofence (both, when both are given);
* ``event``: an ``event`` signal whose ``metric`` (read from its details, e.g. ``growth``) reaches
  ``threshold``, optionally also matching the query (on its title and terms) and the geofence;
* ``rumour``: a ``rumour`` signal touching the watched place (geofence on its locations, or the
  query on its summary and place names).
"""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeGuard

from sqlalchemy import Connection, insert, select, update

from civicpulse.alerts.geofence import Geofence, parse_geofence
from civicpulse.alerts.query import Node, format_query, parse_query, terms_of, words
from civicpulse.channels.webhook import check_url_syntax
from civicpulse.detectors.area import AreaMap, near_term
from civicpulse.errors import UsageError
from civicpulse.governance.clock import as_utc
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.events import RuleCreated, RuleDisabled
from civicpulse.governance.operations import require
from civicpulse.governance.roles import Action
from civicpulse.governance.special import require_approval
from civicpulse.post import Post
from civicpulse.store.schema import alert_rules, operations

__all__ = ["KINDS", "Destination", "Rule", "active_rules", "add_rule", "build_rule", "disable_rule", "district_query",
           "list_rules", "points_of", "post_points"]

KINDS = ("posts", "event", "rumour")
MAX_DESTINATIONS = 10
#: Names of a district a rule watches at most (its own and its landmarks), within the query's bounds.
MAX_DISTRICT_NAMES = 40
#: Bounds the walk through a signal's details looking for coordinates.
_MAX_POINTS = 200


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a rule's alerts go besides the dashboard: ``webhook`` + URL, or ``email`` + address."""

    channel: str
    target: str

    def __str__(self) -> str:
        return f"{self.channel}:{self.target}"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    operation_id: str
    name: str
    kind: str
    query: Node | None = None
    geofence: Geofence | None = None
    metric: str | None = None
    threshold: float | None = None
    destinations: tuple[Destination, ...] = ()
    created_by: str = ""
    created_at: datetime | None = None
    disabled_at: datetime | None = None

    @property
    def query_text(self) -> str | None:
        return None if self.query is None else format_query(self.query)

    def describe(self) -> str:
        parts = []
        if self.query is not None:
            parts.append(f"matches {self.query_text}")
        if self.geofence is not None:
            parts.append("inside the geofence")
        if self.metric is not None:
            parts.append(f"{self.metric} ≥ {self.threshold:g}")
        what = {"posts": "posts", "event": "events", "rumour": "rumours"}[self.kind]
        return f"{what} " + (" and ".join(parts) if parts else "(everything)")


def build_rule(*, rule_id: str, operation_id: str, name: str, kind: str = "posts", query: str | None = None,
               geofence: str | dict[str, Any] | None = None, metric: str | None = None,
               threshold: float | None = None, destinations: Iterable[str] = ()) -> Rule:
    """A validated rule (nothing stored); every mistake is a :class:`UsageError` that says the fix."""
    name = " ".join(name.split())[:200]
    if not name:
        raise UsageError("a rule needs a name", fix="give --name, e.g. --name 'Flooding in the old town'")
    if kind not in KINDS:
        raise UsageError(f"unknown rule kind {kind!r}", fix=f"choose one of: {', '.join(KINDS)}")
    tree = parse_query(query) if query is not None and query.strip() else None
    if tree is not None and kind != "posts" and any(term.reading for term in terms_of(tree)):
        raise UsageError("reading: terms describe a post, not an event or a rumour",
                         fix="use them in a posts rule (--kind posts), e.g. --query 'reading:hate AND leeds'")
    fence = parse_geofence(geofence) if geofence is not None else None
    if kind == "event":
        if not metric or threshold is None:
            raise UsageError("an event rule needs a metric and a threshold",
                             fix="add e.g. --metric growth --at-least 3 (growth of the event's post rate)")
        if not math.isfinite(threshold):
            raise UsageError("the threshold must be a number", fix="give --at-least 3, for example")
    elif metric is not None or threshold is not None:
        raise UsageError("--metric and --at-least apply to event rules only", fix="add --kind event")
    elif tree is None and fence is None:
        raise UsageError(f"a {kind} rule needs a query, a geofence or both",
                         fix="add --query 'flood OR #flooding' and/or --geofence area.geojson")
    return Rule(rule_id, operation_id, name, kind, tree, fence, metric or None, threshold,
                _destinations(destinations))


def district_query(area: AreaMap | None, district: str, query: str | None = None) -> str:
    """The query of a rule watching ``district`` of the operation's area: any of the names that
    count for it ("rusholme" OR "curry mile" OR "platt fields park", as the detectors read the
    area), AND ``query`` when one is given. It is written out when the rule is made, so the rule
    says in its own words what it watches and does not change when the area file does; it goes
    through the special-category guard like any query (a landmark can be a place of worship)."""
    if area is None:
        raise UsageError("--district needs the operation's area", fix="set area_file (docs/configuration.md)")
    shape = area.district(near_term(district))  # any case and spacing
    names = area.names_of(shape.name) if shape is not None else []
    if not names:
        known = ", ".join(d.name for d in area.districts[:20])
        raise UsageError(f"no district {district[:80]!r} in the area file", fix=f"use one of: {known}")
    phrases = [" ".join(words(name)) for name in names[:MAX_DISTRICT_NAMES]]
    watched = " OR ".join(f'"{phrase}"' for phrase in phrases if phrase)
    return f"({watched}) AND ({query})" if query is not None and query.strip() else watched


def _destinations(raw: Iterable[str]) -> tuple[Destination, ...]:
    found: list[Destination] = []
    for item in raw:
        channel, sep, target = item.partition(":")
        if not sep or channel not in ("webhook", "email") or not target.strip():
            raise UsageError(f"{item[:100]!r} is not a destination",
                             fix="write webhook:https://example.org/hook or email:duty-desk@example.org")
        if channel == "webhook":
            check_url_syntax(target.strip())
        elif "@" not in target or any(c in target for c in "\r\n ,;<>"):
            raise UsageError(f"{target[:100]!r} is not one e-mail address", fix="give one address per --notify")
        found.append(Destination(channel, target.strip()))
    if len(found) > MAX_DESTINATIONS:
        raise UsageError(f"more than {MAX_DESTINATIONS} destinations", fix="use a mailing list or one webhook")
    return tuple(dict.fromkeys(found))


def post_points(post: Post) -> list[tuple[float, float]]:
    """(lat, lon) of a post: its geo, then a ``places/…`` enrichment's coordinates, if any."""
    points: list[tuple[float, float]] = []
    if post.geo is not None and post.geo.lat is not None and post.geo.lon is not None:
        points.append((post.geo.lat, post.geo.lon))
    for name, value in post.enrichments.items():
        if name.startswith("places"):
            points.extend(points_of(value))
    return points


def points_of(value: Any) -> list[tuple[float, float]]:
    """Coordinates found in untrusted JSON-like data: ``{"lat": .., "lon": ..}`` objects anywhere,
    ``[lat, lon]`` pairs under a ``points`` key. Bounded; anything malformed is skipped."""
    found: list[tuple[float, float]] = []
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack and len(found) < _MAX_POINTS:
        item, depth = stack.pop()
        if depth > 6:
            continue
        if isinstance(item, Mapping):
            lat, lon = item.get("lat"), item.get("lon", item.get("lng"))
            if _is_coordinate(lat, 90) and _is_coordinate(lon, 180):
                found.append((float(lat), float(lon)))
            pairs = item.get("points")
            if isinstance(pairs, list):
                found.extend((float(p[0]), float(p[1])) for p in pairs[:_MAX_POINTS]
                             if isinstance(p, list | tuple) and len(p) == 2
                             and _is_coordinate(p[0], 90) and _is_coordinate(p[1], 180))
            stack.extend((v, depth + 1) for k, v in list(item.items())[:50] if k != "points")
        elif isinstance(item, list | tuple):
            stack.extend((v, depth + 1) for v in item[:50])
    return found[:_MAX_POINTS]


def _is_coordinate(value: Any, limit: float) -> TypeGuard[float]:
    return (isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
            and -limit <= value <= limit)


# --- Storage and governance ---


def _to_row(rule: Rule) -> dict[str, Any]:
    return {"id": rule.id, "operation_id": rule.operation_id, "name": rule.name, "kind": rule.kind,
            "query": rule.query_text, "metric": rule.metric, "threshold": rule.threshold,
            "geofence": None if rule.geofence is None else json.dumps(rule.geofence.to_geojson()),
            "channels": json.dumps([{"channel": d.channel, "target": d.target} for d in rule.destinations])}


def _from_row(row: Any) -> Rule:
    destinations = tuple(Destination(d["channel"], d["target"]) for d in json.loads(row.channels))
    return Rule(row.id, row.operation_id, row.name, row.kind,
                None if row.query is None else parse_query(row.query),
                None if row.geofence is None else parse_geofence(row.geofence),
                row.metric, row.threshold, destinations, row.created_by, as_utc(row.created_at),
                None if row.disabled_at is None else as_utc(row.disabled_at))


def add_rule(gov: Governance, actor: Actor, operation_id: str, **spec: Any) -> Rule:
    """Validate, authorise, check special categories, store and audit-log a new rule."""
    rule = build_rule(rule_id="rule-" + secrets.token_hex(4), operation_id=operation_id, **spec)
    operation = require(gov, actor, Action.MANAGE_RULES, operation_id)
    assert operation is not None
    if rule.query is not None:
        require_approval(gov, operation.id, "rule", [spec["query"]])
    with gov.transaction() as (connection, now):
        connection.execute(insert(alert_rules).values(**_to_row(rule), created_by=actor.username, created_at=now))
        gov.log(connection, RuleCreated(rule_id=rule.id, title=rule.name, kind=rule.kind, query=rule.query_text or "",
                                        geofence=rule.geofence is not None,
                                        channels=[str(d) for d in rule.destinations]),
                actor.username, now, operation.id)
    return get_rule(gov, rule.id)


def get_rule(gov: Governance, rule_id: str) -> Rule:
    with gov.engine.connect() as connection:
        row = connection.execute(select(alert_rules).where(alert_rules.c.id == rule_id)).first()
    if row is None:
        raise UsageError(f"no rule {rule_id!r}", fix="see 'civicpulse rule list --operation ID'")
    return _from_row(row)


def disable_rule(gov: Governance, actor: Actor, rule_id: str) -> Rule:
    rule = get_rule(gov, rule_id)
    require(gov, actor, Action.MANAGE_RULES, rule.operation_id)
    if rule.disabled_at is not None:
        raise UsageError(f"rule {rule_id} is already disabled", fix="nothing to do")
    with gov.transaction() as (connection, now):
        connection.execute(update(alert_rules).where(alert_rules.c.id == rule_id)
                           .values(disabled_at=now, disabled_by=actor.username))
        gov.log(connection, RuleDisabled(rule_id=rule_id), actor.username, now, rule.operation_id)
    return get_rule(gov, rule_id)


def list_rules(gov: Governance, actor: Actor, operation_id: str) -> list[Rule]:
    require(gov, actor, Action.MANAGE_RULES, operation_id)
    with gov.engine.connect() as connection:
        rows = connection.execute(select(alert_rules).where(alert_rules.c.operation_id == operation_id)
                                  .order_by(alert_rules.c.created_at, alert_rules.c.id)).all()
    return [_from_row(r) for r in rows]


def active_rules(connection: Connection, now: datetime, operation_id: str | None = None) -> list[Rule]:
    """Enabled rules whose operation is approved, started, not ended and not closed at ``now``
    (only ``operation_id``'s, when given: posts collected for one purpose feed only its rules)."""
    statement = (select(alert_rules).join(operations, operations.c.id == alert_rules.c.operation_id)
                 .where(alert_rules.c.disabled_at.is_(None), operations.c.approved_by.is_not(None),
                        operations.c.closed_at.is_(None), operations.c.starts_at <= now, operations.c.ends_at > now)
                 .order_by(alert_rules.c.id))
    if operation_id is not None:
        statement = statement.where(alert_rules.c.operation_id == operation_id)
    rows = connection.execute(statement).all()
    return [_from_row(r) for r in rows]
