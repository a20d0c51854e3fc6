"""Slips of the thumb: a word never seen before, in no dictionary, one edit from a word everyone uses.

Two accounts posting "Car alightn ear Harehills Lane" and "Car alightn ear Banstead Park" share a
word never seen before, but it is the same slip of a common text ("alight near"), not the name of
something new. First-story detection counts two new words shared by two accounts as two witnesses
to a new story (:mod:`civicpulse.detectors.events`), so it asks this module first.

Damerau (1964) found that most misspellings are one edit of four kinds: a character deleted,
inserted, substituted, or two adjacent ones swapped. A word at least :data:`MIN_SLIP_CHARS` long
that is one such edit from a word the stream knows is a candidate. Shorter words are not judged:
nearly every short string is one edit from some known word ("orc": "or", "arc", "ore").

One edit alone does not make a slip: among thousands of known words, real words one edit apart are
common ("loads" and "roads"; a first story of a search was lost to that). So a slip must also be
missing from a reference vocabulary of the post's language, words found in several texts of real
writers (``training/train_vocabulary.py``). Only English has one, so only English posts are judged.

A misplaced space is the other common slip ("routef ermée", "kic koff", "desn ouvelles"): it makes
two new words out of two known ones, in any language, and often short ones. A word is a
:func:`space_slip` when moving one letter across the space to its neighbour gives two known words;
that needs no dictionary, only the stream's own words.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path

__all__ = ["MIN_SLIP_CHARS", "VOCABULARY_FILES", "likely_slip", "one_edit_away", "reference_vocabulary", "space_slip"]

#: Shorter words are never called slips.
MIN_SLIP_CHARS = 5

#: The reference vocabulary of each language that has one, in ``civicpulse/models``.
VOCABULARY_FILES = {"en": "vocabulary_en.txt.gz"}
_MODELS_DIR = Path(__file__).resolve().parent.parent / "models"

#: Letters tried for insertions and substitutions, besides the word's own: the Latin alphabet with
#: the accented letters of French, German, Spanish, Italian and Portuguese. A word's own letters
#: cover a doubled character in any script.
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzàáâäçèéêëíîïñóôöùúûüß")


@cache
def reference_vocabulary(language: str | None) -> frozenset[str] | None:
    """The words of ``language``'s reference vocabulary, or ``None`` where it has none."""
    name = VOCABULARY_FILES.get(language or "")
    if name is None:
        return None
    with gzip.open(_MODELS_DIR / name, "rt", encoding="utf-8") as f:
        return frozenset(f.read().split())


def one_edit_away(word: str) -> Iterator[str]:
    """Every string one Damerau edit from ``word`` (with repeats, never ``word`` itself)."""
    letters = _LETTERS.union(word)
    for i in range(len(word) + 1):
        left, right = word[:i], word[i:]
        for letter in letters:
            yield left + letter + right
        if not right:
            continue
        yield left + right[1:]
        if len(right) > 1 and right[0] != right[1]:
            yield left + right[1] + right[0] + right[2:]
        for letter in letters:
            if letter != right[0]:
                yield left + letter + right[1:]


def likely_slip(word: str, is_known: Callable[[str], bool], vocabulary: frozenset[str]) -> bool:
    """Whether ``word`` (lower case) is likely a misspelling: letters only, at least
    :data:`MIN_SLIP_CHARS` long, not in ``vocabulary``, and one edit from a word ``is_known`` says is
    in common use. Hashtags, numbers and place cells are never slips: they are chosen, not typed by
    accident."""
    if len(word) < MIN_SLIP_CHARS or not word.isalpha() or word in vocabulary:
        return False
    return any(is_known(candidate) for candidate in one_edit_away(word))


def space_slip(word: str, adjacent: Iterable[tuple[str, str]], is_known: Callable[[str], bool]) -> bool:
    """Whether ``word`` is half of a misplaced space: next to a word in ``adjacent`` (the text's
    pairs of neighbouring words) such that moving one letter across the space between them gives
    two words ``is_known`` says are in common use ("routef ermée": "route fermée")."""
    for left, right in adjacent:
        if word not in (left, right):
            continue
        for a, b in ((left[:-1], left[-1] + right), (left + right[0], right[1:])):
            if a and b and is_known(a) and is_known(b):
                return True
    return False
