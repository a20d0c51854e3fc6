"""The alert detector: every active rule, evaluated batch-wise, de-duplicated and throttled.

Rules are compiled once (:class:`~civicpulse.alerts.matcher.CompiledQueries`: one pass over each
post's words for all rules' phrases). Posts go through :meth:`AlertDetector.update_many`; event and
rumour signals from the other detectors through :meth:`AlertDetector.update_signals`.

* De-duplication: the same rule and the same post (or event/rumour key) alert once, however often
  they are seen again (re-delivery after a crash, an event growing further). The memory of keys is
  bounded (oldest forgotten first).
* Copies: a rumour's text reposted a hundred times is one thing for the duty desk to read, not a
  hundred. Within ``window`` of a rule's alert on a post, posts with the same content (the same
  near-duplicate cluster, or the same normalised text: case, links, mentions, punctuation and a
  leading "RT" ignored) are *copies*: counted, not alerted, and they use none of the rule's quota,
  so a post saying something new still gets through while the copies spread.
* Throttling: at most ``per_window`` alerts per rule per ``window``; the rest are counted, and when
  the window ends one summary alert says "and 37 more; 120 copies of posts already alerted".

Time comes from ``now`` (the pipeline's injected clock), so a replay gives identical alerts.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from civicpulse.alerts.matcher import CompiledQueries, post_readings
from civicpulse.alerts.rules import Rule, points_of, post_points
from civicpulse.analysers.near_duplicates import MIN_CHARS, cluster_of, normalise
from civicpulse.detectors.base import Detector, Signal
from civicpulse.post import Post
from civicpulse.registry import detectors

__all__ = ["AlertDetector", "alert_key"]

MAX_REMEMBERED = 200_000
MAX_POSTS_PER_SIGNAL = 50
#: Place names an event or rumour alert carries at most.
MAX_PLACES = 10


def alert_key(rule_id: str, subject: str) -> str:
    """The de-duplication and idempotency key of an alert: rule + what matched."""
    return hashlib.sha256(f"{rule_id}\x00{subject}".encode()).hexdigest()[:32]


@dataclass
class _Window:
    start: datetime
    sent: int = 0
    suppressed: int = 0
    copies: int = 0


def content_keys(post: Post) -> tuple[str, ...]:
    """What makes two posts "the same content" for alerting: the near-duplicate cluster (when the
    ``near_duplicates`` analyser ran) and the normalised text, if long enough to mean something."""
    cluster = cluster_of(post)
    keys = [f"cluster:{cluster}"] if cluster is not None else []
    text = normalise(post.text or "")
    if text.startswith("rt "):
        text = text[3:]
    if len(text) >= MIN_CHARS:
        keys.append("text:" + hashlib.blake2b(text.encode(), digest_size=12).hexdigest())
    return tuple(keys)


def _number(details: Mapping[str, Any], name: str) -> float | None:
    value = details.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _where(details: Mapping[str, Any]) -> dict[str, Any]:
    """Where an event or rumour is, for whoever receives its alert (a control room dispatches by
    place): an event's estimated ``location`` (centre, radius, and the district when its posts named
    one), the ``places`` (districts of the operation's area) an event is at or a rumour's wordings
    name. Numbers and names only; details may come from a crafted import, so anything else is left
    out."""
    out: dict[str, Any] = {}
    location = details.get("location")
    if isinstance(location, Mapping):
        numbers = {k: v for k in ("lat", "lon", "radius_m") if (v := _number(location, k)) is not None}
        if {"lat", "lon"} <= set(numbers) and abs(numbers["lat"]) <= 90 and abs(numbers["lon"]) <= 180:
            district = location.get("district")
            out["location"] = numbers | ({"district": district[:200]} if isinstance(district, str) and district else {})
    places = details.get("places")
    if isinstance(places, list | tuple):
        named = [p[:200] for p in places if isinstance(p, str) and p][:MAX_PLACES]
        if named:
            out["places"] = named
    return out


def _signal_text(signal: Signal) -> str:
    """What a rule's query is matched against: the summary plus title, terms and place names."""
    parts = [signal.summary]
    for name in ("title", "terms", "hashtags", "places", "place", "claim"):
        value = signal.details.get(name)
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, list | tuple):
            parts.extend(v for v in value[:100] if isinstance(v, str))
    return "\n".join(parts)[:20_000]


