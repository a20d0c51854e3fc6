from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicpulse.text import (
    MAX_TEXT_CHARS,
    clean_name,
    clean_text,
    extract_hashtags,
    extract_links,
    extract_mentions,
    normalise_link,
    normalise_text,
)

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INVISIBLE = "\u200b\ufeff\u2060"
REMOVED = set(BIDI_CONTROLS + INVISIBLE) | {chr(c) for c in range(0x20) if chr(c) not in "\n\t"} | {
    chr(c) for c in range(0x7F, 0xA0)
}

# Text that is mostly ordinary, with the awkward characters over-represented.
AWKWARD = st.sampled_from(list(BIDI_CONTROLS + INVISIBLE + "\u200c\u200d\u200e\u200f\x00\x01\r\n\t\x85\x9b\x7f"
                               "\u0301\u0327e\u1100\u1161\u11a8\ud800\udfff\U0001f469#@"))
ANY_TEXT = st.text(st.one_of(st.characters(exclude_categories=()), AWKWARD), max_size=300)


# --- normalise_text ---------------------------------------------------------------------------------


def test_clean_ascii_text_is_returned_unchanged() -> None:
    text = "Road closed on Main Street, avoid the area."
    assert clean_text(text) == (text, False)


def test_nfc_composition() -> None:
    assert normalise_text("Cafe\u0301") == "Café"
    # A control character between a base and its combining mark is removed first, then composed.
    assert normalise_text("e\x00\u0301") == "é"


def test_controls_are_removed_but_newline_and_tab_kept() -> None:
    assert normalise_text("a\x00b\x07c\x1bd\x7fe\x85f\x9bg\nh\ti") == "abcdefg\nh\ti"


def test_carriage_returns_become_newlines() -> None:
    assert normalise_text("one\r\ntwo\rthree") == "one\ntwo\nthree"


def test_bidi_overrides_and_isolates_are_removed() -> None:
    # "Trojan Source": the override makes "exe.txt" display as "txt.exe".
    assert normalise_text("invoice\u202etxt.exe\u202c") == "invoicetxt.exe"
    assert normalise_text("\u2066a\u2067b\u2068c\u2069") == "abc"


def test_zero_width_space_bom_and_word_joiner_are_removed() -> None:
    assert normalise_text("bo\u200bmb \ufeffthreat\u2060") == "bomb threat"


def test_zwj_and_zwnj_are_kept() -> None:
    technologist = "\U0001f469\u200d\U0001f4bb"
    persian = "می\u200cخواهم"
    assert normalise_text(technologist) == technologist
    assert normalise_text(persian) == persian


def test_bidi_marks_are_kept() -> None:
    assert normalise_text("abc\u200fdef\u200e") == "abc\u200fdef\u200e"


def test_lone_surrogates_are_replaced() -> None:
    assert normalise_text("a\ud800b\udfffc") == "a\ufffdb\ufffdc"


def test_long_text_is_truncated_and_reported() -> None:
    text, truncated = clean_text("x" * (MAX_TEXT_CHARS + 5))
    assert truncated
    assert len(text) == MAX_TEXT_CHARS
    assert clean_text("x" * MAX_TEXT_CHARS) == ("x" * MAX_TEXT_CHARS, False)
    huge, truncated = clean_text("\u202e" * 10 + "y" * (MAX_TEXT_CHARS * 5))
    assert truncated
    assert len(huge) == MAX_TEXT_CHARS


def test_clean_name_is_one_line() -> None:
    assert clean_name("  Carol\n\u202eM\u202c\tX\r\n ") == "Carol M X"
    assert len(clean_name("n" * 2000)) == 512


@settings(max_examples=300)
@given(ANY_TEXT)
def test_normalise_text_properties(text: str) -> None:
    once, _ = clean_text(text, max_chars=120)
    assert clean_text(once, max_chars=120) == (once, False)  # idempotent
    assert len(once) <= 120
    assert not REMOVED & set(once)
    assert not any("\ud800" <= c <= "\udfff" for c in once)
    assert unicodedata.is_normalized("NFC", once)
    once.encode("utf-8")  # always encodable


@given(ANY_TEXT)
def test_clean_name_properties(text: str) -> None:
    name = clean_name(text, max_chars=50)
    assert clean_name(name, max_chars=50) == name
    assert "\n" not in name
    assert "\t" not in name
    assert len(name) <= 50


# --- entities -----------------------------------------------------------------------------------------


def test_hashtags() -> None:
    text = "Hi #Foo and #foo, #हिन्दी #123 a#b x.com/#frag &#123; #ÉTÉ ＃Full"
    assert extract_hashtags(text) == ("foo", "हिन्दी", "été", "full")


def test_hashtags_keep_inner_zwnj() -> None:
    assert extract_hashtags("#می\u200cخواهم") == ("می\u200cخواهم",)


def test_mentions() -> None:
    text = "cc @Alice, @bob@Social.Example. mail a@b.com @x_y."
    assert extract_mentions(text) == ("alice", "bob@social.example", "x_y")


def test_links() -> None:
    text = (
        "see (https://Example.COM/a_(b)) and https://x.org/p?q=1. also http://[::1 "
        "javascript:alert(1) https://例え.jp/パス。 HTTPS://UPPER.example/Path"
    )
    assert extract_links(text) == (
        "https://example.com/a_(b)",
        "https://x.org/p?q=1",
        "https://例え.jp/パス",
        "https://upper.example/Path",
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://User@Example.COM:8443/A?b#C", "https://User@example.com:8443/A?b#C"),
        ("javascript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("https://", None),
        ("https://exa mple.com/", None),
        ("https://example.com/\u202etxt", None),
        ("http://[::1]:80/x", "http://[::1]:80/x"),
        ("http://[::1/x", None),
        ("https://example.com:99999999/", None),
        ("https://" + "a" * 3000 + ".com", None),
    ],
)
def test_normalise_link(url: str, expected: str | None) -> None:
    assert normalise_link(url) == expected


@given(ANY_TEXT)
def test_entity_extraction_never_fails(text: str) -> None:
    for tag in extract_hashtags(text):
        assert tag
        assert tag == tag.casefold() or unicodedata.normalize("NFC", tag.casefold()) == tag
        assert not tag.startswith("#")
    mentions = extract_mentions(text)
    assert len(set(mentions)) == len(mentions)
    for link in extract_links(text):
        assert link.startswith(("http://", "https://"))
