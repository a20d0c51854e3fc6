"""Text hygiene for attacker-controlled strings, on the ingest hot path.

Every string that came from a platform (post text, display names, alt text, place names) goes
through :func:`clean_text` (multi-line text) or :func:`clean_name` (one-line labels) before it becomes
part of a :class:`~civicpulse.post.Post`. What they do, in order:

1. lone surrogates (possible in a Python ``str``, never in valid UTF-8) become U+FFFD;
2. ``\\r\\n`` and a lone ``\\r`` become ``\\n``;
3. NUL and the other C0 controls except ``\\n`` and ``\\t``, DEL and the C1 controls are removed;
4. the bidi embedding/override/isolate controls U+202A-U+202E and U+2066-U+2069 are removed (they
   reorder what a reader sees, "Trojan Source" style), and so are ZERO WIDTH SPACE U+200B, WORD
   JOINER U+2060 and BOM/ZWNBSP U+FEFF (used to hide words from keyword filters). ZWNJ U+200C and
   ZWJ U+200D are *kept*: emoji sequences, Persian and Indic scripts need them. The bidi *marks*
   LRM/RLM/ALM (U+200E, U+200F, U+061C) are kept too: they are invisible hints, not overrides;
5. the result is NFC-normalised;
6. it is truncated to ``max_chars`` code points (default :data:`MAX_TEXT_CHARS`), and the caller is
   told, so that it can flag the post.

The functions are idempotent (``clean(clean(s)) == clean(s)``), and clean text costs one regex scan
and one ``unicodedata.is_normalized`` check, both in C.

``extract_hashtags`` / ``extract_mentions`` / ``extract_links`` pull entities out of plain text for
sources whose platform does not supply them.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = [
    "MAX_NAME_CHARS",
    "MAX_TEXT_CHARS",
    "MAX_URL_CHARS",
    "clean_name",
    "clean_text",
    "extract_hashtags",
    "extract_links",
    "extract_mentions",
    "link_host",
    "normalise_hashtag",
    "normalise_link",
    "normalise_text",
]

#: Longest post text kept, in code points; longer text is truncated and the post flagged.
MAX_TEXT_CHARS = 100_000
#: Longest one-line label kept (display names, handles, place names).
MAX_NAME_CHARS = 512
#: Longer links are not extracted (hostile input; no real link is this long).
MAX_URL_CHARS = 2048

# Everything that needs work; clean text never matches, which makes the common case one C scan.
_NEEDS_WORK = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2060\u2066-\u2069\ufeff\ud800-\udfff]"
)
_UNSAFE_IN_URL = re.compile(
    "[\\s\x00-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2060\u2066-\u2069\ufeff\ud800-\udfff]"
)
_URL = re.compile(r"(https?)://([^/?#]*)(.*)\Z", re.IGNORECASE | re.DOTALL)
_HOST_CHARS = re.compile(r"[\w.-]+")
_IPV6 = re.compile(r"[0-9A-Fa-f:.]+")
_PORT = re.compile(r":\d{0,5}")
_SURROGATES = re.compile("[\ud800-\udfff]")
_REMOVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
# One-line labels additionally lose line breaks and tabs (they become a single space).
_NAME_NEEDS_WORK = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2060\u2066-\u2069\u2028\u2029\ufeff\ud800-\udfff]"
)
_NAME_SPACES = re.compile("[\t\n\u2028\u2029]+")


def clean_text(s: str, max_chars: int = MAX_TEXT_CHARS) -> tuple[str, bool]:
    """``(cleaned, truncated)``: ``s`` made safe as described in the module docstring."""
    if s.isascii() and s.isprintable() and len(s) <= max_chars:
        return s, False  # no controls, no bidi, nothing to normalise: the common case
    truncated = False
    if len(s) > max_chars * 2:
        # Bound the work on huge input before the regex and NFC passes.
        s = s[: max_chars * 2]
        truncated = True
    if _NEEDS_WORK.search(s) is not None:
        if "\r" in s:
            s = s.replace("\r\n", "\n").replace("\r", "\n")
        s = _SURROGATES.sub("\ufffd", s)
        s = _REMOVE.sub("", s)
    if not s.isascii() and not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)
    if len(s) > max_chars:
        s = s[:max_chars]
        truncated = True
    return s, truncated


def normalise_text(s: str) -> str:
    """``s`` cleaned (see module docstring); use :func:`clean_text` to learn about truncation."""
    return clean_text(s)[0]


def clean_name(s: str, max_chars: int = MAX_NAME_CHARS) -> str:
    """A one-line label (display name, handle, place): :func:`clean_text`, line breaks become
    spaces, surrounding whitespace is stripped, and it is cut to ``max_chars``."""
    if s.isascii() and s.isprintable() and len(s) <= max_chars:
        return s.strip()
    if _NAME_NEEDS_WORK.search(s) is not None:
        s = _NAME_SPACES.sub(" ", s.replace("\r\n", " ").replace("\r", " "))
    return clean_text(s, max_chars)[0].strip()


# --- entities --------------------------------------------------------------------------------------


@functools.cache
def _mark_class() -> str:
    """A regex class body with every combining mark (Mn, Mc, Me) below U+30000, built once, lazily.

    Python's ``\\w`` leaves out combining marks, which would cut Devanagari, Bengali or Thai hashtags
    at their first vowel sign.
    """
    ranges: list[tuple[int, int]] = []
    for cp in range(0x300, 0x30000):
        if unicodedata.category(chr(cp)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                   for a, b in ranges)


@functools.cache
def _hashtag_re() -> re.Pattern[str]:
    marks = _mark_class()
    # Not preceded by a word character, '&' (HTML entity), '/' (URL fragment) or another '#'.
    return re.compile(rf"(?<![\w&/#＃{marks}])[#＃]([\w{marks}\u200c\u200d]+)")


_MENTION = re.compile(
    r"(?<![\w@＠.\-/])[@＠]([A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?)"
    r"(?:@((?:[\w\-]+\.)+[\w\-]+))?"
)
_LINK = re.compile(r"(?i)\bhttps?://[^\s<>\"'`\u00a0\u3000]+")
_LINK_TRAILING = ".,;:!?'\"»”’…。、，！？）"


def normalise_hashtag(tag: str) -> str:
    """A hashtag as stored: no '#', casefolded, NFC, without ZWJ/ZWNJ at its ends."""
    tag = tag.lstrip("#＃").strip("\u200c\u200d").casefold()
    return tag if tag.isascii() else unicodedata.normalize("NFC", tag)


def extract_hashtags(text: str) -> tuple[str, ...]:
    """Hashtags in ``text``, normalised (:func:`normalise_hashtag`), in order, without repeats.

    A tag made only of digits (``#1``) is not a hashtag, as on the platforms.
    """
    if "#" not in text and "＃" not in text:
        return ()
    found: dict[str, None] = {}
    for match in _hashtag_re().finditer(text):
        tag = normalise_hashtag(match.group(1))
        if tag and not tag.isdigit():
            found[tag] = None
    return tuple(found)


def extract_mentions(text: str) -> tuple[str, ...]:
    """Mentioned accounts (``@alice`` -> ``alice``, ``@bob@social.example`` -> ``bob@social.example``),
    lower-cased, in order, without repeats. E-mail addresses are not mentions."""
    if "@" not in text and "＠" not in text:
        return ()
    found: dict[str, None] = {}
    for match in _MENTION.finditer(text):
        user, domain = match.group(1), match.group(2)
        handle = f"{user}@{domain}" if domain else user
        found[handle.lower()] = None
    return tuple(found)


def _split_link(url: str) -> tuple[str, str, str, str, str] | None:
    """``(scheme, userinfo@, host, :port, rest)`` of an http(s) URL, or ``None``."""
    if len(url) > MAX_URL_CHARS or _UNSAFE_IN_URL.search(url) is not None:
        return None
    match = _URL.match(url)
    if match is None:
        return None
    scheme, netloc, rest = match.groups()
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("["):  # an IPv6 literal
        close = hostport.find("]")
        host, port = hostport[: close + 1], hostport[close + 1 :]
        if close < 0 or not _IPV6.fullmatch(host[1:-1]):
            return None
    else:
        host, colon, port = hostport.partition(":")
        port = colon + port
        if not _HOST_CHARS.fullmatch(host):
            return None
    if port and not _PORT.fullmatch(port):
        return None
    return scheme.lower(), userinfo + at, host.lower(), port, rest


def normalise_link(url: str) -> str | None:
    """``url`` with lower-cased scheme and host, or ``None`` when it is not a usable http(s) URL
    (another scheme such as ``javascript:``, no host, control or bidi characters, over
    :data:`MAX_URL_CHARS`)."""
    parts = _split_link(url.strip())
    if parts is None:
        return None
    scheme, userinfo, host, port, rest = parts
    return f"{scheme}://{userinfo}{host}{port}{rest}"


def link_host(url: str) -> str | None:
    """The lower-cased host of an http(s) URL, or ``None``."""
    parts = _split_link(url.strip())
    return None if parts is None else parts[2]


def extract_links(text: str) -> tuple[str, ...]:
    """http(s) links in ``text``, in order, without repeats; trailing punctuation is not part of a
    link, nor is an unbalanced closing bracket."""
    if "://" not in text:
        return ()
    found: dict[str, None] = {}
    for match in _LINK.finditer(text):
        url = match.group(0)
        if len(url) > MAX_URL_CHARS + 64:
            continue
        while url:
            last = url[-1]
            unbalanced = (last == ")" and url.count("(") < url.count(")")) or (
                last == "]" and url.count("[") < url.count("]")
            )
            if last in _LINK_TRAILING or unbalanced:
                url = url[:-1]
            else:
                break
        link = normalise_link(url)
        if link is not None:
            found[link] = None
    return tuple(found)