@detectors.register("alerts")
class AlertDetector(Detector):
    name: ClassVar[str] = "alerts"
    version: ClassVar[int] = 1

    def __init__(self, rules: Sequence[Rule] = (), *, per_window: int = 10,
                 window: timedelta = timedelta(minutes=10)) -> None:
        self.per_window = max(1, per_window)
        self.window = window
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._windows: dict[str, _Window] = {}
        # (rule id, content key) -> when that rule alerted on that content; oldest first.
        self._alerted_content: OrderedDict[tuple[str, str], datetime] = OrderedDict()
        self.set_rules(rules)

    def set_rules(self, rules: Sequence[Rule]) -> None:
        """Replace the rule set (rules changed in the store); de-duplication memory is kept."""
        self.rules = {rule.id: rule for rule in rules}
        by_kind: dict[str, list[Rule]] = {"posts": [], "event": [], "rumour": []}
        for rule in rules:
            by_kind[rule.kind].append(rule)
        self._post_queries = CompiledQueries({r.id: r.query for r in by_kind["posts"] if r.query is not None})
        self._post_geo_only = [r for r in by_kind["posts"] if r.query is None]
        self._signal_rules = {"event": by_kind["event"], "rumour": by_kind["rumour"]}
        self._signal_queries = {kind: CompiledQueries({r.id: r.query for r in found if r.query is not None})
                                for kind, found in self._signal_rules.items()}

    # --- posts ---

    def update_many(self, posts: Sequence[Post], now: datetime) -> list[Signal]:
        out = self._close_windows(now)
        if not self.rules:
            return out
        for post in posts:
            readings = post_readings(post) if self._post_queries.reads_readings else ()
            matched = [self.rules[key] for key in self._post_queries.match(post.text, post.hashtags, readings)]
            matched += self._post_geo_only
            if not matched:
                continue
            points: list[tuple[float, float]] | None = None
            for rule in matched:
                if rule.geofence is not None:
                    if points is None:
                        points = post_points(post)
                    if not any(rule.geofence.contains(lat, lon) for lat, lon in points):
                        continue
                self._emit(out, rule, f"post:{post.id}", now, f"{rule.name}: post {post.id}", (post.id,),
                           {"subject": "post", "post_id": post.id, "url": post.url,
                            "created_at": post.created_at.isoformat()}, content_keys(post))
        return out

    # --- events and rumours ---

    def update_signals(self, signals: Sequence[Signal], now: datetime) -> list[Signal]:
        """Alerts for event signals over a rule's threshold and rumours touching a watched place."""
        out = self._close_windows(now)
        for signal in signals:
            rules = self._signal_rules.get(signal.kind)
            if not rules:
                continue
            details = signal.details if isinstance(signal.details, Mapping) else {}
            text = _signal_text(signal)
            by_query = set(self._signal_queries[signal.kind].match(text))
            points: list[tuple[float, float]] | None = None
            for rule in rules:
                if rule.query is not None and rule.id not in by_query:
                    continue
                value = None
                if rule.kind == "event":
                    assert rule.metric is not None
                    assert rule.threshold is not None
                    value = _number(details, rule.metric)
                    if value is None or value < rule.threshold:
                        continue
                if rule.geofence is not None:
                    if points is None:
                        points = points_of(details)
                    if not any(rule.geofence.contains(lat, lon) for lat, lon in points):
                        continue
                extra: dict[str, Any] = {"subject": signal.kind, "signal_key": signal.key,
                                         "detector": signal.detector, "signal_summary": signal.summary[:500],
                                         **_where(details)}
                if value is not None:
                    extra.update(metric=rule.metric, value=value, threshold=rule.threshold)
                self._emit(out, rule, f"{signal.kind}:{signal.key}", now,
                           f"{rule.name}: {signal.kind} {signal.summary[:200]}",
                           signal.post_ids[:MAX_POSTS_PER_SIGNAL], extra)
        return out

    # --- de-duplication and throttling ---

    def _emit(self, out: list[Signal], rule: Rule, subject: str, now: datetime, summary: str,
              post_ids: tuple[str, ...], extra: dict[str, Any], content: tuple[str, ...] = ()) -> None:
        key = alert_key(rule.id, subject)
        if key in self._seen:
            return
        self._seen[key] = None
        if len(self._seen) > MAX_REMEMBERED:
            self._seen.popitem(last=False)
        window = self._windows.get(rule.id)
        if window is None or now >= window.start + self.window or now < window.start:
            # A clock that jumped backwards starts a fresh window rather than throttling forever.
            if window is not None and window.suppressed:
                out.append(self._summary(rule, window, now))
            window = self._windows[rule.id] = _Window(now)
        if self._is_copy(rule.id, content, now):
            window.copies += 1
            return
        if window.sent >= self.per_window:
            window.suppressed += 1
            return
        window.sent += 1
        for content_key in content:
            self._alerted_content[(rule.id, content_key)] = now
            self._alerted_content.move_to_end((rule.id, content_key))
        if len(self._alerted_content) > MAX_REMEMBERED:
            self._alerted_content.popitem(last=False)
        out.append(Signal(self.name, "alert", key, now, summary, post_ids, {
            "rule_id": rule.id, "rule": rule.name, "operation_id": rule.operation_id, **extra}))

    def _is_copy(self, rule_id: str, content: tuple[str, ...], now: datetime) -> bool:
        while self._alerted_content:
            oldest = next(iter(self._alerted_content.values()))
            if now - oldest < self.window:
                break
            self._alerted_content.popitem(last=False)
        # abs(): after the clock jumps backwards, content alerted "later" still counts as recent.
        return any(abs(now - at) < self.window for at in
                   (self._alerted_content.get((rule_id, key)) for key in content) if at is not None)

    def _summary(self, rule: Rule, window: _Window, now: datetime) -> Signal:
        key = alert_key(rule.id, f"summary:{window.start.isoformat()}")
        parts = [f"and {window.suppressed} more"] if window.suppressed else []
        if window.copies:
            parts.append(f"{window.copies} {'copy' if window.copies == 1 else 'copies'} of posts already alerted")
        return Signal(self.name, "alert", key, now, f"{rule.name}: {'; '.join(parts)}", (), {
            "rule_id": rule.id, "rule": rule.name, "operation_id": rule.operation_id, "subject": "summary",
            "suppressed": window.suppressed, "copies": window.copies, "window_start": window.start.isoformat(),
            "window_s": self.window.total_seconds()})

    def _close_windows(self, now: datetime) -> list[Signal]:
        out: list[Signal] = []
        for rule_id, window in list(self._windows.items()):
            if now >= window.start + self.window:
                rule = self.rules.get(rule_id)
                if window.suppressed and rule is not None:
                    out.append(self._summary(rule, window, now))
                del self._windows[rule_id]
        return out

    def flush(self, now: datetime) -> list[Signal]:
        """Summaries for every window with suppressed alerts, closed now (end of a stream)."""
        out: list[Signal] = []
        for rule_id, window in list(self._windows.items()):
            rule = self.rules.get(rule_id)
            if window.suppressed and rule is not None:
                out.append(self._summary(rule, window, now))
            del self._windows[rule_id]
        return out

    # --- restart ---

    def snapshot(self) -> bytes:
        return json.dumps({"seen": list(self._seen), "windows": {
            rule_id: [w.start.isoformat(), w.sent, w.suppressed, w.copies] for rule_id, w in self._windows.items()},
            "alerted_content": [[rule_id, key, at.isoformat()] for (rule_id, key), at in self._alerted_content.items()],
        }).encode()

    def restore(self, state: bytes) -> None:
        if not state:
            return
        data = json.loads(state)
        self._seen = OrderedDict((str(k), None) for k in data["seen"][-MAX_REMEMBERED:])
        # Snapshots written before copies were counted have three numbers per window and no content.
        self._windows = {rule_id: _Window(datetime.fromisoformat(start), *(int(n) for n in counts))
                         for rule_id, (start, *counts) in data["windows"].items()}
        self._alerted_content = OrderedDict(
            ((str(rule_id), str(key)), datetime.fromisoformat(at))
            for rule_id, key, at in data.get("alerted_content", [])[-MAX_REMEMBERED:])
