"""Personal data in post text: e-mail addresses, phone numbers, payment cards, IBANs, street
addresses and person names, as ``(start, end, kind)`` spans, for redaction in exports and governance.

Precision comes first: a plain number, a date, a time, a price or an IP address is never a card or a
phone. Cards must pass the Luhn check and start with a real issuer prefix; IBANs must have their
country's length and pass the ISO 13616 mod-97 check; phones must be written the way people write
phones (international ``+``/``00`` prefix, a national trunk ``0``, or the US/Spanish groupings).
Names come from honorific or role words ("Dr Jane Smith", "Officer Khan"), self-introductions ("my
name is …", "je m'appelle …") and, when an ``entities`` analyser ran earlier, its PERSON spans.

Offsets are Python string indices (code points) into ``Post.text``. Every pattern is bounded and
anchored at a token boundary, so a hostile 100,000-character text costs linear time.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from civicpulse.analysers.base import Analyser
from civicpulse.post import Post
from civicpulse.registry import analysers

__all__ = ["KINDS", "PersonalDataAnalyser", "Span", "find_personal_data", "iban_valid", "kind_label", "luhn_valid",
           "redact"]


class Span(NamedTuple):
    start: int
    end: int
    kind: str


#: Kinds, in the order they win when two spans overlap.
KINDS = ("email", "iban", "card", "phone", "address", "person")
_PRIORITY = {kind: i for i, kind in enumerate(KINDS)}

# -- e-mail ------------------------------------------------------------------------------------------
_EMAIL = re.compile(
    r"(?<![\w.%+-])[\w.%+-]{1,64}@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.){1,8}[^\W\d_]{2,24}(?![\w-])")

# -- numbers: one candidate pattern, then each kind's own validation ---------------------------------
# A run of digits and single separators, optionally after + or a parenthesised area code.
_NUMBER = re.compile(r"(?<![\w+.,/-])(?:\+|\(\d{1,5}\)[ ]?)?\d(?:[ ./-]?\(?\d\)?){5,22}(?![\w]|[.,/:-]\d)")
_NON_DIGIT = re.compile(r"\D")
_ANY_DIGIT = re.compile(r"\d")
#: Day-month-year or year-month-day with a four-digit year, whatever the separator.
_DATE = re.compile(r"(?<!\d)(?:\d{1,2}([./ -])\d{1,2}\1(?:19|20)\d\d|(?:19|20)\d\d([./ -])\d{1,2}\2\d{1,2})(?!\d)")
_IP = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_US = re.compile(r"(?:\+?1[ .-]?)?(?:\([2-9]\d\d\)[ ]?|[2-9]\d\d[ .-])\d{3}[ .-]\d{4}")
_ES = re.compile(r"[6789]\d\d(?: \d{3} \d{3}| \d\d \d\d \d\d)")
_CARD_GROUPS = re.compile(r"\d{4}([ -]?)\d{4}\1\d{4}\1\d{1,7}|\d{4}([ -]?)\d{6}\2\d{4,5}")
_ISSUER = re.compile(r"4|5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)|3[47]|3(?:0[0-5]|[689])|6(?:011|5|4[4-9]|2)|5[06-9]")

# -- IBAN ----------------------------------------------------------------------------------------------
#: Country code -> IBAN length (ISO 13616 registry, SWIFT release 2024).
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
    "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
    "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
    "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}
_IBAN = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})(\d\d)((?:[ ]?[A-Za-z0-9]){8,32})")
_ALNUM_CHAR = re.compile(r"[A-Za-z0-9]")

# -- street addresses ----------------------------------------------------------------------------------
_CAP = r"[^\W\d_a-zß-ÿ][\w'’-]*"  # a capitalised word
_HOUSE = r"\d{1,5}(?:[A-Za-z]\b|[ ](?:bis|ter)\b)?"
_EN_STREET = (r"Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Close|Way|Place|Pl|Court|Ct|Terrace|"
              r"Crescent|Boulevard|Blvd|Grove|Gardens|Square|Sq|Parade|Mews")
_FR_STREET = r"rue|avenue|av\.|boulevard|bd|place|allée|impasse|chemin|quai|cours|route|passage"
_LATIN_STREET = (r"Calle|C/|Avenida|Avda\.|Plaza|Paseo|Carrer|Camino|Travesía|Via|Viale|Piazza|Corso|"
                 r"Vicolo|Largo|Piazzale")
_ADDRESS = re.compile(
    # en: "221B Baker Street", "12 Harehills Lane"
    rf"\b{_HOUSE},?[ ](?!(?:A|An|The)\b)(?:{_CAP}[ ]){{1,3}}(?:{_EN_STREET})\b\.?"
    # fr: "12 rue de la Paix", "5 bis, avenue Victor Hugo"
    rf"|\b{_HOUSE},?[ ](?i:{_FR_STREET})[ ](?:(?:de|du|des|la|le|l'|d')[ ]?){{0,3}}{_CAP}(?:[ ]{_CAP}){{0,3}}"
    # es/it/ca: "Calle Mayor 5", "Via Giuseppe Garibaldi, 12", "C/ Alcalá 23"
    rf"|\b(?:{_LATIN_STREET})[ ]?(?:(?:de|del|de la|dei|della|delle|di)[ ])?{_CAP}"
    rf"(?:[ ](?:(?:de|del|la|di)[ ])?{_CAP}){{0,3}},?[ ]n?º?[ ]?\d{{1,4}}[A-Za-z]?\b(?![.,]\d)"
    # de/nl: "Hauptstraße 5", "Berliner Str. 12a", "Prinsengracht 263", "Am Markt 3"
    r"|\b(?:[^\W\d_a-zß-ÿ][\w-]*[ ])?(?:Str\.|Straße|Strasse|Weg|Allee|Platz|Gasse|Damm|"
    r"[^\W\d_a-zß-ÿ][\w-]*(?:straße|strasse|str\.|weg|allee|platz|gasse|damm|ufer|"
    r"straat|laan|plein|gracht|kade|singel|dijk|steeg))[ ]\d{1,5}[a-zA-Z]?\b",
)

# -- person names --------------------------------------------------------------------------------------
_NAME = rf"{_CAP}(?:[ ](?:(?:van|von|de|der|den|da|di|del|la|le|bin|ibn|al|el)[ ])?{_CAP}){{0,2}}"
#: Abbreviated titles, which may carry a full stop ("Dr. Jane Smith").
_ABBREVIATIONS = r"Mr|Mrs|Ms|Mx|Dr|Prof|Mme|Mlle|Sr|Sra|Srta|Sig|Sig\.ra|Dott|Dhr|Mevr|PC|Sgt|Cllr|Rev|Capt"
_TITLES = (r"Miss|Professor|Sir|Dame|Lord|Lady|Madame|Monsieur|Señor|Señora|Don|Doña|Herr|Frau|Signor|Signora|"
           r"Mevrouw|Officer|Constable|Sergeant|Inspector|Detective|Superintendent|Commissioner|"
           r"Chief Constable|Mayor|Councillor|Minister|Senator|Judge|Father|Reverend|Pastor|Imam|Rabbi|Captain|"
           r"Kommissar|Commissaire|Agente|Bürgermeister|Burgemeester|Maire|Alcalde|Sindaco")
_PERSON = re.compile(
    rf"\b(?:(?:{_ABBREVIATIONS})\.?|{_TITLES})[ ](?P<a>{_NAME})"
    r"|(?i:\bmy name is|\bje m'appelle|\bje m’appelle|\bme llamo|\bmi nombre es|\bich heiße|\bich heisse|"
    rf"\bmein name ist|\bmi chiamo|\bmijn naam is|\bik heet)[ ](?P<b>{_NAME})")
#: Capitalised words that follow a title but are not names ("Officer Down", "Dr Who").
_NOT_NAMES = frozenset({"The", "A", "An", "And", "Of", "In", "On", "At", "Is", "Was", "Le", "La", "Les", "El",
                        "Los", "Der", "Die", "Das", "Il", "De", "Het", "Een", "Who", "Down", "Said", "Says",
                        "President", "Prime", "Speaker", "Chairman", "World", "Universe", "America", "USA",
                        "Declares", "Blocks", "Slams", "Calls", "Warns", "Announces"})


# Cheap token prefilters: the address and name patterns are alternations that Python's regex engine
# tries at every position, so they run only on the texts that contain one of their trigger words.
_WORDS = re.compile(r"[^\s.,;:!?()\[\]{}\"/«»“”]+")
_STREET_WORDS = frozenset(
    _EN_STREET.split("|") + [w.rstrip("\\.") for w in _FR_STREET.split("|")] + ["Av", "Avda", "C"]
    + [w.rstrip("\\.").replace("C/", "C") for w in _LATIN_STREET.split("|")]
    + ["Str", "Straße", "Strasse", "Weg", "Allee", "Platz", "Gasse", "Damm"])
_STREET_SUFFIXES = ("straße", "strasse", "str", "weg", "allee", "platz", "gasse", "damm", "ufer", "straat",
                    "laan", "plein", "gracht", "kade", "singel", "dijk", "steeg")
_PERSON_TRIGGERS = frozenset(
    [w for t in f"{_ABBREVIATIONS}|{_TITLES}".split("|") for w in t.replace("\\.", " ").split()]
    + ["name", "Name", "m'appelle", "m’appelle", "M'appelle", "llamo", "nombre", "heiße", "heisse", "chiamo",
       "naam", "heet"])


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check over a string of decimal digits."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)  # any Unicode decimal digit
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_valid(iban: str) -> bool:
    """Country length and ISO 13616 mod-97 check of an IBAN without spaces (any case)."""
    iban = iban.upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban.isascii() or not iban.isalnum():
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _card(candidate: str, digits: str) -> bool:
    if not 13 <= len(digits) <= 19 or len(set(digits)) < 2:
        return False
    if not (candidate.isdigit() or _CARD_GROUPS.fullmatch(candidate)):
        return False
    return _ISSUER.match(digits) is not None and luhn_valid(digits)


def _phone(candidate: str, digits: str) -> bool:
    if _IP.fullmatch(candidate) or _DATE.search(candidate):
        return False
    n = len(digits)
    if candidate.startswith("+"):
        return 8 <= n <= 15 and digits[0] != "0"
    if digits.startswith("00"):
        return 10 <= n <= 17 and digits[2] != "0"
    if _US.fullmatch(candidate) or _ES.fullmatch(candidate):
        return not candidate.endswith("000")
    separators = set(_NON_DIGIT.findall(candidate)) - {"(", ")"}
    if len(separators) > 1 or not digits.startswith("0") or digits[1] == "0":
        return False
    # Trunk-prefixed national numbers (UK, FR, DE, IT, NL, ...): unseparated only at 10-11 digits.
    return 10 <= n <= 11 if not separators else 9 <= n <= 12


def _numbers(text: str, found: list[Span]) -> None:
    for m in _NUMBER.finditer(text):
        candidate = m.group().rstrip(" .-/")
        digits = _NON_DIGIT.sub("", candidate)
        end = m.start() + len(candidate)
        if _card(candidate, digits):
            found.append(Span(m.start(), end, "card"))
        elif _phone(candidate, digits):
            found.append(Span(m.start(), end, "phone"))


def _ibans(text: str, found: list[Span]) -> None:
    for m in _IBAN.finditer(text):
        length = IBAN_LENGTHS.get(m.group(1).upper())
        if length is None:
            continue
        # Take exactly the country's length of characters: the pattern may run on into the next word.
        chars = [m.start(3) + c.start() for c in _ALNUM_CHAR.finditer(m.group(3))]
        if len(chars) < length - 4:
            continue
        end = chars[length - 5] + 1
        compact = text[m.start():end].replace(" ", "")
        if end < len(text) and text[end].isalnum() and (end - 1 < 0 or text[end - 1] != " "):
            continue  # runs straight on into more characters: not a whole IBAN
        if iban_valid(compact):
            found.append(Span(m.start(), end, "iban"))


def _people(text: str, found: list[Span]) -> None:
    for m in _PERSON.finditer(text):
        group = "a" if m.group("a") is not None else "b"
        words = m.group(group).split(" ")
        # Trim trailing non-name words ("Dr Smith The ...") and refuse a name that is only those.
        while words and words[-1] in _NOT_NAMES:
            words.pop()
        if not words or words[0] in _NOT_NAMES:
            continue
        start = m.start(group)
        found.append(Span(start, start + len(" ".join(words)), "person"))


def _entity_people(post: Post, found: list[Span], length: int) -> None:
    """PERSON spans from an ``entities`` analyser that ran earlier, whatever shape it stored them in."""
    for key, value in post.enrichments.items():
        if not key.startswith("entities/"):
            continue
        items = value.get("entities", value.get("spans")) if isinstance(value, Mapping) else value
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, Mapping):
                continue
            label = item.get("label", item.get("kind"))
            start, end = item.get("start"), item.get("end")
            if (isinstance(label, str) and label.upper() in ("PERSON", "PER") and isinstance(start, int)
                    and isinstance(end, int) and 0 <= start < end <= length):
                found.append(Span(start, end, "person"))


def _resolve(found: list[Span]) -> list[Span]:
    """Overlapping spans: the higher-priority kind wins, then the longer span."""
    # Kept spans never overlap, so sorted by start they are sorted by end too: a candidate needs
    # checking only against its two neighbours (a hostile text can hold thousands of spans).
    kept: list[Span] = []
    for span in sorted(found, key=lambda s: (_PRIORITY[s.kind], s.start - s.end, s.start)):
        i = bisect.bisect_left(kept, span)
        if (i == 0 or kept[i - 1].end <= span.start) and (i == len(kept) or span.end <= kept[i].start):
            kept.insert(i, span)
    return kept


def find_personal_data(text: str, post: Post | None = None) -> list[Span]:
    """Every personal-data span in ``text``, sorted, without overlaps."""
    found: list[Span] = []
    if "@" in text:
        found += [Span(m.start(), m.end(), "email") for m in _EMAIL.finditer(text)]
    words = _WORDS.findall(text)
    if _ANY_DIGIT.search(text):
        _numbers(text, found)
        _ibans(text, found)
        if not _STREET_WORDS.isdisjoint(words) or any(w.endswith(_STREET_SUFFIXES) for w in words):
            found += [Span(m.start(), m.end(), "address") for m in _ADDRESS.finditer(text)]
    if not _PERSON_TRIGGERS.isdisjoint(words):
        _people(text, found)
    if post is not None:
        _entity_people(post, found, len(text))
    return _resolve(found) if len(found) > 1 else found


def _as_span(span: Span | Sequence[Any] | Mapping[str, Any]) -> Span:
    if isinstance(span, Mapping):
        return Span(int(span["start"]), int(span["end"]), str(span["kind"]))
    start, end, kind = span
    return Span(int(start), int(end), str(kind))


def kind_label(kind: str, _covered: str = "") -> str:
    """What a redacted span of ``kind`` becomes: ``[EMAIL]``, ``[PHONE]``, …"""
    return f"[{kind.upper()}]"


def redact(text: str, spans: Iterable[Span | Sequence[Any] | Mapping[str, Any]],
           replace: Callable[[str, str], str] = kind_label) -> str:
    """``text`` with each span replaced by ``replace(kind, covered text)``: by default ``[KIND]``
    (``[EMAIL]``, ``[PHONE]``, ...).

    Takes :class:`Span` tuples or the analyser's stored ``{"start", "end", "kind"}`` dicts;
    overlapping or out-of-range spans are merged and clipped rather than trusted."""
    ordered = sorted(_as_span(s) for s in spans)
    out: list[str] = []
    cursor = 0
    for start, end, kind in ordered:
        start, end = max(start, cursor), min(end, len(text))
        if start >= end:
            continue
        out += [text[cursor:start], replace(kind, text[start:end])]
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


@analysers.register("personal_data")
class PersonalDataAnalyser(Analyser):
    """Per post: ``{"spans": [{"start", "end", "kind"}, ...], "kinds": [...]}``; kinds are
    ``email``, ``iban``, ``card``, ``phone``, ``address`` and ``person``."""

    name = "personal_data"
    version = 1

    def analyse_many(self, posts: Sequence[Post]) -> list[Any]:
        out: list[Any] = []
        for post in posts:
            spans = find_personal_data(post.text or "", post)
            out.append({"spans": [{"start": s, "end": e, "kind": k} for s, e, k in spans],
                        "kinds": sorted({k for _, _, k in spans})})
        return out
