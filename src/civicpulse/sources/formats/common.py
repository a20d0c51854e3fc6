"""Helpers shared by the format mappers: timestamps, ids, numbers, the ingest flags.

Mappers raise :class:`~civicpulse.errors.RecordError` with a reason a person can act on; the source
turns it into a :class:`~civicpulse.sources.base.Rejected`. Problems with an *optional* field (an
out-of-range coordinate, a malformed language tag) do not reject the post: the field is left out,
the untouched value stays in ``Post.raw``, and the post carries a flag under
:data:`INGEST_KEY` (``{"flags": ["geo_out_of_range", ...]}``) so nothing is dropped silently.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from civicpulse.errors import RecordError
from civicpulse.post import Geo, GeoSource, Metrics
from civicpulse.text import clean_name, clean_text, normalise_hashtag

__all__ = [
    "EARLIEST",
    "FUTURE_TOLERANCE",
    "INGEST_KEY",
    "MAX_ID_CHARS",
    "Failure",
    "Flags",
    "alt_text",
    "as_count",
    "as_str",
    "check_author_id",
    "check_id",
    "check_time",
    "clean_hashtags",
    "ingest_enrichments",
    "language",
    "make_geo",
    "metrics",
    "name",
    "optional_time",
    "parse_timestamp",
    "post_text",
    "to_utc",
]

#: Enrichment key under which sources record what they had to repair or leave out.
INGEST_KEY = "ingest/1"
#: Posts dated before this are rejected: no social-media post is older, and 1970 is a usual
#: "missing date" sentinel.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
#: Posts dated later than *now* plus this are rejected (clock skew and time-zone slips fit inside).
FUTURE_TOLERANCE = timedelta(days=1)
#: Longest id accepted (post ids, author ids, reply/repost/quote targets); the store's columns
#: hold 512 characters, and no platform id comes near this.
MAX_ID_CHARS = 256

_SPACE = re.compile(r"\s")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}")

Flags = list[str]


@dataclass(frozen=True, slots=True)
class Failure:
    """One item of a record that could not become a post: the reason, the item (JSON-compatible;
    ``None`` means the whole record), and where it sits inside the record (``data[3]``)."""

    reason: str
    item: Any = None
    where: str = ""

_NO_METRICS = Metrics()


def as_str(value: Any) -> str | None:
    """``value`` if it is a non-empty string, an int as its decimal string, otherwise ``None``."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def check_id(value: str, what: str) -> str:
    """``value`` if it can be an id: printable, no whitespace, at most :data:`MAX_ID_CHARS`."""
    if not value or len(value) > MAX_ID_CHARS or not value.isprintable() or _SPACE.search(value):
        shown = value[:40] + ("..." if len(value) > 40 else "")
        raise RecordError(f"{what} is not a usable id: {shown!r}")
    return value


def check_author_id(value: str, what: str = "author id") -> str:
    """``value`` cleaned as a one-line label, if usable as an account id (spaces are allowed: some
    exports identify accounts by name; the pseudonymiser hashes it either way)."""
    cleaned = clean_name(value, MAX_ID_CHARS + 1)
    if not cleaned or len(cleaned) > MAX_ID_CHARS:
        shown = value[:40] + ("..." if len(value) > 40 else "")
        raise RecordError(f"{what} is not a usable id: {shown!r}")
    return cleaned


def parse_timestamp(value: Any, what: str = "created_at") -> datetime:
    """An aware UTC datetime from ISO 8601 text (naive means UTC); raises ``RecordError``."""
    if not isinstance(value, str) or not value:
        raise RecordError(f"{what} is missing or not a string")
    if len(value) > 64:
        raise RecordError(f"{what} is not a timestamp: {value[:40]!r}...")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise RecordError(f"{what} is not an ISO 8601 timestamp: {value!r}") from None
    return to_utc(moment, what)


