"""How the dashboard presents a post, an event, a rumour or a flag: plain values for the page and its
live updates, computed from stored records.

Everything here quotes attacker-controlled text (posts, titles, stored enrichments): the page only
ever shows it as text. Post text passes through the redactor (``governance.redaction``), and the
analysers' readings are labelled as guesses, never findings.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from civicpulse.analysers.flags import CONFIDENT_AT, flag_of
from civicpulse.detectors.area import AreaMap
from civicpulse.detectors.base import Signal
from civicpulse.governance.redaction import Redactor
from civicpulse.pipeline.runner import PipelineStats
from civicpulse.post import Post

__all__ = ["MAX_MAP_DISTRICTS", "SPARK_BUCKETS", "detector_limits", "event_map", "post_view", "readings", "signal_view",
           "stream_limits"]


def post_view(post: Post, redactor: Redactor, area: AreaMap | None = None) -> dict[str, Any]:
    """What the dashboard shows of a post: pseudonymised author, the people its text names hidden
    (``governance.redaction``), no link (it holds the author's handle), no raw payload; with the
    operation's ``area``, a grey badge for the district it names or is geotagged in."""
    return {
        "id": post.id,
        "created_at": post.created_at.isoformat(),
        "author": post.author.id,
        "official": bool(post.author.official),
        "text": redactor.post_text(post),
        "language": post.language,
        "hashtags": list(post.hashtags),
        "place": post.geo.place_name if post.geo else None,
        "readings": readings(post.enrichments) + _district_badges(post, area),
    }


def _district_badges(post: Post, area: AreaMap | None) -> list[dict[str, str]]:
    """The districts of the operation's area the post names (by name or landmark), or else the one
    it is geotagged in: a lookup, not a model's guess."""
    if area is None:
        return []
    named = sorted(area.named_in(post.text))
    if named:
        return [{"kind": "info", "text": name[:60], "title": "a district of the operation's area this post names"}
                for name in named[:2]]
    geo = post.geo
    if geo is None or geo.lat is None or geo.lon is None:
        return []
    inside = area.district_at(geo.lat, geo.lon)
    title = "the district of the operation's area this post is geotagged in"
    return [{"kind": "info", "text": inside[:60], "title": title}] if inside else []


_GUESS = "a model's guess, for a person to read; never a finding"


#: Whom an offensive post is aimed at (OLID levels B and C), as the badge says it. Abuse aimed at a
#: group is what a hate-crime unit looks for first, and the hate model knows only two groups.
_AIMED_AT = {"person": "at a person", "group": "at a group", "others": "at others"}
_TARGET_NOTE = "; whom it is aimed at is a second model's guess (OLID levels B and C)"


def _top(value: Mapping[str, Any]) -> tuple[str, float] | None:
    """The label of a classifier's result and its probability; ``None`` for "unsupported" and the like."""
    label, probs = value.get("label"), value.get("probs")
    if not isinstance(label, str) or not isinstance(probs, Mapping):
        return None
    p = probs.get(label)
    return (label, float(p)) if isinstance(p, int | float) else None


def readings(enrichments: Mapping[str, Any]) -> list[dict[str, str]]:
    """What the analysers read in a post, as short badges: ``{"kind": "flag"|"maybe"|"info", "text",
    "title"}``.

    Flags (offensive, hate) come first, "maybe" when below the model's confident probability
    (:data:`~civicpulse.analysers.flags.CONFIDENT_AT`); sentiment, emotion, how often the text was seen and the place
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
        flag = flag_of(key, value)
        if flag is not None and flag.probability is not None:
            target = _AIMED_AT.get(flag.target or "")
            aimed = f" · {target}" if target else ""
            if flag.confident:
                flags.append({"kind": "flag", "text": f"{name} {flag.probability:.0%}{aimed}",
                              "title": f"{source}{_TARGET_NOTE if target else ''}: {_GUESS}"})
            else:
                flags.append({"kind": "maybe", "text": f"possibly {name} {flag.probability:.0%}{aimed}",
                              "title": f"{source}{_TARGET_NOTE if target else ''}: below {CONFIDENT_AT[key]:.0%}, "
                                       f"where most of its flags on everyday posts are wrong; {_GUESS}"})
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


def signal_view(signal: Signal, redactor: Redactor, area: AreaMap | None = None) -> dict[str, Any]:
    """An event or rumour as the dashboard lists it: its title, numbers and, for an event, the text of
    its most engaged post (an event's title is its burst terms, "shot harehills police share", which
    the post makes readable), and where it is, named by the district of the operation's ``area`` its
    centre lies in. Titles and examples quote posts: attacker-controlled, shown as text only, and
    redacted like a post."""
    details = signal.details
    accounts = details.get("accounts")
    title = redactor.text(str(details.get("title") or details.get("example") or signal.summary)[:200])
    where = _where(details.get("location"))
    example = details.get("example") if signal.kind == "event" else None
    return {
        "kind": signal.kind,
        "key": signal.key,
        "status": str(details.get("status", "for review" if signal.kind == "coordination" else "")),
        "title": title,
        "location": _location_text(where, details.get("location"), area),
        "pace": _pace_text(details) if signal.kind == "event" else None,
        "languages": _languages_text(details.get("languages")) if signal.kind == "event" else None,
        "where": where if signal.kind == "event" else None,
        "stance": _stance_text(details.get("stance")) if signal.kind == "rumour" else None,
        "places": _places_text(details.get("places")) if signal.kind == "rumour" else None,
        "spread": _spread(details.get("curve")) if signal.kind == "rumour" else None,
        "evidence": _why(signal.kind, details, redactor, area),
        "example": redactor.text(example[:280]) if isinstance(example, str) and example else None,
        "first_seen": first_seen if isinstance(first_seen := details.get("first_seen"), str) and first_seen
        else signal.at.isoformat(),
        "at": signal.at.isoformat(),
        "posts": details.get("posts"),
        # Coordination flags list the accounts (pseudonyms); the dashboard shows only how many.
        "accounts": accounts if isinstance(accounts, int) else details.get("account_count"),
        # A large event counts its accounts with a sketch (about 6 % error): shown as "≈".
        "accounts_estimated": details.get("accounts_estimated") is True,
    }


#: The list's order, what may need someone now first. While they change, live items are reported
#: again every minute, so by update time alone ten growing or fading events would push an event that
#: emerged two minutes ago off the list. Coordination flags (no status) rank with the live items.
_URGENCY = {"emerging": 0, "active": 1, "spreading": 1, "denied": 1, "confirmed": 1, "fading": 2, "closed": 3}


def most_urgent_first(signals: list[Signal]) -> list[Signal]:
    """Emerging items, then active or spreading ones and coordination flags, then fading, then
    closed; within each, in the order given (most recently updated first)."""
    return sorted(signals, key=lambda s: _URGENCY.get(str(s.details.get("status")), 1))


#: At most this many other wordings are named under the rumour that stands for them.
_WORDINGS_NAMED = 3


def one_row_per_verdict(signals: list[Signal]) -> tuple[list[Signal], dict[str, tuple[int, list[str]]]]:
    """Rumours answered by the same official post, as one row: the first of them (the list's order)
    stands for the rest, which it names (how many, and the first few titles).

    One claim runs as several rumours, one per wording and language, and a denial reaches them all
    (``RumourDetector._match_verdict``): without this, one denied dam rumour in eight languages and
    phrasings fills eight of the ten rows and pushes the events off the list."""
    kept: list[Signal] = []
    first: dict[str, Signal] = {}
    others: dict[str, tuple[int, list[str]]] = {}
    for signal in signals:
        verdict = signal.details.get("verdict_post") if signal.kind == "rumour" else None
        if not isinstance(verdict, str) or not verdict:
            kept.append(signal)
            continue
        lead = first.get(verdict)
        if lead is None:
            first[verdict] = signal
            kept.append(signal)
            continue
        count, titles = others.get(lead.key, (0, []))
        title = signal.details.get("title")
        if isinstance(title, str) and len(titles) < _WORDINGS_NAMED:
            titles.append(title[:280])
        others[lead.key] = (count + 1, titles)
    return kept, others


#: What a detector's ``degraded`` counters mean for the analyst (anything else is shown by its name).
_LIMITS = {
    "account_capped": "posts over an account's per-minute cap not counted",
    "identical_capped": "identical posts over the per-minute cap not counted (they still join their event)",
    "outside_window": "posts dated too far in the past or future not counted",
    "events_capped": "new events not opened because the most that may be open were",
    "events_closed_for_room": "quiet events closed early to make room for new ones",
    "vocabulary_capped": "words not counted because the vocabulary was full",
    "pairs_capped": "word pairs not counted because their memory was full",
    "flooded_posts": "posts over an account's cap on one rumour not counted",
    "late_posts": "posts that arrived late",
    "future_posts": "posts dated ahead of the stream",
    "bad_posts": "malformed posts skipped",
    "clock_backwards": "times the stream's clock went backwards (ignored)",
}
#: Housekeeping that loses nothing an analyst would miss.
_NOT_LIMITS = frozenset({"baseline_pruned", "pair_baseline_pruned", "flooded_posts_in_rumour"})


def detector_limits(signals: list[Signal]) -> list[str]:
    """What the event and rumour detectors had to leave out so far ("events: 120 posts over an
    account's per-minute cap not counted"), from the newest signal of each (their counters only
    grow): bad input degrades what they see, and the page must say so."""
    out: list[str] = []
    for kind, name in (("event", "events"), ("rumour", "rumours")):
        newest = max((s for s in signals if s.kind == kind), key=lambda s: s.at, default=None)
        degraded = newest.details.get("degraded") if newest is not None else None
        if not isinstance(degraded, Mapping):
            continue
        parts = [f"{n:,} {_LIMITS.get(str(key), str(key)[:40])}" for key, count in sorted(degraded.items())
                 if str(key) not in _NOT_LIMITS and (n := _count(count))]
        if parts:
            out.append(f"{name}: {'; '.join(parts)}")
    return out


def stream_limits(stats: PipelineStats | None) -> list[str]:
    """Posts whose dates the pipeline did not let move stream time: a source with a wrong clock."""
    if stats is None or not stats.dated_ahead:
        return []
    return [f"pipeline: {stats.dated_ahead:,} posts dated ahead of the stream (a source's clock may be wrong) "
            f"waited for the stream to reach their time; {stats.shown_early:,} were shown before it"]


def wordings_view(found: tuple[int, list[str]] | None, redactor: Redactor) -> dict[str, Any] | None:
    """The other wordings a listed rumour stands for (:func:`one_row_per_verdict`): how many, and the
    first titles (posts: redacted, text only)."""
    if found is None:
        return None
    count, titles = found
    return {"count": count, "titles": [redactor.text(title[:120]) for title in titles]}


def related_view(signal: Signal, redactor: Redactor) -> dict[str, str]:
    """A rumour as listed under an event it relates to, or an event under a rumour: its title (a
    rumour's is a post: redacted, text only) and status, "Police shot a teenager in Harehills? (denied)"."""
    details = signal.details
    title = redactor.text(str(details.get("title") or signal.summary)[:120])
    return {"title": title, "status": str(details.get("status", ""))[:20]}


def _where(location: object) -> dict[str, float] | None:
    """An event's estimated centre and radius as numbers, for the map."""
    if not isinstance(location, Mapping):
        return None
    lat, lon, radius = (_finite(location.get(k)) for k in ("lat", "lon", "radius_m"))
    if lat is None or lon is None or radius is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return {"lat": lat, "lon": lon, "radius_m": max(0.0, radius)}


#: The event map's box in SVG user units, and the scale bar lengths it may use (km).
MAP_WIDTH, MAP_HEIGHT, MAP_PAD = 360, 220, 24
_SCALE_KM = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
_KM_PER_DEGREE = 111.32
_LABEL_GAP = 12.0
#: Districts drawn at most, and the characters of a name shown: a force's whole area would be a tangle.
MAX_MAP_DISTRICTS = 30
_DISTRICT_NAME_CHARS = 32
#: The least margin around the events within which districts are drawn (km).
_CONTEXT_KM = 2.0
#: Rough width of a character of a district's name (SVG units), to keep names from printing over each other.
_CHAR_PX = 5.5

_Disc = tuple[float, float, float]  # x and y in km east and south of a common origin, radius in km


def event_map(signals: list[dict[str, Any]], area: AreaMap | None = None) -> dict[str, Any] | None:
    """Where the listed events are, as a north-up picture with no background map (it must work on an
    air-gapped network): a circle per located event (its estimated centre and radius), numbered as the
    list numbers them (``pin`` is set on each located signal view), and a scale bar. With the
    operation's ``area``, the districts in and around the events (all of them, while no event is
    located) are drawn beneath, named, so that "2" reads as "in Harehills". ``None`` when there is
    nothing to draw. Numbers only: the page draws it."""
    located = [view for view in signals if view.get("where")]
    district_shapes = area.districts if area is not None else ()
    if not located and not district_shapes:
        return None
    lats = [v["where"]["lat"] for v in located] or [d.lat for d in district_shapes]
    shrink = math.cos(math.radians(sum(lats) / len(lats)))

    def disc(lat: float, lon: float, radius_km: float) -> _Disc:
        # Equirectangular: fine at city scale.
        return lon * shrink * _KM_PER_DEGREE, -lat * _KM_PER_DEGREE, radius_km

    events = [disc(v["where"]["lat"], v["where"]["lon"], v["where"]["radius_m"] / 1000) for v in located]
    districts = _districts_reached(events, [(d.name, disc(d.lat, d.lon, d.radius_km)) for d in district_shapes])
    discs = events + [shape for _, shape in districts]
    west, east, north, south = _box(discs)
    span = max(east - west, south - north, 0.5)
    scale = min(MAP_WIDTH - 2 * MAP_PAD, MAP_HEIGHT - 2 * MAP_PAD) / span  # px per km
    left = (MAP_WIDTH - (east - west) * scale) / 2
    top = (MAP_HEIGHT - (south - north) * scale) / 2

    def drawn(shape: _Disc) -> tuple[float, float, float]:
        x, y, r = shape
        return round(left + (x - west) * scale, 1), round(top + (y - north) * scale, 1), round(max(4.0, r * scale), 1)

    circles: list[dict[str, Any]] = []
    for n, (view, shape) in enumerate(zip(located, events, strict=True), 1):
        view["pin"] = n
        cx, cy, r = drawn(shape)
        # Events in one district share a centre: their numbers step right instead of printing over each other.
        lx = cx
        while any(abs(lx - c["lx"]) < _LABEL_GAP and abs(cy - c["ly"]) < _LABEL_GAP for c in circles):
            lx += _LABEL_GAP
        circles.append({"n": n, "x": cx, "y": cy, "r": r, "lx": lx, "ly": cy, "status": view["status"]})
    bar_km = max([km for km in _SCALE_KM if km * scale <= MAP_WIDTH / 4] or [_SCALE_KM[0]])
    label = f"Map of {len(circles)} located event{'' if len(circles) == 1 else 's'}"
    if districts:
        label += f" over {len(districts)} district{'' if len(districts) == 1 else 's'} of the operation's area"
    return {"width": MAP_WIDTH, "height": MAP_HEIGHT, "label": label, "circles": circles,
            "districts": _district_labels([(name, *drawn(shape)) for name, shape in districts],
                                          [(c["lx"], c["ly"]) for c in circles]),
            "scale": {"px": round(bar_km * scale, 1), "label": f"{bar_km:g} km"}}


def _box(discs: list[_Disc]) -> tuple[float, float, float, float]:
    """West, east, north and south edges (km) of the box around ``discs``."""
    return (min(x - r for x, _, r in discs), max(x + r for x, _, r in discs),
            min(y - r for _, y, r in discs), max(y + r for _, y, r in discs))


def _districts_reached(events: list[_Disc], districts: list[tuple[str, _Disc]]) -> list[tuple[str, _Disc]]:
    """The districts whose circle comes within half the size of the located events' box (at least
    :data:`_CONTEXT_KM`) of it, so that the neighbours of a lone district show where it is; the
    nearest centre first (all of them while no event is located), at most :data:`MAX_MAP_DISTRICTS`."""
    if not events:
        return districts[:MAX_MAP_DISTRICTS]
    west, east, north, south = _box(events)
    margin = max(_CONTEXT_KM, (east - west) / 2, (south - north) / 2)

    def gap(shape: _Disc) -> float:
        x, y, _ = shape
        return math.hypot(max(west - x, 0.0, x - east), max(north - y, 0.0, y - south))

    reached = sorted((gap(shape), name, shape) for name, shape in districts if gap(shape) <= shape[2] + margin)
    return [(name, shape) for _, name, shape in reached[:MAX_MAP_DISTRICTS]]


def _district_labels(districts: list[tuple[str, float, float, float]],
                     numbers: list[tuple[float, float]]) -> list[dict[str, Any]]:
    """Each district's circle and the line its name goes on: inside the top of the circle, else just
    above or below it, the first that prints over no event's number (``numbers``) and no name
    already placed (else inside the top, as a last resort)."""
    placed: list[dict[str, Any]] = []
    for name, x, y, r in districts:
        label = name if len(name) <= _DISTRICT_NAME_CHARS else name[: _DISTRICT_NAME_CHARS - 1] + "…"
        half = len(label) * _CHAR_PX / 2

        def clear(ty: float, x: float = x, half: float = half) -> bool:
            return (not any(abs(ty - ny) < _LABEL_GAP and abs(x - nx) < half + _LABEL_GAP / 2 for nx, ny in numbers)
                    and not any(abs(ty - p["ty"]) < _LABEL_GAP and abs(x - p["x"]) < half + p["half"] for p in placed))

        lines = [round(y - r + 10, 1), round(y - r - 6, 1), round(y + r + 8, 1)] if r >= 16 else \
            [round(y - r - 6, 1), round(y + r + 8, 1)]
        ty = next((line for line in lines if clear(line)), lines[0])
        placed.append({"name": label, "x": x, "y": y, "r": r, "ty": ty, "half": half})
    return [{k: v for k, v in p.items() if k != "half"} for p in placed]


def _location_text(where: Mapping[str, float] | None, location: object, area: AreaMap | None = None) -> str | None:
    """An event's estimated place as a control room reads it: "Harehills, 53.81109, -1.51339 (within
    3.1 km, 89 geotagged posts)", named by the district of ``area`` its centre is in (coordinates
    alone outside every district, or without an area), or "Rusholme, 53.45600, -2.22400 (within
    1.0 km, the district its posts name)"; ``None`` without one. ``where`` is :func:`_where` of the
    stored ``location``."""
    if where is None:
        return None
    radius = where["radius_m"]
    reach = f"{radius / 1000:.1f} km" if radius >= 1000 else f"{radius:.0f} m"
    n = _count(location.get("geotagged")) if isinstance(location, Mapping) else None
    district = location.get("district") if isinstance(location, Mapping) else None
    point = f"{where['lat']:.5f}, {where['lon']:.5f}"
    if isinstance(district, str) and district and not n:
        # No geotagged post: the district its posts named, from the operation's area.
        return f"{district[:80]}, {point} (within {reach}, the district its posts name)"
    basis = f", {n} geotagged post{'' if n == 1 else 's'}" if n is not None else ""
    named = area.district_at(where["lat"], where["lon"]) if area is not None else None
    return f"{named[:80] + ', ' if named else ''}{point} (within {reach}{basis})"


def _places_text(places: object) -> str | None:
    """The districts of the operation's area a rumour's wordings name, "Moss Side, Hulme": a wording
    may name only a landmark ("near Moss Lane East"), so its title need not say where it is."""
    if not isinstance(places, list | tuple):
        return None
    names = [p[:80] for p in places if isinstance(p, str) and p.strip()]
    if not names:
        return None
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _pace_text(details: Mapping[str, Any]) -> str | None:
    """How fast an open event is going, "42 posts a minute, ×2.1 on the 2 minutes before": is it
    getting bigger? ``None`` once closed (its last rate says nothing about now)."""
    rate = _finite(details.get("rate_per_min"))
    if rate is None or rate < 0 or details.get("status") == "closed":
        return None
    text = f"{rate:,.0f} posts a minute" if rate >= 1 else "under 1 post a minute"
    growth = _finite(details.get("growth"))
    if growth is not None and growth > 0 and rate >= 1:
        text += f", ×{growth:.1f} on the 2 minutes before"
    return text


#: A language shown beside an event is at least this share of its posts (a stray post is not a crowd).
_LANGUAGE_SHARE = 0.05


def _languages_text(languages: object) -> str | None:
    """An event's languages by share, "fr 62 % · de 30 % · en 8 %", when more than one holds at
    least 5 % of its posts (a crowd writing in several languages may need more than one reader)."""
    if not isinstance(languages, Mapping):
        return None
    counts = [(str(code)[:8], n) for code, value in languages.items() if (n := _count(value))]
    total = sum(n for _, n in counts)
    shown = sorted(((code, n) for code, n in counts if total and n >= _LANGUAGE_SHARE * total), key=lambda kv: -kv[1])
    if len(shown) < 2:
        return None
    return " · ".join(f"{code} {100 * n / total:.0f} %" for code, n in shown[:4])


_STANCES = ("support", "deny", "query", "comment")

#: The sparkline's box, in SVG user units, and how many of the newest buckets it draws.
SPARK_WIDTH, SPARK_HEIGHT, SPARK_BUCKETS = 160, 28, 72


def _evidence(details: Mapping[str, Any]) -> str | None:
    """What a coordination flag rests on, in one line: "17 accounts within 0.7 min (32 in the group) ·
    why: 82% created within 7 days of each other · bot-like: 6% of 17 scored (mean 0.23) · accounts
    created over 179 days (middle 80 %)". The reasons are the detector's indicators of accounts that
    may not be independent; none is a finding about anyone."""
    parts: list[str] = []
    group, span = _count(details.get("account_count")), _finite(details.get("span_s"))
    judged = _count(details.get("new_accounts"))
    accounts = judged if judged is not None else group
    if accounts is not None and span is not None:
        whole = f" ({group:,} in the group)" if group is not None and group != accounts else ""
        parts.append(f"{accounts:,} accounts within {span / 60:.1f} min{whole}")
    if reasons := flag_reasons(details):
        parts.append("why: " + "; ".join(reasons))
    bots = details.get("bot_likeness")
    if isinstance(bots, Mapping):
        share, scored, mean = _finite(bots.get("share_bot_like")), _count(bots.get("scored")), _finite(bots.get("mean"))
        if share is not None and scored:
            average = f" (mean {mean:.2f})" if mean is not None else ""
            parts.append(f"bot-like: {share:.0%} of {scored:,} scored{average}")
    created = details.get("account_creation")
    if isinstance(created, Mapping) and (days := _finite(created.get("span_days_middle_80"))) is not None:
        parts.append(f"accounts created over {days:,.0f} days (middle 80 %)")
    return " · ".join(parts) or None


def _why(kind: str, details: Mapping[str, Any], redactor: Redactor, area: AreaMap | None) -> str | None:
    """The evidence a signal was raised on, in one line, by its kind."""
    if kind == "coordination":
        return _evidence(details)
    if kind == "event":
        return _raised_by(details, redactor, area)
    return _hedged(details) if kind == "rumour" else None


def _raised_by(details: Mapping[str, Any], redactor: Redactor, area: AreaMap | None) -> str | None:
    """Why an event was raised, in one line: "raised on: “smoke” in 14 posts in 2 min, where about
    0.3 are usual · incident words naming Rusholme in 3 posts in 2 min, …". Terms are words of posts
    (attacker-controlled, redacted like a title); at most five, as the detector keeps them. Words
    that met the same rule in a group of posts (new company, a first story) are named together."""
    reasons = details.get("raised_by")
    if not isinstance(reasons, list):
        return None
    parts: list[str] = []
    grouped: dict[str, tuple[list[str], list[int], list[float]]] = {}
    for reason in reasons[:5]:
        if not isinstance(reason, Mapping) or not isinstance(term := reason.get("term"), str):
            continue
        posts, expected, rule = _count(reason.get("posts")), _finite(reason.get("expected")), reason.get("rule")
        if posts is None:
            continue
        shown = redactor.text(term[:60])
        if rule in ("new_words", "new_company"):
            words, counts, usual = grouped.setdefault(rule, ([], [], []))
            words.append(f"“{shown}”")
            counts.append(posts)
            usual.append(expected or 0.0)
            continue
        if rule == "district":
            district = area.district(term) if area is not None else None
            what = f"incident words naming {district.name if district else shown.removeprefix('near:')}"
        else:
            what = f"“{shown}”" + (" (incident vocabulary)" if rule == "incident_words" else "")
        parts.append(f"{what} in {posts} posts in 2 min{_usual(expected)}")
    if "new_company" in grouped:
        words, counts, usual = grouped["new_company"]
        parts.append(f"{', '.join(words)} said with words of recent news for the first time, in "
                     f"{_span(counts)} posts in 2 min{_usual(max(usual))}")
    if "new_words" in grouped:
        words, counts, _ = grouped["new_words"]
        parts.append(f"{max(counts)} accounts sharing words seen rarely or never before: {', '.join(words)}")
    return "raised on: " + " · ".join(parts) if parts else None


def _hedged(details: Mapping[str, Any]) -> str | None:
    """Why a rumour is one, in one line: "raised on: claims hedged with “can anyone confirm” (30
    posts), “reportedly” (12)". The hedges come from a fixed list of phrases, as written in posts."""
    hedges = details.get("hedges")
    if not isinstance(hedges, list):
        return None
    said = [(hedge["phrase"][:40], posts) for hedge in hedges[:3]
            if isinstance(hedge, Mapping) and isinstance(hedge.get("phrase"), str)
            and (posts := _count(hedge.get("posts"))) is not None]
    if not said:
        return None
    return "raised on: claims hedged with " + ", ".join(
        f"“{phrase}” ({posts}{' posts' if n == 0 else ''})" for n, (phrase, posts) in enumerate(said))


def _usual(expected: float | None) -> str:
    if expected is None:
        return ""
    return ", where almost none are usual" if expected < 0.1 else f", where about {expected:.1f} are usual"


def _span(counts: list[int]) -> str:
    low, high = min(counts), max(counts)
    return f"{low}" if low == high else f"{low}–{high}"


def flag_reasons(details: Mapping[str, Any]) -> list[str]:
    """The reasons a coordination flag gives ("77% created within 7 days of each other"), as stored:
    strings only, at most four of 120 characters (stored details may come from a crafted import)."""
    indicators = details.get("indicators")
    reasons = indicators.get("reasons") if isinstance(indicators, Mapping) else None
    return [r[:120] for r in reasons[:4] if isinstance(r, str)] if isinstance(reasons, list) else []


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _stance_text(stance: object) -> str | None:
    """A rumour's replies and quotes by stance, "deny 12 · support 3 · query 2 · comment 30"; the
    stance model's guesses (docs/models/stance.md), not a count of people who know the truth."""
    if not isinstance(stance, Mapping):
        return None
    counts = [(k, stance.get(k)) for k in _STANCES]
    shown = [f"{k} {v:,}" for k, v in counts if (n := _count(v)) is not None and n > 0]
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
