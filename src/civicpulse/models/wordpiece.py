"""BERT's uncased WordPiece tokeniser in pure Python, for the static embedding of the fast profile.

The fast profile must not need the optional ``tokenizers`` extra, and it must keep up with the
stream: words repeat, so each distinct word is split once and remembered (a bounded cache).
It reproduces Hugging Face's ``BertNormalizer(lowercase=True)`` + ``BertPreTokenizer`` +
``WordPiece`` exactly (checked against ``tokenizers`` on the shipped vocabulary in the tests):

* clean: drop NUL, U+FFFD and control characters (lone surrogates included), turn whitespace into
  spaces; put spaces around CJK ideographs;
* strip accents (NFD, drop combining marks), lower-case;
* split on whitespace and around every punctuation character;
* greedy longest match against the vocabulary, continuation pieces prefixed ``##``; a word that
  cannot be covered, or is longer than 100 characters, becomes ``[UNK]``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

__all__ = ["WordPiece"]

_MAX_WORD_CHARS = 100
#: Distinct words remembered (~10 MB at most); a hostile stream of unique words only costs
#: re-splitting them.
_CACHE_WORDS = 50_000
_CJK = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F), (0x2B740, 0x2B81F),
        (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


def _is_cjk(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _CJK)


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_whitespace(ch: str) -> bool:
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def _is_control(ch: str) -> bool:
    return ch not in "\t\n\r" and unicodedata.category(ch).startswith("C")


class _Characters(dict[int, str | None]):
    """``str.translate`` table doing BERT's clean-up in one C-speed pass: drop controls and
    combining marks, whitespace to a space, punctuation and CJK ideographs set apart by spaces.
    Each character is classified once, when first seen (at most every code point: bounded)."""

    def __missing__(self, cp: int) -> str | None:
        ch = chr(cp)
        out: str | None
        if cp == 0 or cp == 0xFFFD or _is_control(ch) or unicodedata.category(ch) == "Mn":
            out = None
        elif _is_whitespace(ch) or ch.isspace():
            out = " "
        elif _is_cjk(cp) or _is_punctuation(ch):
            out = f" {ch} "
        else:
            out = ch
        self[cp] = out
        return out


class WordPiece:
    """``ids(text)``: the vocabulary ids of ``text``'s word pieces, without [CLS]/[SEP]."""

    def __init__(self, vocabulary: Sequence[str], unknown: str = "[UNK]") -> None:
        self._ids = {piece: i for i, piece in enumerate(vocabulary)}
        self.unknown_id = self._ids[unknown]
        self._words: dict[str, tuple[int, ...]] = {}
        self._characters = _Characters()

    def words(self, text: str) -> list[str]:
        """The normalised words and punctuation marks of ``text``, in order."""
        if not text.isascii():
            # Accents are stripped before lower-casing, as BERT does (so "İ" becomes "i").
            # Python lower-cases a word-final "Σ" to "ς"; Hugging Face lower-cases each character
            # on its own, to "σ", and the vocabulary ids differ.
            text = unicodedata.normalize("NFD", text).replace("Σ", "σ")
        return text.translate(self._characters).lower().split()

    def ids(self, text: str) -> list[int]:
        out: list[int] = []
        cache = self._words
        for word in self.words(text):
            pieces = cache.get(word)
            if pieces is None:
                pieces = self._pieces(word)
                if len(cache) >= _CACHE_WORDS:
                    cache.clear()
                cache[word] = pieces
            out.extend(pieces)
        return out

    def _pieces(self, word: str) -> tuple[int, ...]:
        if len(word) > _MAX_WORD_CHARS:
            return (self.unknown_id,)
        ids = self._ids
        pieces: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = -1
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                found = ids.get(piece, -1)
                if found >= 0:
                    break
                end -= 1
            if found < 0:
                return (self.unknown_id,)
            pieces.append(found)
            start = end
        return tuple(pieces)
