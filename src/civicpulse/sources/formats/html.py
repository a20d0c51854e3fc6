"""Platform HTML (Mastodon ``content``) to plain text, safely and in linear time.

The output is plain text: markup is gone, character references are decoded (``&lt;b&gt;`` becomes
the visible text ``<b>``), and ``<script>``, ``<style>`` and similar elements are dropped with their
content. Plain text is inert only as long as displays escape it, as any HTML view must.
Paragraphs and other blocks become blank lines, ``<br>`` a line break, and runs of whitespace one
space (except inside ``<pre>``).

Why not ``html.parser``: CPython's parser is quadratic on some hostile input (on 3.11,
``"<a" * 100_000`` takes about 28 s and ``"<!--" * 50_000`` about 17 s), and it is pure Python at
a few microseconds per tag, five times too slow for the ingest target. This module tokenises with
one regular expression in which no token can scan past the next ``<``, so the work is linear in
the input, and decodes character references with the standard library's ``html.unescape``. A
``<`` that does not open a complete tag is text, as in browsers.
"""

from __future__ import annotations

import re
from html import unescape

from civicpulse.text import normalise_link

__all__ = ["html_to_text"]

# One C pass splits the document into [text, tag, text, tag, ..., text]; a tag is what is between
# '<' and '>' ("p", "/span", 'a href="..."', "!-- comment --"). No part of the pattern can scan past
# the next '<', so the work is linear. A '<' that opens nothing stays in the text.
_SPLIT = re.compile(r"<(/?[A-Za-z][^<>]*|[!?][^<>]*)>")
_TAG = re.compile(r"(/?)([A-Za-z][A-Za-z0-9:-]*)(.*)", re.DOTALL)
_VALUE = r"""\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))"""
_HREF = re.compile(r"(?:^|[\s\"'/])href" + _VALUE, re.IGNORECASE)
_CLASS = re.compile(r"(?:^|[\s\"'/])class" + _VALUE, re.IGNORECASE)
_REL = re.compile(r"(?:^|[\s\"'/])rel" + _VALUE, re.IGNORECASE)
_WHITESPACE = re.compile(r"[ \t\r\n\f]+")
# Structure is marked with \x00 (line break) and \x01 (block) while text is assembled; the input's
# own \x00-\x05 are removed first (control characters, cleaned away later in any case).
# Inside <pre>, whitespace is carried through the collapse as \x02-\x05.
_PROTECT = str.maketrans({"\n": "\x02", " ": "\x03", "\t": "\x04", "\r": "\x05"})
_UNPROTECT = str.maketrans({"\x02": "\n", "\x03": " ", "\x04": "\t", "\x05": "\n"})
_MARKERS = re.compile("[\x00-\x05]")

_BLOCK = frozenset({
    "p", "div", "blockquote", "pre", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
    "tr", "hr", "section", "article", "header", "footer", "figure", "dl", "dt", "dd",
})
_SKIP = frozenset({
    "script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math", "head",
    "title", "textarea", "select",
})
_IGNORE, _BREAK, _PARAGRAPH = 0, 1, 2
# Whole tags as Mastodon writes them, looked up before any parsing (the common case).
_COMMON: dict[str, int] = {
    "p": _PARAGRAPH, "/p": _PARAGRAPH, "br": _BREAK, "br /": _BREAK, "br/": _BREAK,
    "span": _IGNORE, "/span": _IGNORE, "/a": _IGNORE, 'span class="invisible"': _IGNORE,
    'span class="ellipsis"': _IGNORE, 'span class="h-card"': _IGNORE, 'span class=""': _IGNORE,
    "b": _IGNORE, "/b": _IGNORE, "i": _IGNORE, "/i": _IGNORE, "em": _IGNORE, "/em": _IGNORE,
    "strong": _IGNORE, "/strong": _IGNORE, "code": _IGNORE, "/code": _IGNORE, "del": _IGNORE,
    "/del": _IGNORE, "ul": _PARAGRAPH, "/ul": _PARAGRAPH, "ol": _PARAGRAPH, "/ol": _PARAGRAPH,
    "li": _PARAGRAPH, "/li": _PARAGRAPH, "blockquote": _PARAGRAPH, "/blockquote": _PARAGRAPH,
}


def _attribute(pattern: re.Pattern[str], attributes: str) -> str:
    match = pattern.search(attributes)
    if match is None:
        return ""
    value = match.group(1) or match.group(2) or match.group(3) or ""
    return unescape(value) if "&" in value else value


