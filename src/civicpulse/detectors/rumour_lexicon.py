"""Cue phrases and the claim tokeniser of the rumour detector (English, French, Spanish, German).

Hedges mark an *unverified* claim ("reportedly", "il paraît que", "dicen que", "angeblich");
denials and confirmations are what an official account says about one. The tokeniser keeps the
content words that tell one claim from another (places, actors, events) and drops function words,
hedges, mentions, links and hashtags (hashtags are shared by everything in an incident, so they
would merge unrelated claims).
"""

from __future__ import annotations

import re

__all__ = ["CONFIRMATION", "DENIAL", "FOLDED_APART", "HEDGE", "claim_tokens", "hedge_phrase", "strip_repost_prefix"]

_HEDGE_PATTERN = (
    r"\b(?:reportedly|apparently|allegedly|unconfirmed|unverified|rumou?r(?:s|ed)? (?:that|is|are|of)|"
    r"(?:is|was) (?:it|this|that) (?:true|real)|are (?:they|these) (?:true|real)|"
    r"i (?:just )?heard (?:that|they|there|someone)|heard (?:that|they|there|someone)|"
    r"hearing (?:that|there|they|reports)|"
    r"reports? (?:that|of|say|says|suggest)|can (?:anyone|someone|somebody) confirm|"
    r"(?:cousin|mate|friend|brother|sister|neighbour|neighbor) (?:says|said|reckons)|word is|"
    r"people (?:are )?saying|they(?:'re| are) saying|"
    r"il para[iî]t|on dit que|para[iî]t-il|apparemment|selon des rumeurs|c'est vrai que|"
    r"quelqu'un peut confirmer|j'ai entendu|non confirm[ée]e?s?|"
    r"dicen que|al parecer|supuestamente|se rumorea|(?:es|será) (?:verdad|cierto) que|he oído|oí que|"
    r"seg[uú]n dicen|alguien (?:puede )?confirma|sin confirmar|"
    r"angeblich|ha(?:b|be) gehört|stimmt es|gerüchte?|unbestätigt\w*|es heißt|"
    r"kann (?:das )?jemand bestätigen)\b")
HEDGE = re.compile(_HEDGE_PATTERN, re.IGNORECASE)
#: The same phrases, for lower-case text. Searched case-insensitively, the phrases cost the rumour
#: detector about 10 µs a post (Python's matcher folds the case of every character it tries), a
#: tenth of all the detectors' time; searched in the text's lower case, 3.
_HEDGE_LOWER = re.compile(_HEDGE_PATTERN)
#: The only characters that case-insensitive matching of these phrases and ``str.lower()`` treat
#: differently: "İ" lower-cases to two characters, and the matcher takes "ı" for "i" and "ſ" for
#: "s" (a test checks every code point). In a text without them, ``HEDGE`` finds what
#: ``_HEDGE_LOWER`` finds in its lower case, at the same place.
FOLDED_APART = re.compile("[\u0130\u0131\u017f]")

DENIAL = re.compile(
    r"\b(?:false|untrue|not true|no truth|fake|hoax|misinformation|disinformation|incorrect|"
    r"(?:is|are) not (?:true|accurate|correct)|we (?:can )?deny|denied|"
    r"faux|fausses?|infond[ée]e?s?|d[ée]mentons|d[ée]menti|intox|"
    r"falso|falsos|falsa|no (?:es|son) ciert[oa]s?|bulo|desmentimos|desmentido|"
    r"falsch|stimm(?:t|en) nicht|dementier\w*|unwahr)\b",
    re.IGNORECASE)

CONFIRMATION = re.compile(
    r"\b(?:we (?:can )?confirm|(?:has|have) been confirmed|is confirmed|confirmed that|"
    r"nous confirmons|confirmons|"
    r"confirmamos|est[aá] confirmado|"
    r"wir best[aä]tigen|ist best[aä]tigt)\b",
    re.IGNORECASE)

_REPOST_PREFIX = re.compile(r"^RT @\w+:\s*")
_CLEAN = re.compile(r"https?://\S+|www\.\S+|[@#]\w+")
_WORD = re.compile(r"[^\W\d_]{3,}")

# Function words and rumour boilerplate (hedges, "share", "confirm") in the four languages.
_STOP_WORDS = """
the and for are but not you your all any can had her was one our out has have been some there their they this
that these those with from what when where which who will would could should about into over than then them
just like get got now its it's also very really still here more most only such our ours off too why how yes
was were being does did doing done this near tonight today anyone someone somebody everyone share sharing lock
doors before delete says said say saying hear heard hearing true real apparently reportedly allegedly reports
report confirm can confirm whole cousin mate friend people coming gone going les des une est pas que qui dans
pour sur par avec plus tout tous son ses aux elle ils vrai paraît dit los las una del que por con para como
esta este son dicen parecer verdad está están der die das und ist nicht ein eine dem den des mit von auf für
sich wird sind hat angeblich gehört stimmt
"""
_STOP = frozenset(_STOP_WORDS.split())


def hedge_phrase(text: str) -> str | None:
    """The first hedge of ``text`` ("reportedly", "heard that"), lower case with single spaces;
    ``None`` without one. The same answer as ``HEDGE.search``, three times sooner."""
    found = HEDGE.search(text) if FOLDED_APART.search(text) else _HEDGE_LOWER.search(text.lower())
    return " ".join(found.group().lower().split()) if found else None


def strip_repost_prefix(text: str) -> str:
    """``"RT @someone: claim"`` -> ``"claim"``."""
    return _REPOST_PREFIX.sub("", text, count=1)


def claim_tokens(text: str) -> frozenset[str]:
    """Content words of a claim, lower-cased, at most 24 (the first ones: the claim comes first)."""
    words = _WORD.findall(_CLEAN.sub(" ", text[:500]).lower())
    out: list[str] = []
    for w in words:
        if w not in _STOP and w not in out:
            out.append(w)
            if len(out) == 24:
                break
    return frozenset(out)
