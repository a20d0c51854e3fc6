"""The terms a post contributes to burst detection: words, hashtags and location cells.

Kept deliberately cheap (one regex pass, a set of stop words) because it runs on every post at
stream speed. Mentions and links are dropped: a mention names a person, not a story, and links are
unique per post. A post with a location adds a cell term (``cell:53.81,-1.51``, about 1 km), or the
``h3`` cell of a ``places`` enrichment when one is present, so that a burst of posts *from one place*
is a burst like any other.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

from civicpulse.post import Post

__all__ = ["MAX_TERMS_PER_POST", "STOP_WORDS", "adjacent_words", "is_place_cell", "post_terms", "text_terms"]

#: Bound on the terms one post contributes, whatever its length (hostile input).
MAX_TERMS_PER_POST = 40
#: Longest term kept; longer "words" are noise or attacks on memory.
MAX_TERM_CHARS = 40
#: Cell size for ``post.geo`` points, in degrees (0.01 degree of latitude is about 1.1 km).
CELL_DEGREES = 0.01

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_WORD = re.compile(r"#?[^\W\d_][\w'’-]*")
_PLAIN_WORD = re.compile(r"[^\W\d_][\w'’-]*")

STOP_WORDS = frozenset("""
a about above after again all also am an and any are as at be because been before being below but by
can could did do does doing down during each few for from further had has have having he her here hers
him his how i if in into is it its just me more most my no nor not now of off on once only or other our
out over own rt same she should so some such than that the their them then there these they this those
through to too under until up very was we were what when where which while who whom why will with you
your yours yes get got im it's i'm don't can't that's there's what's let's one two just like really
they're we're you're he's she's i've you've we've they've i'll you'll we'll they'll i'd you'd isn't
aren't wasn't weren't doesn't didn't won't wouldn't couldn't shouldn't haven't hasn't hadn't
today tonight right anyone know still going well see out new time back way think need people via
le la les un une des du de et est en au aux ce cette que qui pas pour sur dans par plus avec il elle
on nous vous ils sont je tu mais ou où donc très tout c'est
der die das ein eine und ist im in zu den dem mit von auf für nicht es sich auch an wie bei aus so
noch nur was wir ich er sie hier heute jetzt
el la los las un una y es en de del que por con para se no lo al más muy pero hay esta este
""".split())  # noqa: SIM905 - a word list reads better as text


def is_place_cell(term: str) -> bool:
    """Whether ``term`` is a place ("cell:…", "h3:…" cells, "near:…" districts) rather than a word."""
    return term.startswith(("cell:", "h3:", "near:"))


def post_terms(post: Post) -> list[str]:
    """The distinct terms of ``post`` (lower-case), at most :data:`MAX_TERMS_PER_POST`."""
    terms = text_terms(post.text, MAX_TERMS_PER_POST - 1)
    cell = _cell(post)
    if cell is not None:
        terms.append(cell)  # "cell:…" and "h3:…" can never be word terms (no colon in a word)
    return terms


def text_terms(text: str, limit: int = MAX_TERMS_PER_POST) -> list[str]:
    """The distinct word and hashtag terms of ``text`` (lower-case), at most ``limit``."""
    text = _MENTION.sub(" ", _URL.sub(" ", text[:2000]))
    seen: dict[str, None] = {}
    # A typographic apostrophe is the same letter: "they’re" is "they're", "l’eau" is "l'eau". Both
    # only continue a word, so replacing it first finds the same words, with one replace a text
    # rather than one a word.
    for word in _WORD.findall(text.lower().replace("’", "'")):
        term = word.strip("'-")
        if len(term) < 3 or len(term) > MAX_TERM_CHARS or term in STOP_WORDS:
            continue
        seen[term] = None
        if len(seen) >= limit:
            break
    return list(seen)


def adjacent_words(text: str) -> list[tuple[str, str]]:
    """Each two words of ``text`` that only white space separates, lower-case, as ``text_terms``
    reads them but with short words and stop words kept ("in place", "route fermée")."""
    # A link or mention stands between its neighbours (a NUL is no word and no space).
    text = _MENTION.sub("\0", _URL.sub("\0", text[:2000])).lower().replace("’", "'")
    words = [(m.group().strip("'-"), m.start(), m.end()) for m in _PLAIN_WORD.finditer(text)]
    return [(a, b) for (a, _, end), (b, start, _) in pairwise(words) if a and b and text[end:start].isspace()]


def _cell(post: Post) -> str | None:
    for key, value in post.enrichments.items():
        if key.startswith("places") and isinstance(value, dict):
            h3 = _h3(value)
            if h3 is not None:
                return f"h3:{h3}"
    geo = post.geo
    if geo is None or geo.lat is None or geo.lon is None:
        return None
    return f"cell:{round(geo.lat / CELL_DEGREES) * CELL_DEGREES:.2f},{round(geo.lon / CELL_DEGREES) * CELL_DEGREES:.2f}"


def _h3(value: dict[str, Any]) -> str | None:
    cell = value.get("h3")
    return cell[:32] if isinstance(cell, str) and cell else None
