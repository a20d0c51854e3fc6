"""What the dashboard shows, always of one operation: counts, latest posts, signals and alerts.

Authors appear as their pseudonyms only (the keyed hash the store holds), and the people a post's
text names are hidden the same way (``governance.redaction``); raw payloads and clear identities are
never read here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import msgspec
from sqlalchemy import Engine, func, select

from civicpulse.detectors.area import AreaMap
from civicpulse.detectors.base import Signal
from civicpulse.detectors.relations import related_rumours
from civicpulse.detectors.storage import current_signals
from civicpulse.governance.clock import as_utc
from civicpulse.governance.operations import Operation
from civicpulse.governance.redaction import Redactor
from civicpulse.governance.scope import post_collected_by, quarantine_collected_by, signal_raised_for
from civicpulse.pipeline.runner import PipelineStats
from civicpulse.post import Post
from civicpulse.store.schema import posts, quarantine
from civicpulse.web.alerts import latest_alerts
from civicpulse.web.views import (
    detector_limits,
    event_map,
    most_urgent_first,
    one_row_per_verdict,
    post_view,
    related_view,
    signal_view,
    stream_limits,
    wordings_view,
)

__all__ = ["Snapshots", "StatusProvider", "latest_posts"]

StatusProvider = Callable[[], PipelineStats | None]
_decode = msgspec.json.Decoder(Post).decode


def _pipeline_view(stats: PipelineStats | None) -> dict[str, Any] | None:
    if stats is None:
        return None
    return {
        "running": not stats.done,
        "read": stats.read,
        "stored": stats.stored,
        "quarantined": stats.quarantined,
        "duplicates": stats.duplicates,
        "posts_per_s": round(stats.posts_per_s),
        "stream_time": stats.stream_time.isoformat() if stats.stream_time else None,
    }


def latest_posts(engine: Engine, operation: Operation, limit: int) -> list[Post]:
    """The operation's most recent posts by stream time."""
    with engine.connect() as connection:
        rows = connection.execute(select(posts.c.record).where(post_collected_by(operation.id))
                                  .order_by(posts.c.created_at.desc()).limit(limit)).scalars()
        return [_decode(row) for row in rows]


#: Share of one core the operation's counts may take: they read all the operation's posts, so a
#: large operation's counts refresh less often.
_COUNT_BUDGET = 0.05
#: Rumours (their latest signals) searched for each listed event's related rumours.
_RUMOURS_RELATED = 50
#: Events, rumours and flags listed, the most urgent of the latest states of up to ``_SCANNED_ITEMS``.
_LISTED = 10
_SCANNED_ITEMS = 50


