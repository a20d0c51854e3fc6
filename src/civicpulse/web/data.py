"""What the dashboard shows, always of one operation: counts, latest posts, signals and alerts.

Authors appear as their pseudonyms only (the keyed hash the store holds), and the people a post's
text names are hidden the same way (``governance.redaction``); raw payloads and clear identities are
never read here.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Engine, func, select

from civicpulse.detectors.base import Signal
from civicpulse.detectors.storage import current_signals
from civicpulse.governance.clock import as_utc
from civicpulse.governance.operations import Operation
from civicpulse.governance.redaction import Redactor
from civicpulse.governance.scope import post_collected_by, quarantine_collected_by, signal_raised_for
from civicpulse.pipeline.runner import PipelineStats
from civicpulse.post import Post
from civicpulse.store.schema import posts, quarantine
from civicpulse.web.alerts import latest_alerts

__all__ = ["Snapshots", "StatusProvider", "latest_posts", "post_view", "readings", "signal_view"]

StatusProvider = Callable[[], PipelineStats | None]
_decode = msgspec.json.Decoder(Post).decode


def post_view(post: Post, redactor: Redactor) -> dict[str, Any]:
    """What the dashboard shows of a post: pseudonymised author, the people its text names hidden
    (``governance.redaction``), no link (it holds the author's handle), no raw payload."""
    return {
        "id": post.id,
        "created_at": post.created_at.isoformat(),
        "author": post.author.id,
        "official": bool(post.author.official),
        "text": redactor.post_text(post),
        "language": post.language,
        "hashtags": list(post.hashtags),
        "place": post.geo.place_name if post.geo else None,
        "readings": readings(post.enrichments),
    }


_GUESS = "a model's guess, for a person to read; never a finding"


def _top(value: Mapping[str, Any]) -> tuple[str, float] | None:
    """The label of a classifier's result and its probability; ``None`` for "unsupported" and the like."""
    label, probs = value.get("label"), value.get("probs")
    if not isinstance(label, str) or not isinstance(probs, Mapping):
        return None
    p = probs.get(label)
    return (label, float(p)) if isinstance(p, int | float) else None


def readings(enrichments: Mapping[str, Any]) -> list[dict[str, str]]:
    """What the analysers read in a post, as short badges: ``{"kind": "flag"|"info", "text", "title"}``.

    Flags (offensive, hate) come first; sentiment, emotion, how often the text was seen and the place
    follow only where they say something (a neutral post gets no sentiment badge). ``title`` names the
    analyser version and says that it is a guess: the screen must not read like a verdict on a person.
    Crisis relevance is left out: it knows the six disasters of CrisisLex T6, and on a city's everyday
    talk it calls brunch plans on-topic and "cars set alight" off-topic (``docs/models/crisis.md``)."""
    flags: list[dict[str, str]] = []
    info: list[dict[str, str]] = []
    for key, value in enrichments.items():
        if not isinstance(value, Mapping):
            continue
        name = key.split("/", 1)[0]
        # Stored enrichments are shown as text only; a re-ingested export could carry any strings.
        profile = f", {value['profile'][:20]} profile" if isinstance(value.get("profile"), str) else ""
        source = f"{key[:40]}{profile}"
        top = _top(value)
        if name in ("offensive", "hate") and top and top[0] == name:
            flags.append({"kind": "flag", "text": f"{name} {top[1]:.0%}", "title": f"{source}: {_GUESS}"})
        elif name == "sentiment" and top and top[0] in ("negative", "positive"):
            info.append({"kind": "info", "text": top[0], "title": f"{source}: sentiment, {_GUESS}"})
        elif name == "emotion" and top and top[1] >= 0.5:
            info.append({"kind": "info", "text": top[0][:30], "title": f"{source}: emotion, {_GUESS}"})
        elif name == "near_duplicates" and isinstance(value.get("size"), int) and value["size"] >= 3:
            info.append({"kind": "info", "text": f"seen ×{value['size']}",
                         "title": f"{source}: near-identical posts so far (boilerplate, or a copy-paste "
                                  "campaign: see the coordination flags)"})
        elif name == "places" and isinstance(value.get("places"), list) and value["places"]:
            first = value["places"][0]
            if isinstance(first, Mapping) and isinstance(first.get("name"), str):
                info.append({"kind": "info", "text": first["name"][:60],
                             "title": f"{source}: place named in the post or its author's profile, {_GUESS}"})
    return flags + info


def signal_view(signal: Signal, redactor: Redactor) -> dict[str, Any]:
    """An event or rumour as the dashboard lists it: its title, numbers and, for an event, the text of
    its most engaged post (an event's title is its burst terms, "shot harehills police share", which
    the post makes readable). Titles and examples quote posts: attacker-controlled, shown as text
    only, and redacted like a post."""
    details = signal.details
    accounts = details.get("accounts")
    title = redactor.text(str(details.get("title") or details.get("example") or signal.summary)[:200])
    example = details.get("example") if signal.kind == "event" else None
    return {
        "kind": signal.kind,
        "key": signal.key,
        "status": str(details.get("status", "for review" if signal.kind == "coordination" else "")),
        "title": title,
        "location": _location_text(details.get("location")),
        "stance": _stance_text(details.get("stance")) if signal.kind == "rumour" else None,
        "spread": _spread(details.get("curve")) if signal.kind == "rumour" else None,
        "example": redactor.text(example[:280]) if isinstance(example, str) and example else None,
        "first_seen": details.get("first_seen") or signal.at.isoformat(),
        "at": signal.at.isoformat(),
        "posts": details.get("posts"),
        # Coordination flags list the accounts (pseudonyms); the dashboard shows only how many.
        "accounts": accounts if isinstance(accounts, int) else details.get("account_count"),
    }


def _location_text(location: object) -> str | None:
    """An event's estimated place as a control room reads it: "53.81109, -1.51339 (within 3.1 km, 89
    geotagged posts)"; ``None`` without one."""
    if not isinstance(location, Mapping):
        return None
    lat, lon, radius = (_finite(location.get(k)) for k in ("lat", "lon", "radius_m"))
    if lat is None or lon is None or radius is None:
        return None
    reach = f"{radius / 1000:.1f} km" if radius >= 1000 else f"{radius:.0f} m"
    n = location.get("geotagged")
    basis = f", {n} geotagged posts" if isinstance(n, int) else ""
    return f"{lat:.5f}, {lon:.5f} (within {reach}{basis})"


_STANCES = ("support", "deny", "query", "comment")

#: The sparkline's box, in SVG user units, and how many of the newest buckets it draws.
SPARK_WIDTH, SPARK_HEIGHT, SPARK_BUCKETS = 160, 28, 72


def _stance_text(stance: object) -> str | None:
    """A rumour's replies and quotes by stance, "deny 12 · support 3 · query 2 · comment 30"; the
    stance model's guesses (docs/models/stance.md), not a count of people who know the truth."""
    if not isinstance(stance, Mapping):
        return None
    counts = [(k, stance.get(k)) for k in _STANCES]
    shown = [f"{k} {v:,}" for k, v in counts if isinstance(v, int) and not isinstance(v, bool) and v > 0]
    return " · ".join(shown) or None


def _spread(curve: object) -> dict[str, Any] | None:
    """A rumour's posts per bucket as an SVG polyline (``points``), buckets without posts drawn at
    zero, the newest :data:`SPARK_BUCKETS` of them; with the peak and the bucket length for its label."""
    if not isinstance(curve, list):
        return None
    counts: dict[float, int] = {}
    for bucket in curve:
        if not isinstance(bucket, Mapping) or not isinstance(bucket.get("start"), str):
            continue
        try:
            start = datetime.fromisoformat(bucket["start"]).timestamp()
        except ValueError:
            continue
        posts = bucket.get("posts")
        if isinstance(posts, int) and not isinstance(posts, bool) and posts >= 0:
            counts[start] = counts.get(start, 0) + posts
    if len(counts) < 2:
        return None
    starts = sorted(counts)
    step = min(b - a for a, b in itertools.pairwise(starts))
    first = max(starts[0], starts[-1] - step * (SPARK_BUCKETS - 1))
    n = round((starts[-1] - first) / step) + 1
    series = [0] * n
    for start, posts in counts.items():
        if start >= first:
            series[min(n - 1, round((start - first) / step))] += posts
    peak = max(series)
    if peak == 0:
        return None
    points = " ".join(f"{SPARK_WIDTH * i / (n - 1):.1f},{SPARK_HEIGHT - (SPARK_HEIGHT - 2) * v / peak - 1:.1f}"
                      for i, v in enumerate(series))
    return {"points": points, "peak": peak, "bucket_minutes": round(step / 60), "buckets": n}


def _finite(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


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


class Snapshots:
    """Each operation's summary and latest posts, cached for a second so many viewers cost one query set.

    Only what was collected under the operation is shown: the posts and quarantined records its
    ingests stored (``post_operations``, ``quarantine_operations``), the detector signals they
    raised, and its own alerts. The counts
    are refreshed every ``ttl_s`` or, when counting takes longer, every ``cost / _COUNT_BUDGET``
    (about 5 s for 150,000 posts on the development machine).
    """

    def __init__(self, engine: Engine, status: StatusProvider | None, redactor: Redactor,
                 ttl_s: float = 1.0) -> None:
        self.engine = engine
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
        found = current_signals(self.engine, ("event", "rumour", "coordination"),
                                where=signal_raised_for(operation.id))
        return {
            **self._count(operation),
            "pipeline": _pipeline_view(self.status() if self.status else None),
            "latest": [post_view(p, self.redactor) for p in latest_posts(self.engine, operation, 15)],
            "signals": [signal_view(s, self.redactor) for s in found],
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
        return found
