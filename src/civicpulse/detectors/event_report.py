"""What an event signal says: its title, example, place, rate and growth, from the event's state.

Read by people at a glance (the dashboard's list and map, alert messages), so the title is the
event's own words in the order its example says them, and the example is a post that reads like the
title (:func:`title_terms`, :func:`representative`, :func:`reading_order`).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from civicpulse.detectors.area import AreaMap, is_near_term
from civicpulse.detectors.event_state import Event, EventSettings
from civicpulse.detectors.stats import distinct_count
from civicpulse.detectors.terms import is_place_cell, text_terms

__all__ = ["event_details", "rate", "reading_order", "representative", "title_terms"]

_METRES_PER_DEGREE = 111_320.0


def rate(event: Event, now_bucket: int, settings: EventSettings, windows_ago: int = 0) -> float:
    """Member posts per minute over one window, ``windows_ago`` windows back."""
    per_window = int(settings.window_s / settings.bucket_s)
    high = now_bucket - windows_ago * per_window
    count = sum(n for b, n in event.buckets.items() if high - per_window < b <= high)
    return count * 60.0 / settings.window_s


def event_details(event: Event, status: str, *, clock: float, settings: EventSettings, area: AreaMap | None,
                  degraded: dict[str, int], progress: bool = False) -> dict[str, Any]:
    """The details of the event's signal at stream time ``clock`` (``title`` among them)."""
    now_bucket = int(clock // settings.bucket_s)
    now, before = rate(event, now_bucket, settings), rate(event, now_bucket, settings, 1)
    ranked = [t for t, _ in sorted(event.term_counts.items(), key=lambda kv: (-kv[1], kv[0]))
              if not is_place_cell(t)]
    top_terms = title_terms(event, ranked)
    frequent = ranked[:4]
    example = representative(event.top, top_terms) or event.example
    title = " ".join(reading_order(top_terms, example))
    accounts, estimated = distinct_count(event.author_sketch)
    location = _location(event) or _district_location(event, area)
    details: dict[str, Any] = {
        "status": status,
        "title": title,
        "terms": list(event.terms),
        "words": frequent,
        "first_seen": _iso(event.first_seen),
        "posts": event.posts,
        "original_posts": event.originals,
        "accounts": accounts,
        "accounts_estimated": estimated,
        "rate_per_min": round(now, 2),
        "growth": round(now / before, 2) if before > 0 else None,
        "location": location,
        "languages": dict(sorted(event.languages.items(), key=lambda kv: -kv[1])[:5]),
        "top_posts": [{"id": pid, "text": text, "engagement": score} for score, pid, text in event.top],
        "example": example,
        "progress": progress,
        "raised_by": [{"term": r.term, "rule": r.rule, "posts": r.posts, "expected": r.expected}
                      for r in event.raised_by],
    }
    if area is not None:
        details["places"] = _places(event, area, location)
    if degraded:
        details["degraded"] = dict(degraded)
    return details


def _district_location(event: Event, area: AreaMap | None) -> dict[str, Any] | None:
    """Without geotagged posts, the district its posts named with incident words (the ``near:``
    term it owns): the district's centre and radius."""
    for term in event.terms:
        district = area.district(term) if area is not None and is_near_term(term) else None
        if district is not None:
            return district.location() | {"geotagged": 0}
    return None


def _places(event: Event, area: AreaMap, location: dict[str, Any] | None) -> list[str]:
    """The districts of the operation's area where the event is: those its posts named with
    incident words (the ``near:`` terms it owns), then the one its geotagged centre is in. An
    event rule watching a district reads them (``rule add --kind event --district``)."""
    names = [d.name for t in event.terms if is_near_term(t) and (d := area.district(t)) is not None]
    if location is not None and location.get("geotagged"):
        centre = area.district_at(location["lat"], location["lon"])
        if centre is not None and centre not in names:
            names.append(centre)
    return names


def representative(top: list[tuple[int, str, str]], terms: list[str]) -> str | None:
    """The top post that says most of the event's title words, the most engaged among equals: an
    event can gather nearby stories, and its example should read like its title. One that says at
    most one of them ("Library in Harehills has a new kids corner" for a riot in Harehills) is
    everyday talk the event swept up: ``None``, and the caller shows the post that opened the event."""
    if not top:
        return None

    def said(text: str) -> int:
        found = set(text_terms(text))
        return sum(term in found for term in terms)

    best = max(top, key=lambda item: (said(item[2]), item[0]))
    return best[2] if said(best[2]) >= min(2, len(terms)) else None


def title_terms(event: Event, ranked: list[str], size: int = 4) -> list[str]:
    """The words that name an event: its own (those that burst, or came in new company) that most of
    its posts say, then, if they are fewer than ``size``, the most frequent others of ``ranked`` (its
    posts' words, most frequent first). An event that sweeps up everyday posts naming its district
    is still named by what happened."""
    counts = event.term_counts
    own = {t for t in event.terms if not is_place_cell(t)}
    chosen = sorted(own, key=lambda t: (-counts.get(t, 0), t))[:size]
    chosen += [t for t in ranked if t not in own][: size - len(chosen)]
    return chosen or event.terms[:size]


def reading_order(terms: list[str], example: str) -> list[str]:
    """``terms`` in the order the example says them ("building fire near arriving" rather than "near
    building fire arriving" for "Building on fire near Park Row, fire engines arriving"), the others
    after them as they were: a title read at a glance should read like the post under it."""
    position = {term: i for i, term in reversed(list(enumerate(text_terms(example))))}
    return sorted(terms, key=lambda term: position.get(term, len(position)))


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat()


def _location(event: Event) -> dict[str, float] | None:
    """Mean of the geotagged members, with a radius (two standard deviations, at least 250 m)."""
    n = event.geo_n
    if n == 0:
        return None
    lat, lon = event.geo_sum[0] / n, event.geo_sum[1] / n
    var_lat = max(0.0, event.geo_sum[2] / n - lat * lat)
    var_lon = max(0.0, event.geo_sum[3] / n - lon * lon)
    spread = math.sqrt(var_lat + var_lon * math.cos(math.radians(lat)) ** 2) * _METRES_PER_DEGREE
    return {"lat": round(lat, 5), "lon": round(lon, 5), "radius_m": round(max(250.0, 2 * spread)),
            "geotagged": n}