def _link(attributes: str) -> str | None:
    """The http(s) target of an ``<a>`` tag's attributes, unless it is a mention or hashtag link."""
    if "mention" in attributes or "hashtag" in attributes:
        classes = _attribute(_CLASS, attributes)
        if "mention" in classes or "hashtag" in classes:
            return None
    if "tag" in attributes and "tag" in _attribute(_REL, attributes).split():
        return None
    href = _attribute(_HREF, attributes)
    return normalise_link(href) if href else None


def _structure(text: str) -> str:
    """Markers to line breaks: a run holding a block marker, or two or more breaks, is a blank
    line; a single break a line break; spaces next to a marker go."""
    text = text.strip(" \t\x00\x01")  # structure at either end goes, as does surrounding space
    if "\x01" not in text and "\x00" not in text:
        return text
    for space, marker in ((" \x01", "\x01"), ("\x01 ", "\x01"), (" \x00", "\x00"), ("\x00 ", "\x00")):
        if space in text:
            text = text.replace(space, marker)
    while "\x01\x01" in text or "\x00\x01" in text or "\x01\x00" in text or "\x00\x00" in text:
        text = (text.replace("\x00\x01", "\x01").replace("\x01\x00", "\x01")
                .replace("\x00\x00", "\x01").replace("\x01\x01", "\x01"))
    return text.replace("\x01", "\n\n").replace("\x00", "\n")


def _protect(text: str) -> str:
    """Whitespace inside ``<pre>``, hidden from the collapse of runs of whitespace."""
    return text.translate(_PROTECT)


def _needs_collapse(text: str) -> bool:
    return "\n" in text or "  " in text or "\t" in text or "\r" in text or "\f" in text


def html_to_text(html: str) -> tuple[str, tuple[str, ...]]:
    """``(text, links)``: the visible text of ``html``, and the http(s) links it points to (not
    mention or hashtag links), in order, without repeats."""
    if "\x00" in html or "\x01" in html or "\x02" in html or "\x03" in html or "\x04" in html \
            or "\x05" in html:
        html = _MARKERS.sub("", html)
    if "<" not in html:
        text = unescape(html) if "&" in html else html
        return (_WHITESPACE.sub(" ", text) if _needs_collapse(text) else text).strip(), ()
    pieces = _SPLIT.split(html)
    parts: list[str] = [pieces[0]]
    links: dict[str, None] = {}
    skipping = ""  # the element whose content is being dropped
    depth = 0  # its nesting
    pre = 0  # inside <pre>: whitespace is kept
    had_pre = False
    common = _COMMON
    for i in range(1, len(pieces), 2):
        tag = pieces[i]
        action = common.get(tag) if not skipping else None
        if action is None and not skipping and tag[:2] == "a " and not tag.endswith("/"):
            link = _link(tag[2:])  # the usual anchor, without the general tag parse
            if link is not None:
                links[link] = None
            action = _IGNORE
        if action is None:
            match = _TAG.match(tag)
            if match is None:  # a comment, doctype or processing instruction
                action = _IGNORE
            else:
                closing, name, attributes = match.group(1) == "/", match.group(2).lower(), match.group(3)
                action = _IGNORE
                if skipping:
                    if name == skipping:
                        depth += -1 if closing else 1
                        if depth == 0:
                            skipping = ""
                            pieces_after = pieces[i + 1]
                            if pieces_after:
                                parts.append(_protect(pieces_after) if pre else pieces_after)
                    continue
                if name in _SKIP:
                    if not closing and not attributes.endswith("/"):
                        skipping, depth = name, 1
                        continue
                elif name == "br":
                    action = _BREAK
                elif name in _BLOCK:
                    action = _PARAGRAPH
                    if name == "pre":
                        had_pre = True
                        pre = max(0, pre - 1) if closing else pre + 1
                elif name == "a" and not closing:
                    link = _link(attributes)
                    if link is not None:
                        links[link] = None
        if action == _BREAK:
            parts.append("\x00")
        elif action == _PARAGRAPH:
            parts.append("\x01")
        text = pieces[i + 1]
        if text:
            parts.append(_protect(text) if pre else text)
    text = "".join(parts)
    if _needs_collapse(text):
        text = _WHITESPACE.sub(" ", text)
    if had_pre:
        text = text.translate(_UNPROTECT)
    if "&" in text:
        text = unescape(text)
    text = _structure(text).strip()
    return text, tuple(links)
