"""Writing posts from templates: pure functions of the content keys."""

from __future__ import annotations

import difflib

from hypothesis import given
from hypothesis import strategies as st

from civicpulse.scenarios import text as tx
from civicpulse.scenarios.phrases import Phrasebook


def _bank() -> tx.TextBank:
    bank = tx.TextBank("Leeds", ["de", "en", "fr"], ["news.example.org"], ["@sam_mum", "@jo_fan"])

    def chatter(book: Phrasebook) -> dict[str, list[str]]:
        return book.chatter["traffic"]

    bank.add(tx.CHATTER, 0, tx.Context(texts=chatter, districts=("Harehills", "Beeston"),
                                       landmarks=("Roundhay Road",), hashtags=("traffic", "Leeds"), emoji="sentiment"))
    bank.add(tx.CLAIM, 0, tx.Context(texts=lambda book: [], own_texts={"en": ["{district} is {n} metres deep"]},
                                     districts=("Harehills",)))
    return bank


ALL = tx.F_TYPO | tx.F_EMOJI | tx.F_HASHTAG | tx.F_LINK | tx.F_MENTION | tx.F_CODESWITCH
keys = st.integers(0, 2**63 - 1)


@given(keys, keys, st.integers(0, 127), st.integers(0, 2))
def test_rendering_is_a_pure_function_of_the_content(a: int, b: int, flags: int, sent: int) -> None:
    bank = _bank()
    first = bank.render(tx.CHATTER, 0, sent, 1, flags, a, b)
    assert first == _bank().render(tx.CHATTER, 0, sent, 1, flags, a, b)
    assert first == bank.render_cached(tx.CHATTER, 0, sent, 1, flags, a, b)
    text, hashtags, mentions, links, language = first
    assert language == "en"
    assert all(f"#{tag}" in text for tag in hashtags)
    assert all(handle in text for handle in mentions)
    assert all(link in text for link in links)
    assert bool(links) == bool(flags & tx.F_LINK)
    assert bool(mentions) == bool(flags & tx.F_MENTION)


def test_plain_content_is_the_template_filled() -> None:
    text, hashtags, mentions, links, language = _bank().render(tx.CLAIM, 0, 1, 1, 0, 12345, 678)
    assert text.startswith("Harehills is ")
    assert text.endswith(" metres deep")
    assert (hashtags, mentions, links, language) == ((), (), (), "en")


def test_languages_without_own_texts_fall_back_to_english() -> None:
    # Own texts exist only in English: a French poster's claim is written, and labelled, in English.
    assert _bank().render(tx.CLAIM, 0, 1, 2, 0, 1, 2)[4] == "en"
    assert _bank().render(tx.CHATTER, 0, 1, 2, 0, 1, 2)[4] == "fr"


def test_decorations_vary_the_text() -> None:
    bank = _bank()
    plain = {bank.render(tx.CHATTER, 0, 0, 1, 0, a, 7)[0] for a in range(200)}
    decorated = {bank.render(tx.CHATTER, 0, 0, 1, ALL, a, b)[0] for a in range(200) for b in (11, 2**40 + 3)}
    assert len(decorated) > len(plain)
    switched = [bank.render(tx.CHATTER, 0, 0, 1, tx.F_CODESWITCH, a, b)[0] for a in range(50) for b in range(50)]
    assert any(", " in t or " — " in t for t in switched)


@given(st.integers(0, 2**63 - 1), st.text(min_size=20, max_size=80))
def test_typos_are_small_slips(b: int, body: str) -> None:
    _, typed = tx._typos(b, body)
    assert abs(len(typed) - len(body)) <= 2
    assert difflib.SequenceMatcher(None, body, typed).ratio() >= 0.85
