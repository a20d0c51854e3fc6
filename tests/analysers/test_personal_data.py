"""Personal-data spans: each kind found in its usual written forms, plain numbers and dates left
alone, property tests for cards and IBANs, and redaction."""

from __future__ import annotations

import itertools
import random
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicpulse.analysers.personal_data import (
    IBAN_LENGTHS,
    KINDS,
    Span,
    _resolve,
    find_personal_data,
    iban_valid,
    luhn_valid,
    redact,
)
from civicpulse.registry import analysers
from civicpulse.testing import make_post


def found(text: str) -> list[tuple[str, str]]:
    return [(s.kind, text[s.start:s.end]) for s in find_personal_data(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("mail jane.doe+news@example.co.uk now", [("email", "jane.doe+news@example.co.uk")]),
    ("call +44 20 7946 0018 today", [("phone", "+44 20 7946 0018")]),
    ("tel:+33612345678", [("phone", "+33612345678")]),
    ("ring 07700 900123", [("phone", "07700 900123")]),
    ("ring 07700900123", [("phone", "07700900123")]),
    ("office 0113 496 0000", [("phone", "0113 496 0000")]),
    ("(212) 555-0123", [("phone", "(212) 555-0123")]),
    ("+1 (212) 555-0123", [("phone", "+1 (212) 555-0123")]),
    ("appelez le 06 12 34 56 78", [("phone", "06 12 34 56 78")]),
    ("ou 01.23.45.67.89", [("phone", "01.23.45.67.89")]),
    ("Tel. 030 12345678", [("phone", "030 12345678")]),
    ("llama al 612 345 678", [("phone", "612 345 678")]),
    ("bel 06-12345678", [("phone", "06-12345678")]),
    ("0044 113 496 0000", [("phone", "0044 113 496 0000")]),
    ("card 4111 1111 1111 1111!", [("card", "4111 1111 1111 1111")]),
    ("card 5555-5555-5555-4444", [("card", "5555-5555-5555-4444")]),
    ("amex 3782 822463 10005", [("card", "3782 822463 10005")]),
    ("IBAN GB82 WEST 1234 5698 7654 32 please", [("iban", "GB82 WEST 1234 5698 7654 32")]),
    ("to DE89370400440532013000.", [("iban", "DE89370400440532013000")]),
    ("at 221B Baker Street", [("address", "221B Baker Street")]),
    ("near 12 Harehills Lane", [("address", "12 Harehills Lane")]),
    ("au 12 rue de la Paix", [("address", "12 rue de la Paix")]),
    ("en Calle Mayor 5", [("address", "Calle Mayor 5")]),
    ("in Via Roma 10", [("address", "Via Roma 10")]),
    ("in der Hauptstraße 5", [("address", "Hauptstraße 5")]),
    ("Berliner Str. 12a", [("address", "Berliner Str. 12a")]),
    ("op Prinsengracht 263", [("address", "Prinsengracht 263")]),
    ("Officer Smith said", [("person", "Smith")]),
    ("met Dr Jane Smith.", [("person", "Jane Smith")]),
    ("Mayor Andy Burnham. My name is Anna Kowalski.", [("person", "Andy Burnham"), ("person", "Anna Kowalski")]),
    ("Bonjour, je m'appelle Pierre Dupont", [("person", "Pierre Dupont")]),
])
def test_each_kind_is_found(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize("text", [
    "On 01/05/2024 at 14:30", "2019-2024", "1,000,000 people", "€1.500.000", "1 500 000 €",
    "IP 192.168.100.101", "01 05 2024 15 people", "order 123456789", "600 000 000 euros",
    "tweet 1500000000000000010", "53.8008, -1.5491", "v1.2.3", "pi is 3.14159265358979",
    "Spring 2024", "during 5 minutes", "In 2024 12 people", "2024-05-01T14:30:00Z", "20240501",
    "call me at 5", "Officer Down", "Dr Who", "@someone said", "a@b", "version 10.0.19045.2965",
    # False positives once seen in real tweets (TweetEval):
    "Mr. President said", "a Judge. Let them", "Episode 7 A Special Place", "Via USSR 2.0", "Ronda Rousey 301",
    "3D Printed Robots Walk", "Miss World will",
])
def test_plain_numbers_dates_and_words_are_not_flagged(text: str) -> None:
    assert found(text) == []


def _luhn_complete(body: str) -> str:
    return next(body + d for d in string.digits if luhn_valid(body + d))


def _iban(country: str, bban: str) -> str:
    check = 98 - int("".join(str(int(ch, 36)) for ch in bban + country + "00")) % 97
    return f"{country}{check:02d}{bban}"


@given(prefix=st.sampled_from(["4", "51", "55", "34", "37", "6011", "2221"]),
       rest=st.text(alphabet=string.digits, min_size=14, max_size=14),
       grouped=st.booleans())
def test_valid_generated_cards_are_found(prefix: str, rest: str, grouped: bool) -> None:
    number = _luhn_complete((prefix + rest)[:15])
    shown = " ".join(number[i:i + 4] for i in range(0, 16, 4)) if grouped else number
    assert found(f"my card is {shown} ok") == [("card", shown)]


@given(country=st.sampled_from(sorted(IBAN_LENGTHS)), data=st.data(), spaced=st.booleans())
def test_valid_generated_ibans_are_found(country: str, data: st.DataObject, spaced: bool) -> None:
    bban = data.draw(st.text(alphabet=string.digits + string.ascii_uppercase,
                             min_size=IBAN_LENGTHS[country] - 4, max_size=IBAN_LENGTHS[country] - 4))
    iban = _iban(country, bban)
    assert iban_valid(iban)
    shown = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4)) if spaced else iban
    assert found(f"pay to {shown} thanks") == [("iban", shown)]