class Snapshots:
    """Each operation's summary and latest posts, cached for a second so many viewers cost one query set.

    Only what was collected under the operation is shown: the posts and quarantined records its
    ingests stored (``post_operations``, ``quarantine_operations``), the detector signals they
    raised, and its own alerts. The counts
    are refreshed every ``ttl_s`` or, when counting takes longer, every ``cost / _COUNT_BUDGET``
    (about 5 s for 150,000 posts on the development machine). ``area``: the operation's districts,
    drawn on the event map and naming where each event is.
    """

    def __init__(self, engine: Engine, status: StatusProvider | None, redactor: Redactor,
                 ttl_s: float = 1.0, area: AreaMap | None = None) -> None:
        self.engine = engine
        self.area = area
        self.redactor = redactor
        self.status = status
        self.ttl_s = ttl_s
        self._cache: dict[tuple[str, bool], tuple[float, dict[str, Any]]] = {}
        self._counts: dict[str, tuple[float, float, dict[str, Any]]] = {}  # id: (at, ttl, counts)
        self._lock = threading.Lock()

    def get(self, operation: Operation, alerts: bool) -> dict[str, Any]:
        """``alerts``: whether the viewer's role receives alerts (``None`` in the result if not)."""
        now = time.monotonic()
        key = (operation.id, alerts)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and now - cached[0] < self.ttl_s:
            return cached[1]
        value = self._build(operation, alerts)
        with self._lock:
            self._cache = {k: v for k, v in self._cache.items() if now - v[0] < self.ttl_s}
            self._cache[key] = (now, value)
        return value

    def _count(self, operation: Operation) -> dict[str, Any]:
        now = time.monotonic()
        with self._lock:
            cached = self._counts.get(operation.id)
        if cached is not None and now - cached[0] < cached[1]:
            return cached[2]
        in_scope = post_collected_by(operation.id)
        with self.engine.connect() as connection:
            count, latest = connection.execute(
                select(func.count(), func.max(posts.c.created_at)).select_from(posts).where(in_scope)).one()
            authors = connection.execute(select(func.count(func.distinct(posts.c.author_id))).where(in_scope)
                                         ).scalar_one()
            quarantined = connection.execute(select(func.count()).select_from(quarantine)
                                             .where(quarantine_collected_by(operation.id))).scalar_one()
        latest_at = as_utc(latest) if latest is not None else None
        value = {"posts": count, "authors": authors, "quarantined": quarantined,
                 "latest_post_at": latest_at.isoformat() if latest_at else None}
        ttl = max(self.ttl_s, (time.monotonic() - now) / _COUNT_BUDGET)
        with self._lock:
            self._counts = {k: v for k, v in self._counts.items() if now - v[0] < v[1]}
            self._counts[operation.id] = (now, ttl, value)
        return value

    def _build(self, operation: Operation, alerts: bool) -> dict[str, Any]:
        scanned = most_urgent_first(current_signals(self.engine, ("event", "rumour", "coordination"),
                                                    limit=_SCANNED_ITEMS, where=signal_raised_for(operation.id)))
        rows, wordings = one_row_per_verdict(scanned)
        found = rows[:_LISTED]
        left_out = len(rows) - len(found)
        # An event's related rumours may have left the list: they are looked for among the latest 50.
        rumours = current_signals(self.engine, ("rumour",), limit=_RUMOURS_RELATED,
                                  where=signal_raised_for(operation.id))
        related = related_rumours(found, rumours)
        # Both ways: under an event its rumours, under a listed rumour the listed events it is about.
        about: dict[str, list[Signal]] = {}
        for signal in found:
            if signal.kind == "event":
                for rumour in related.get(signal.key, []):
                    about.setdefault(rumour.key, []).append(signal)
        links = {"event": related, "rumour": about}
        signals = [signal_view(s, self.redactor, self.area) | {"related": [related_view(r, self.redactor)
                                                                for r in links.get(s.kind, {}).get(s.key, [])],
                                                    "wordings": wordings_view(wordings.get(s.key), self.redactor)}
                   for s in found]
        located = event_map(signals, self.area)  # numbers the located events ("pin") as the map does
        stats = self.status() if self.status else None
        return {
            **self._count(operation),
            "pipeline": _pipeline_view(stats),
            "latest": [post_view(p, self.redactor, self.area) for p in latest_posts(self.engine, operation, 15)],
            "signals": signals,
            # "12", or "40+" when the scan stopped at its cap: the page says how many it does not show.
            "signals_more": f"{left_out}+" if len(scanned) == _SCANNED_ITEMS else str(left_out) if left_out else None,
            # The newest signal of each detector, listed or not, and what the pipeline held back.
            "limits": detector_limits(scanned) + stream_limits(stats),
            "map": located,
            "alerts": self._alerts(operation) if alerts else None,
        }

    def _alerts(self, operation: Operation) -> list[dict[str, Any]]:
        """The newest alerts; a post alert also shows the post's text, redacted. The stored alert
        (and what webhooks and e-mail receive) holds only the post id."""
        found = latest_alerts(self.engine, 5, operation.id)
        wanted = {a["details"].get("post_id") for a in found if isinstance(a.get("details"), dict)}
        wanted = {post_id for post_id in wanted if isinstance(post_id, str)}
        if not wanted:
            return found
        with self.engine.connect() as connection:
            rows = connection.execute(select(posts.c.record).where(posts.c.id.in_(sorted(wanted)))
                                      .where(post_collected_by(operation.id))).scalars()
            shown = {post.id: self.redactor.post_text(post) for post in map(_decode, rows)}
        for alert in found:
            details = alert.get("details")
            post_id = details.get("post_id") if isinstance(details, dict) else None
            if isinstance(post_id, str) and post_id in shown:
                alert["example"] = shown[post_id][:280]
                # The rule's name reads better than "<rule>: post mastodon:social.example/1093" above the post.
                rule = details.get("rule") if isinstance(details, dict) else None
                if isinstance(rule, str) and rule:
                    alert["headline"] = rule[:200]
        return found
