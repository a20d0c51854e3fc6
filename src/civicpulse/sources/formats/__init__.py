"""Record formats: one JSON value in, posts and failures out.

==============  ==========================================================  =========================
format          what one JSON line holds                                    module
==============  ==========================================================  =========================
``civicpulse``  one :class:`~civicpulse.post.Post` (``docs/post-format.md``)  :mod:`.civicpulse`
``twitter-v2``  a twarc2 response page, or one flattened tweet              :mod:`.twitter`
``mastodon``    one REST API ``Status``                                     :mod:`.mastodon`
``auto``        any of the above, recognised line by line (the default)     :func:`detect`
==============  ==========================================================  =========================

A line may also hold a JSON array of such objects (a Mastodon timeline response, say); each element
is mapped on its own. :func:`decode_line` never raises: what cannot become a post comes back as a
:class:`Failure` with a reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from civicpulse.errors import RecordError, UsageError
from civicpulse.post import Post
from civicpulse.sources.formats import civicpulse, mastodon, twitter
from civicpulse.sources.formats.common import Failure

__all__ = ["FORMATS", "Failure", "check_format", "decode_line", "detect", "json_failure", "map_object"]

#: Format names a source accepts.
FORMATS: tuple[str, ...] = ("auto", "civicpulse", "twitter-v2", "mastodon")

_PLATFORM_KEY = b'"platform"'
_decode_any = msgspec.json.Decoder()


def check_format(name: str) -> str:
    if name not in FORMATS:
        raise UsageError(f"unknown input format {name!r}", fix=f"use one of: {', '.join(FORMATS)}")
    return name


def detect(obj: Any) -> str | None:
    """The format of a decoded JSON object, or ``None`` when it is none of ours."""
    if not isinstance(obj, dict):
        return None
    if civicpulse.looks_like(obj):
        return "civicpulse"
    if mastodon.looks_like(obj):
        return "mastodon"
    if twitter.looks_like(obj):
        return "twitter-v2"
    return None


def json_failure(line: bytes, error: Exception) -> Failure:
    """The failure for a line that is not valid JSON, saying exactly why."""
    if isinstance(error, RecursionError):
        return Failure("malformed JSON: nested too deeply")
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as bad:
        return Failure(f"invalid UTF-8 at byte {bad.start} of the line (is the file UTF-8?)")
    return Failure(f"malformed JSON: {error}")


def _as_civicpulse(obj: Any, now: datetime) -> Post:
    try:
        post = msgspec.convert(obj, Post)
    except msgspec.ValidationError as error:
        raise RecordError(f"not a valid civicpulse post: {error}") from None
    return civicpulse.map_post(post, now)


def map_object(obj: Any, fmt: str, now: datetime) -> list[Post | Failure]:
    """Posts and failures for one decoded JSON value in format ``fmt``."""
    if isinstance(obj, list):
        results: list[Post | Failure] = []
        for index, element in enumerate(obj):
            if isinstance(element, list):
                results.append(Failure("a JSON array inside an array is not a record", element, f"[{index}]"))
                continue
            for result in map_object(element, fmt, now):
                if isinstance(result, Failure):
                    item = element if result.item is None else result.item
                    where = f"[{index}]" + (f" {result.where}" if result.where else "")
                    result = Failure(result.reason, item, where)
                results.append(result)
        return results
    kind = detect(obj) if fmt == "auto" else fmt
    try:
        if kind == "twitter-v2":
            return twitter.map_record(obj, now)
        if kind == "mastodon":
            return [mastodon.map_status(obj, now)]
        if kind == "civicpulse":
            return [_as_civicpulse(obj, now)]
    except RecordError as error:
        return [Failure(error.message)]
    if not isinstance(obj, dict):
        return [Failure(f"a JSON {type(obj).__name__} is not a record")]
    return [Failure("unrecognised record: not a civicpulse post, a Twitter v2 tweet or page, "
                    "or a Mastodon status")]


def _decode(line: bytes, fmt: str, now: datetime) -> list[Post | Failure]:
    if fmt == "civicpulse" or (fmt == "auto" and _PLATFORM_KEY in line):
        # Fast path: typed decoding straight into a Post, no intermediate dict.
        try:
            return [civicpulse.map_line(line, now)]
        except RecordError as error:
            return [Failure(error.message)]
        except msgspec.ValidationError as error:
            if fmt == "civicpulse":
                return [Failure(f"not a valid civicpulse post: {error}")]
            # auto: maybe another format that mentions "platform"; decode generically below.
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as error:
            return [json_failure(line, error)]
    try:
        obj = _decode_any.decode(line)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as error:
        return [json_failure(line, error)]
    return map_object(obj, fmt, now)


def decode_line(line: bytes, fmt: str, now: datetime) -> list[Post | Failure]:
    """Posts and failures for one line of JSON; never raises for any input."""
    try:
        return _decode(line, fmt, now)
    except Exception as error:  # a bug, not bad input: still quarantine the line, never crash the run
        return [Failure(f"internal error while mapping ({type(error).__name__}: {error}); please report")]