def to_utc(moment: datetime, what: str = "created_at") -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    if moment.tzinfo is UTC:
        return moment
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise RecordError(f"{what} is out of range: {moment.isoformat()}") from None


def check_time(moment: datetime, now: datetime, what: str = "created_at") -> datetime:
    """``moment`` if it lies between :data:`EARLIEST` and ``now`` + :data:`FUTURE_TOLERANCE`."""
    if moment < EARLIEST:
        raise RecordError(f"{what} {moment.isoformat()} is before {EARLIEST.year}: not a real post date")
    if moment > now + FUTURE_TOLERANCE:
        raise RecordError(
            f"{what} {moment.isoformat()} is in the future (now is {now.isoformat(timespec='seconds')})"
        )
    return moment


def optional_time(value: Any, now: datetime) -> datetime | None:
    """A secondary timestamp (an account's creation date): ``None`` when unusable, never an error."""
    if value is None:
        return None
    try:
        return check_time(parse_timestamp(value), now)
    except RecordError:
        return None


def as_count(value: Any) -> int | None:
    """A non-negative int count, or ``None`` (bools, floats, strings and negatives are not counts)."""
    if type(value) is int and 0 <= value < 2**63:
        return value
    return None


def name(value: Any) -> str | None:
    """A cleaned one-line label, or ``None`` for anything that is not a non-empty string."""
    if not isinstance(value, str) or not value:
        return None
    return clean_name(value) or None


def alt_text(value: Any) -> str | None:
    """Media alt text: cleaned, at most 10,000 characters, ``None`` when empty."""
    if not isinstance(value, str):
        return None
    return clean_text(value, 10_000)[0].strip() or None


def metrics(
    *, likes: Any = None, reposts: Any = None, replies: Any = None, quotes: Any = None, views: Any = None
) -> Metrics | None:
    """``Metrics`` from loosely typed counts, or ``None`` when there is none."""
    counts = Metrics(
        likes=as_count(likes),
        reposts=as_count(reposts),
        replies=as_count(replies),
        quotes=as_count(quotes),
        views=as_count(views),
    )
    return None if counts == _NO_METRICS else counts


def post_text(value: str, flags: Flags) -> str:
    text, truncated = clean_text(value)
    if truncated:
        flags.append("text_truncated")
    return text


def language(value: Any, flags: Flags) -> str | None:
    """A BCP 47-looking language tag, or ``None``; ``und`` (undetermined) is ``None``."""
    if value is None or value == "" or value == "und":
        return None
    if isinstance(value, str) and len(value) <= 16 and _LANGUAGE.fullmatch(value):
        return value
    flags.append("language_invalid")
    return None


def clean_hashtags(tags: Iterable[Any]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for tag in tags:
        if isinstance(tag, str):
            cleaned = normalise_hashtag(clean_name(tag, 280))
            if cleaned:
                found[cleaned] = None
    return tuple(found)


def _coordinate(value: Any, bound: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    if not math.isfinite(number) or not -bound <= number <= bound:
        return None
    return number


def make_geo(
    source: GeoSource,
    lat: Any,
    lon: Any,
    place_name: Any,
    flags: Flags,
    accuracy_m: float | None = None,
) -> Geo | None:
    """A ``Geo`` from loosely typed values; bad coordinates are left out and flagged."""
    la = lo = None
    if lat is not None or lon is not None:
        la, lo = _coordinate(lat, 90.0), _coordinate(lon, 180.0)
        if la is None or lo is None:
            flags.append("geo_out_of_range")
            la = lo = None
    place = name(place_name)
    if la is None and place is None:
        return None
    if la is None:
        accuracy_m = None
    return Geo(source=source, lat=la, lon=lo, place_name=place, accuracy_m=accuracy_m)


def ingest_enrichments(flags: Flags) -> dict[str, Any]:
    """The ``enrichments`` a new post starts with: the ingest flags, if there are any."""
    if not flags:
        return {}
    return {INGEST_KEY: {"flags": sorted(set(flags))}}
