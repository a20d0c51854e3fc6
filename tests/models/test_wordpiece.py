"""Our WordPiece must split exactly as Hugging Face's tokenizers does with the same vocabulary:
the static embedding's vectors were distilled for those pieces."""

from __future__ import annotations

import json
from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicpulse.models.encoder import TOKENIZER_FILE
from civicpulse.models.text import MODELS_DIR
from civicpulse.models.wordpiece import WordPiece

tokenizers = pytest.importorskip("tokenizers", reason="the reference tokeniser is the optional 'accurate' extra")


@lru_cache(maxsize=1)
def vocabulary() -> list[str]:
    vocab = json.loads((MODELS_DIR / TOKENIZER_FILE).read_text(encoding="utf-8"))["model"]["vocab"]
    return sorted(vocab, key=vocab.get)


@lru_cache(maxsize=1)
def ours() -> WordPiece:
    return WordPiece(vocabulary())


@lru_cache(maxsize=1)
def reference() -> object:
    tokenizer = tokenizers.Tokenizer.from_file(str(MODELS_DIR / TOKENIZER_FILE))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def reference_ids(text: str) -> list[int]:
    return list(reference().encode(text, add_special_tokens=False).ids)  # type: ignore[attr-defined]


@pytest.mark.parametrize("text", [
    "", "   ", "@user Road CLOSED near Piccadilly!!! #Manchester https://t.co/x",
    "Café déjà vu, İstanbul, naïve Ångström", "北京欢迎你 and 東京", "don't won’t can't…",
    "😀 emoji only 🙏🏽", "a\u0301b x\u200by", "tab\tnew\nline\rreturn\x00nul\x7fdel",
    "supercalifragilisticexpialidocious" * 4, "#BuildThatWall #SendThemBack", "١٢٣ مرحبا بالعالم",
])
def test_it_matches_the_reference_tokeniser(text: str) -> None:
    assert ours().ids(text) == reference_ids(text)


# Not Cn: code points unassigned in Python's Unicode tables may be letters in the newer tables of
# the reference's Rust build (we drop them as "other", it calls them [UNK]).
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cn"]), max_size=80))
def test_it_matches_the_reference_on_any_text(text: str) -> None:
    assert ours().ids(text) == reference_ids(text)


@given(st.text(max_size=200))
def test_hostile_text_never_raises_and_ids_are_in_the_vocabulary(text: str) -> None:
    ids = ours().ids(text)  # lone surrogates included: the reference cannot even take them
    assert all(0 <= i < len(vocabulary()) for i in ids)


def test_an_uncoverable_or_overlong_word_is_unknown() -> None:
    assert ours().ids("x" * 101) == [ours().unknown_id]
    assert ours().ids("x" * 100) == reference_ids("x" * 100)
