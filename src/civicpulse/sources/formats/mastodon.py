"""Mastodon REST API ``Status`` entities (one status per JSON object) to :class:`Post`.

Identity: Mastodon has no global numeric ids. ``id`` and ``account.id`` are local to the server that
answered the API call, and the payload does not say which server that was. What *is* global is the
ActivityPub ``uri`` (``https://origin.example/users/alice/statuses/1099``). So:

* post id: ``mastodon:<origin host>/<origin id>``; the host from ``uri`` (else ``url``) and the id
  from the status itself when its account is local (``acct`` without ``@``, the common case), else
  the last segment of ``uri`` (the origin's own status id on Mastodon, a ULID or UUID on other
  servers; ``mastodon:<host>/u-<sha256 of uri>`` if that segment is unusable). The same status
  fetched through two servers is therefore the same post.
* author id and handle: the full address ``alice@origin.example`` (lower-case), for the same reason;
  a server-local ``account.id`` would merge unrelated people across servers.
* ``reply_to`` and a shallow ``quote`` carry only server-local ids, which resolve to
  ``mastodon:<host>/<id>`` only when the status is local to the answering server; for a remote
  status they are left out and the post flagged ``reply_to_unresolved`` / ``quote_unresolved``
  (the local ids stay in ``raw``).
* ``repost_of`` comes from the nested ``reblog`` status, whose ``uri`` is global.

Text is ``spoiler_text`` (the content warning), a blank line, then ``content`` converted from HTML. A
pure reblog has empty ``content``; its text, tags, mentions, links, media and language are taken
from the reblogged status, the way a Twitter retweet carries the retweeted text.
"""

from __future__ import annotations

import functools
import hashlib
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from civicpulse.errors import RecordError
from civicpulse.post import Author, Media, MediaKind, Post
from civicpulse.sources.formats import common
from civicpulse.sources.formats.html import html_to_text
from civicpulse.text import extract_hashtags, extract_links, extract_mentions, link_host, normalise_link

__all__ = ["PLATFORM", "looks_like", "map_status"]

PLATFORM = "mastodon"

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"(?=.{{1,253}}\Z){_LABEL}(?:\.{_LABEL})*")
_SIMPLE_URL = re.compile(r"https?://([A-Za-z0-9.-]+)(?:/|\Z)", re.IGNORECASE)
_NATIVE = re.compile(r"[A-Za-z0-9_.~-]{1,128}")
_USER = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,126}[A-Za-z0-9_])?")
_MEDIA_KINDS = {
    "image": MediaKind.IMAGE,
    "gifv": MediaKind.VIDEO,
    "video": MediaKind.VIDEO,
    "audio": MediaKind.AUDIO,
}


def looks_like(obj: dict[str, Any]) -> bool:
    """Whether a decoded JSON object is a Mastodon status."""
    return isinstance(obj.get("account"), dict) and ("uri" in obj or "content" in obj)


@functools.lru_cache(maxsize=4096)
def _valid_host(host: str) -> str | None:
    """``host`` as ASCII (IDNA) if it is a plausible host name; cached, hosts repeat a lot."""
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return host if _HOST.fullmatch(host) else None


def _host(url: Any) -> str | None:
    """The host of an http(s) URL, if it is a plausible host name."""
    if not isinstance(url, str):
        return None
    match = _SIMPLE_URL.match(url)  # the usual case, without the general URL split
    host = match.group(1).lower() if match is not None else link_host(url)
    return None if host is None else _valid_host(host)


@functools.lru_cache(maxsize=16384)
def _address(acct: str, fallback_host: str | None) -> str | None:
    """``user@host``, lower-case, from an ``acct`` (``user`` or ``user@host``); cached."""
    user, _, domain = acct.lstrip("@").partition("@")
    host = _valid_host(domain.lower()) if domain else fallback_host
    if host is None or not _USER.fullmatch(user):
        return None
    return f"{user}@{host}".lower()


