"""Writing posts: templates compiled once, filled from two random integers per post.

A post's text is a pure function of its *content* — (kind, reference, sentiment, language, flags,
key a, key b) — where the keys are 63-bit integers drawn in bulk by the generator. Template and slot
choices peel digits off key a (mixed radix: ``divmod`` by each choice's size), decorations off key
b. Because nothing else is consulted, a repost re-renders exactly its root's text from the root's
content fields, and a resumed run that skips the first million posts need not render them at all.

Decorations happen at the scenario's rates (the flags): a code-switched clause in another language,
typos (swapped, dropped or doubled characters), a mention, emoji, hashtags and a link. ``hashtags``,
``mentions`` and ``links`` are returned as the post fields, exactly as they appear in the text.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from civicpulse.errors import ScenarioError
from civicpulse.scenarios.phrases import FALLBACK, Phrasebook, phrasebook

__all__ = [
    "APPEAL",
    "APPEAL_REPLY",
    "BOT",
    "CAMPAIGN",
    "CHATTER",
    "CLAIM",
    "COUNTER",
    "DENIAL",
    "FLAG_BITS",
    "F_CAPS",
    "F_CODESWITCH",
    "F_EMOJI",
    "F_HASHTAG",
    "F_LINK",
    "F_MENTION",
    "F_TYPO",
    "HATE",
    "INCIDENT",
    "INCIDENT_REACTION",
    "OFFICIAL_UPDATE",
    "REACTION",
    "REPLY",
    "RESOLVED",
    "ROUTINE",
    "SENTIMENTS",
    "STANCES",
    "TIP",
    "Context",
    "Rendered",
    "TextBank",
]

# Content kinds: which phrasebook section a post is written from.
(CHATTER, REPLY, BOT, ROUTINE, INCIDENT, INCIDENT_REACTION, OFFICIAL_UPDATE, CLAIM, REACTION, DENIAL, HATE,
 COUNTER, APPEAL, APPEAL_REPLY, TIP, RESOLVED, CAMPAIGN) = range(17)
KINDS = 17

# Decoration flags, in the bit order the generator draws them.
F_TYPO, F_EMOJI, F_HASHTAG, F_LINK, F_MENTION, F_CODESWITCH, F_CAPS = (1 << i for i in range(7))
FLAG_BITS = 7

SENTIMENTS = ("negative", "neutral", "positive")
STANCES = ("support", "query", "deny")

#: (text, hashtags, mentions, links, language)
Rendered = tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...], str]
Part = str | tuple[str, ...]
Template = tuple[Part, ...]

_EMOJI = {
    "negative": ("😡", "😤", "🙄", "😩", "💀", "🤬", "😒"),
    "neutral": ("🤔", "👀", "🤷", "📍", "⏰", "😐"),
    "positive": ("😊", "😍", "👍", "🙌", "❤️", "😂", "🎉", "☀️"),
    "alarm": ("😱", "🚨", "🔥", "⚠️", "🚓", "😰", "🙏", "‼️"),
    "water": ("🌊", "💧", "☔", "😱", "⚠️"),
    "hate": ("🤮", "😡", "🐀", "🚫", "👎", "🤬"),
    "appeal": ("🙏", "💔", "🙏🙏", "❤️", "🤞"),
    "official": ("⚠️", "ℹ️", "👮", "📢"),
    "bot": ("💰", "🔥", "🚀", "✅", "👉", "🎁"),
}
_TOPIC_TAGS = {
    "daily": ("goodmorning", "{city}life"), "traffic": ("traffic", "{city}traffic"), "transport": ("commute",),
    "weather": ("weather", "{city}weather"), "water": ("riverwatch", "{city}"), "sport": ("matchday",),
    "food": ("foodie", "{city}eats"), "culture": ("livemusic", "{city}events"),
}
_BOT_TAGS = ("giveaway", "win", "crypto", "deals", "follow", "free")
_ALPHABET = string.ascii_letters + string.digits
#: Kinds whose phrasebook section is split by sentiment (or, for reactions, stance).
_SECTIONED = frozenset({CHATTER, REPLY, REACTION})


@dataclass
class Context:
    """What the templates of one (kind, reference) pair are filled with."""

    #: The phrasebook section the templates come from (a list, or a dict by sentiment or stance).
    texts: Callable[[Phrasebook], Sequence[str] | dict[str, list[str]]]
    own_texts: dict[str, list[str]] = field(default_factory=dict)
    districts: tuple[str, ...] = ()
    landmarks: tuple[str, ...] = ()
    times: tuple[str, ...] = ("8:15",)
    target: Callable[[str], str] = lambda _language: "those people"
    subject: Callable[[str], str] = lambda _language: "a child"
    hashtags: tuple[str, ...] = ()
    emoji: str = "neutral"
    mentions: tuple[str, ...] = ()
    #: Keep the text as the phrasebook wrote it (officials do not make typos or code-switch).
    careful: bool = False


class TextBank:
    def __init__(self, city: str, languages: Sequence[str], link_domains: Sequence[str],
                 handles: Sequence[str]) -> None:
        self.city = city
        self.languages = tuple(languages)
        self.link_domains = tuple(link_domains)
        self.handles = handles
        self._contexts: dict[tuple[int, int], Context] = {}
        self._sets: dict[tuple[int, int, int, int], tuple[str, tuple[Template, ...], Context]] = {}
        self._cache: dict[tuple[int, ...], Rendered] = {}
        self._others = {lang: tuple(o for o in self.languages if o != lang) for lang in (*self.languages, FALLBACK)}
        self._numbers = ("2", "3", "4", "5", "6", "8", "10", "12", "15", "20")

    def add(self, kind: int, reference: int, context: Context) -> None:
        self._contexts[(kind, reference)] = context

    # -- compiling -------------------------------------------------------------------------------------

    def _compile(self, kind: int, reference: int, sent: int, lang: int) -> tuple[str, tuple[Template, ...], Context]:
        context = self._contexts[(kind, reference)]
        language = self.languages[lang] if 0 <= lang < len(self.languages) else FALLBACK
        raw = self._raw(context, kind, sent, language)
        if not raw and language != FALLBACK:
            language = FALLBACK
            raw = self._raw(context, kind, sent, language)
        if not raw:
            raw = [self.city]
        return language, tuple(self._compile_one(t, context, language) for t in raw), context

    def _raw(self, context: Context, kind: int, sent: int, language: str) -> Sequence[str]:
        if context.own_texts:
            return context.own_texts.get(language, [])
        try:
            book = phrasebook(language)
        except ScenarioError:  # a language with no phrasebook falls back to English
            return []
        texts = context.texts(book)
        if isinstance(texts, dict):  # sectioned by sentiment or stance
            names = STANCES if kind == REACTION else SENTIMENTS
            return list(texts.get(names[sent % len(names)], []))
        return list(texts)

    def _compile_one(self, template: str, context: Context, language: str) -> Template:
        parts: list[Part] = []
        for literal, name, _spec, _conversion in string.Formatter().parse(template):
            if literal:
                parts.append(literal)
            if name is None:
                continue
            options = self._slot(name, context, language)
            parts.append(options[0] if len(options) == 1 else options)
        return tuple(parts)

    def _slot(self, name: str, context: Context, language: str) -> tuple[str, ...]:
        if name == "district":
            return context.districts or (self.city,)
        if name == "landmark":
            return context.landmarks or context.districts or (self.city,)
        if name == "city":
            return (self.city,)
        if name == "time":
            return context.times
        if name == "n":
            return self._numbers
        if name == "target":
            return (context.target(language),)
        if name == "subject":
            return (context.subject(language),)
        return ("",)  # unreachable for validated templates

    # -- rendering -------------------------------------------------------------------------------------

    def render_cached(self, kind: int, reference: int, sent: int, lang: int, flags: int, a: int, b: int) -> Rendered:
        """As :meth:`render`, remembering the result (reposts render the same root many times)."""
        key = (kind, reference, sent, lang, flags, a, b)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) > 20_000:
                self._cache.clear()
            found = self._cache[key] = self.render(kind, reference, sent, lang, flags, a, b)
        return found

    def render(self, kind: int, reference: int, sent: int, lang: int, flags: int, a: int, b: int) -> Rendered:
        key = (kind, reference, sent if kind in _SECTIONED else 0, lang)
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = self._compile(kind, reference, sent, lang)
        language, templates, context = found
        if kind == CAMPAIGN:
            # A campaign round posts one message: ``sent`` carries the round's choice, ``a`` the variations.
            pick = sent % len(templates)
        else:
            a, pick = divmod(a, len(templates))
        link_key = ((a ^ (b << 1)) * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        out: list[str] = []
        for part in templates[pick]:
            if part.__class__ is str:
                out.append(part)
            else:
                a, pick = divmod(a, len(part))
                out.append(part[pick])
        body = "".join(out)
        if body[:1].islower():  # a template that opens with a slot ("{target} are ...")
            body = body[0].upper() + body[1:]
        if flags and not context.careful:
            if flags & F_CODESWITCH:
                b, body = self._code_switch(b, body, language, sent)
            if flags & F_TYPO:
                b, body = _typos(b, body)
            if flags & F_CAPS:
                body = body.upper()
        if not flags & (F_MENTION | F_EMOJI | F_HASHTAG | F_LINK):
            return body, (), (), (), language
        pieces = [body]
        mentions: tuple[str, ...] = ()
        if flags & F_MENTION:
            pool = context.mentions or self.handles
            b, pick = divmod(b, len(pool))
            mentions = (pool[pick],)
            pieces.append(pool[pick])
        if flags & F_EMOJI:
            emoji = _EMOJI[context.emoji if context.emoji != "sentiment" else SENTIMENTS[sent % 3]]
            b, pick = divmod(b, len(emoji))
            b, more = divmod(b, 3)
            pieces.append(emoji[pick] * (2 if more == 2 and not context.careful else 1))
        hashtags: tuple[str, ...] = ()
        if flags & F_HASHTAG and context.hashtags:
            b, pick = divmod(b, len(context.hashtags))
            b, second = divmod(b, len(context.hashtags) * 2)
            hashtags = (context.hashtags[pick],)
            if second < len(context.hashtags) and second != pick:
                hashtags = (context.hashtags[pick], context.hashtags[second])
            pieces.extend("#" + tag for tag in hashtags)
        links: tuple[str, ...] = ()
        if flags & F_LINK:
            # The link has its own digits so that a busy post's decorations cannot exhaust them.
            link_key, pick = divmod(link_key, len(self.link_domains))
            path = []
            for _ in range(7):
                link_key, char = divmod(link_key, len(_ALPHABET))
                path.append(_ALPHABET[char])
            links = (f"https://{self.link_domains[pick]}/{''.join(path)}",)
            pieces.append(links[0])
        return " ".join(pieces), hashtags, mentions, links, language

    def _code_switch(self, b: int, body: str, language: str, sent: int) -> tuple[int, str]:
        others = self._others.get(language, ())
        if not others:
            return b, body
        b, pick = divmod(b, len(others))
        try:
            clauses = phrasebook(others[pick]).code_switch.get(SENTIMENTS[sent % 3], [])
        except ScenarioError:
            return b, body
        if not clauses:
            return b, body
        b, which = divmod(b, len(clauses))
        b, style = divmod(b, 2)
        return b, f"{body}, {clauses[which]}" if style else f"{body} — {clauses[which]}"


def _typos(b: int, body: str) -> tuple[int, str]:
    """One or two slips of the thumb: a swapped, dropped or doubled character."""
    b, count = divmod(b, 3)
    for _ in range(1 + (count == 2)):
        size = len(body)
        if size < 8:
            break
        b, position = divmod(b, size - 3)
        position += 1
        b, kind = divmod(b, 3)
        if kind == 0:
            body = body[:position] + body[position + 1] + body[position] + body[position + 2:]
        elif kind == 1:
            body = body[:position] + body[position + 1:]
        else:
            body = body[:position] + body[position] + body[position:]
    return b, body


def topic_hashtags(topic: str, city_tags: Sequence[str], city: str) -> tuple[str, ...]:
    slug = city.replace(" ", "").replace("-", "")
    own = tuple(tag.replace("{city}", slug) for tag in _TOPIC_TAGS.get(topic, ()))
    return own + tuple(city_tags)


def bot_hashtags(city_tags: Sequence[str]) -> tuple[str, ...]:
    return _BOT_TAGS + tuple(city_tags)