@settings(max_examples=300)
@given(st.text(alphabet=string.digits, min_size=1, max_size=24))
def test_random_digit_strings_are_rarely_personal_data(digits: str) -> None:
    spans = find_personal_data(f"ref {digits} ok")
    # A random digit string may still be a real-looking phone or card (10 % pass Luhn); what must
    # never happen is a short plain number being flagged.
    if len(digits) < 9:
        assert spans == []


def test_random_digit_strings_mostly_are_not_cards_or_phones() -> None:
    rng = random.Random(3)
    strings = ["".join(rng.choices(string.digits, k=rng.randint(6, 19))) for _ in range(2000)]
    flagged = sum(1 for s in strings if find_personal_data(f"number {s} here"))
    # Leading-zero 10-11 digit strings are phones by design; Luhn lets 1 in 10 issuer-prefixed through.
    assert flagged / len(strings) < 0.05


@given(st.text(max_size=300))
def test_spans_are_sorted_in_range_and_disjoint(text: str) -> None:
    spans = find_personal_data(text)
    for a, b in itertools.pairwise(spans):
        assert a.end <= b.start
    assert all(0 <= s.start < s.end <= len(text) for s in spans)


def test_mod97_and_luhn() -> None:
    assert iban_valid("GB82WEST12345698765432")
    assert not iban_valid("GB82WEST12345698765433")
    assert not iban_valid("GB82WEST1234569876543")  # wrong length for GB
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")


def test_redact_replaces_spans_and_tolerates_bad_ones() -> None:
    text = "mail a.b@example.org or call +44 20 7946 0018"
    assert redact(text, find_personal_data(text)) == "mail [EMAIL] or call [PHONE]"
    stored = [{"start": 0, "end": 4, "kind": "person"}, {"start": 2, "end": 99, "kind": "phone"}]
    assert redact("abcdefg", stored) == "[PERSON][PHONE]"
    assert redact("abc", [Span(5, 9, "email")]) == "abc"


def test_analyser_output_and_entities_person_spans() -> None:
    analyser = analysers.get("personal_data")()
    p = make_post(text="Ask Jane at jane@example.org")
    with_entities = p.with_enrichments({"entities/1": {"entities": [{"start": 4, "end": 8, "label": "PERSON"}]}})
    assert analyser.analyse_many([p, with_entities]) == [
        {"spans": [{"start": 12, "end": 28, "kind": "email"}], "kinds": ["email"]},
        {"spans": [{"start": 4, "end": 8, "kind": "person"}, {"start": 12, "end": 28, "kind": "email"}],
         "kinds": ["email", "person"]},
    ]


def test_hostile_long_texts_finish() -> None:
    for text in ("a@" * 50_000, "1 " * 50_000, "GB82 " * 20_000, "Aa " * 30_000 + "Street"):
        assert isinstance(find_personal_data(text), list)


def _resolve_naively(found: list[Span]) -> list[Span]:
    """The rule, written the obvious (quadratic) way."""
    kept: list[Span] = []
    for span in sorted(found, key=lambda s: (KINDS.index(s.kind), s.start - s.end, s.start)):
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept)


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 12), st.sampled_from(KINDS)), max_size=40))
def test_overlaps_resolve_by_the_rule(raw: list[tuple[int, int, str]]) -> None:
    found = [Span(start, start + length, kind) for start, length, kind in raw]
    assert _resolve(found) == _resolve_naively(found)


def test_thousands_of_addresses_in_one_text_are_found() -> None:
    text = "a@b.co " * 10_000  # the overlap check once compared every span with every other
    assert len(find_personal_data(text)) == 10_000