@functools.lru_cache(maxsize=16384)
def _local_address(acct: str, url: str, fallback_host: str | None) -> str | None:
    """The address of a local account (``acct`` without a domain), its host from its profile URL."""
    return _address(acct, _host(url) or fallback_host)


def _acct(account: dict[str, Any], fallback_host: str | None) -> str:
    """The account's global address, ``user@host``, lower-case."""
    acct = account.get("acct")
    if not isinstance(acct, str) or not acct:
        acct = account.get("username")
        if not isinstance(acct, str) or not acct:
            raise RecordError("account has neither acct nor username")
    if len(acct) > 512:
        raise RecordError(f"account address is not usable: {acct[:80]!r}")
    if "@" not in acct.lstrip("@"):
        url = account.get("url")
        address = _local_address(acct, url, fallback_host) if isinstance(url, str) and len(url) <= 2048 else None
        if address is None:
            fallback_host = _host(account.get("uri")) or fallback_host
            address = _address(acct, fallback_host)
    else:
        address = _address(acct, None)
    if address is None:
        raise RecordError(f"account address is not usable: {acct[:80]!r}")
    return address


def _is_local(status: dict[str, Any]) -> bool:
    account = status.get("account")
    acct = account.get("acct") if isinstance(account, dict) else None
    return isinstance(acct, str) and "@" not in acct.lstrip("@")


