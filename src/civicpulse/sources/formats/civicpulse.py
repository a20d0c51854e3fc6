"""Our own format (``docs/post-format.md``): one :class:`Post` as JSON per line.

msgspec checks the types; this module then holds the post to the same rules as the platform
mappers, because a file in our format can come from anywhere: timestamps in UTC and within bounds,
usable ids, text and labels cleaned (:mod:`civicpulse.text`), language tags checked. A post that
needs no repair is returned as the very same object (the fast path).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from msgspec.structs import replace

from civicpulse.errors import RecordError
from civicpulse.post import Post, decode_post
from civicpulse.sources.formats import common

__all__ = ["looks_like", "map_line", "map_post"]


def looks_like(obj: dict[str, Any]) -> bool:
    """Whether a decoded JSON object is meant to be a civicpulse post."""
    return "platform" in obj and "author" in obj and "created_at" in obj


def _same_or(value: str | None, cleaned: str | None, changes: dict[str, Any], key: str) -> None:
    if cleaned != value:
        changes[key] = cleaned


def map_post(post: Post, now: datetime) -> Post:
    """``post`` checked and cleaned; raises ``RecordError`` when it breaks a rule it cannot repair."""
    common.check_id(post.id, "post id")
    platform = post.platform
    if not platform or len(platform) > 64 or not platform.isprintable() or ":" in platform:
        raise RecordError(f"platform is not usable: {platform[:40]!r}")
    if not post.id.startswith(platform + ":"):
        raise RecordError(f"post id {post.id[:60]!r} does not start with its platform {platform!r}")
    changes: dict[str, Any] = {}
    flags: common.Flags = []

    created_at = common.to_utc(post.created_at)
    common.check_time(created_at, now)
    if created_at is not post.created_at:
        changes["created_at"] = created_at
    for key in ("reply_to", "repost_of", "quote_of"):
        target = getattr(post, key)
        if target is not None:
            common.check_id(target, key)

    author = post.author
    author_changes: dict[str, Any] = {}
    _same_or(author.id, common.check_author_id(author.id), author_changes, "id")
    for key in ("handle", "display_name", "profile_location"):
        value = getattr(author, key)
        if value is not None:
            _same_or(value, common.name(value), author_changes, key)
    if author.created_at is not None:
        account_created: datetime | None
        try:
            account_created = common.check_time(common.to_utc(author.created_at), now, "author.created_at")
        except RecordError:
            flags.append("author_created_at_invalid")
            account_created = None
        if account_created is not author.created_at:
            author_changes["created_at"] = account_created
    if author_changes:
        changes["author"] = replace(author, **author_changes)

    text = common.post_text(post.text, flags)
    if text != post.text:
        changes["text"] = text
    language = common.language(post.language, flags)
    if language != post.language:
        changes["language"] = language
    if post.media:
        media = tuple(
            m if m.alt_text is None or common.alt_text(m.alt_text) == m.alt_text
            else replace(m, alt_text=common.alt_text(m.alt_text))
            for m in post.media
        )
        if any(a is not b for a, b in zip(media, post.media, strict=True)):
            changes["media"] = media
    if post.geo is not None and post.geo.place_name is not None:
        place = common.name(post.geo.place_name)
        if place != post.geo.place_name:
            changes["geo"] = replace(post.geo, place_name=place)

    if flags:
        previous = post.enrichments.get(common.INGEST_KEY)
        old = previous.get("flags", []) if isinstance(previous, dict) else []
        merged = sorted({*flags, *(f for f in old if isinstance(f, str))})
        changes["enrichments"] = {**post.enrichments, common.INGEST_KEY: {"flags": merged}}
    return post.replace(**changes) if changes else post


def map_line(line: bytes, now: datetime) -> Post:
    """One line of our format as a checked post; raises msgspec errors or ``RecordError``."""
    return map_post(decode_post(line), now)