def _identity(status: dict[str, Any]) -> tuple[str, str]:
    """``(host, native id)`` of a status on its origin server; see the module docstring."""
    uri, url = status.get("uri"), status.get("url")
    host = _host(uri)
    uri_usable = host is not None
    if host is None:
        host = _host(url)
    if host is None:
        raise RecordError("status has no uri or url with a usable host")
    own = common.as_str(status.get("id"))
    if _is_local(status) or not uri_usable:
        if own is None or not _NATIVE.fullmatch(own):
            raise RecordError(f"status id is not usable: {str(status.get('id'))[:40]!r}")
        return host, own
    assert isinstance(uri, str)
    segments = [s for s in urlsplit(uri).path.split("/") if s]
    if segments and segments[-1] == "activity":
        segments.pop()
    if segments and _NATIVE.fullmatch(segments[-1]):
        return host, segments[-1]
    return host, "u-" + hashlib.sha256(uri.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _post_id(status: dict[str, Any]) -> str:
    host, native = _identity(status)
    return f"{PLATFORM}:{host}/{native}"


def _local_ref(value: Any, status: dict[str, Any], host: str, flags: common.Flags, what: str) -> str | None:
    ref = common.as_str(value)
    if ref is None:
        return None
    if not _is_local(status) or not _NATIVE.fullmatch(ref):
        flags.append(f"{what}_unresolved")
        return None
    return f"{PLATFORM}:{host}/{ref}"


def _author(account: dict[str, Any], fallback_host: str | None, now: datetime) -> Author:
    address = _acct(account, fallback_host)
    return Author(
        id=common.check_id(address, "account address"),
        handle=address,
        display_name=common.name(account.get("display_name")),
        created_at=common.optional_time(account.get("created_at"), now),
        followers=common.as_count(account.get("followers_count")),
        following=common.as_count(account.get("following_count")),
        posts_count=common.as_count(account.get("statuses_count")),
    )


def _body(status: dict[str, Any], flags: common.Flags) -> tuple[str, tuple[str, ...]]:
    """``(text, links)`` of a status: content warning, blank line, content as plain text."""
    content = status.get("content")
    text, links = html_to_text(content) if isinstance(content, str) else ("", ())
    spoiler = status.get("spoiler_text")
    if isinstance(spoiler, str) and spoiler.strip():
        text = f"{spoiler.strip()}\n\n{text}" if text else spoiler.strip()
    return common.post_text(text, flags), links


def _mentions(status: dict[str, Any], text: str) -> tuple[str, ...]:
    mentions = status.get("mentions")
    if not isinstance(mentions, list):
        return extract_mentions(text)
    found: dict[str, None] = {}
    for mention in mentions:
        if isinstance(mention, dict):
            try:
                found[_acct(mention, None)] = None
            except RecordError:
                continue
    return tuple(found)


def _hashtags(status: dict[str, Any], text: str) -> tuple[str, ...]:
    tags = status.get("tags")
    if not isinstance(tags, list):
        return extract_hashtags(text)
    return common.clean_hashtags(tag.get("name") for tag in tags if isinstance(tag, dict))


def _media(status: dict[str, Any]) -> tuple[Media, ...]:
    attachments = status.get("media_attachments")
    if not isinstance(attachments, list):
        return ()
    media: list[Media] = []
    for item in attachments:
        if not isinstance(item, dict):
            continue
        url = item.get("url")
        link = normalise_link(url) if isinstance(url, str) else None
        if link is None:
            remote = item.get("remote_url")
            link = normalise_link(remote) if isinstance(remote, str) else None
        if link is None:
            continue
        kind_name = item.get("type")
        kind = _MEDIA_KINDS.get(kind_name, MediaKind.OTHER) if isinstance(kind_name, str) else MediaKind.OTHER
        alt = item.get("description")
        media.append(Media(kind=kind, url=link, alt_text=common.alt_text(alt)))
    return tuple(media)


def _quote(status: dict[str, Any], host: str, flags: common.Flags) -> str | None:
    quote = status.get("quote")
    if not isinstance(quote, dict):
        return None
    quoted = quote.get("quoted_status")
    if isinstance(quoted, dict):  # Quote entity (Mastodon 4.4+)
        return _post_id(quoted)
    if "quoted_status_id" in quote:  # ShallowQuote
        return _local_ref(quote.get("quoted_status_id"), status, host, flags, "quote")
    if "uri" in quote and isinstance(quote.get("account"), dict):  # older forks: a nested Status
        return _post_id(quote)
    return None


def map_status(status: Any, now: datetime) -> Post:
    """One ``Status`` as a post; raises ``RecordError`` with the reason when it cannot be one."""
    if not isinstance(status, dict):
        raise RecordError("Mastodon status is not a JSON object")
    account = status.get("account")
    if not isinstance(account, dict):
        raise RecordError("status has no account")
    host, native = _identity(status)
    post_id = f"{PLATFORM}:{host}/{native}"  # both parts already checked by pattern
    created_at = common.check_time(common.parse_timestamp(status.get("created_at")), now)
    author = _author(account, host, now)
    flags: common.Flags = []

    repost_of = None
    source = status
    reblog = status.get("reblog")
    if reblog is not None:
        if not isinstance(reblog, dict):
            raise RecordError("reblog is not a status object")
        try:
            repost_of = _post_id(reblog)
        except RecordError as error:
            raise RecordError(f"reblogged status: {error.message}") from None
        content = status.get("content")
        if not (isinstance(content, str) and content.strip()):
            source = reblog

    text, html_links = _body(source, flags)
    links = html_links or extract_links(text)
    # Where a person can see it: the status page, a reblog's original, else the ActivityPub uri.
    url = status.get("url")
    page = normalise_link(url) if isinstance(url, str) else None
    if page is None:
        for candidate in (source.get("url"), source.get("uri")):
            if isinstance(candidate, str):
                page = normalise_link(candidate)
                if page is not None:
                    break
    try:
        quote_of = _quote(status, host, flags)
    except RecordError:
        flags.append("quote_invalid")
        quote_of = None

    return Post(
        id=post_id,
        platform=PLATFORM,
        created_at=created_at,
        author=author,
        text=text,
        url=page,
        language=common.language(source.get("language"), flags),
        reply_to=_local_ref(status.get("in_reply_to_id"), status, host, flags, "reply_to"),
        repost_of=repost_of,
        quote_of=quote_of,
        mentions=_mentions(source, text),
        hashtags=_hashtags(source, text),
        links=links,
        media=_media(source),
        metrics=common.metrics(
            likes=status.get("favourites_count"),
            reposts=status.get("reblogs_count"),
            replies=status.get("replies_count"),
            quotes=status.get("quotes_count"),
        ),
        raw=status,
        enrichments=common.ingest_enrichments(flags),
    )
