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

The other way round, a slip must not hide a witness: "POLICE DOGS OUT IN RUSHOMLE" and "Polce dogs out
in RRusholme" still say that police are at Rusholme. :class:`SlipIndex` tells which of a few words
that matter (the incident vocabulary, the names of the operation's districts) a word never seen
before is one edit from.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path

__all__ = ["MIN_SLIP_CHARS", "VOCABULARY_FILES", "SlipIndex", "is_one_edit", "likely_slip", "one_edit_away",
           "reference_vocabulary", "space_slip"]

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


def is_one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are exactly one Damerau edit apart (in linear time)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1:]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


class SlipIndex:
    """Which of a few target words a word is one slip of the thumb from ("poliice": "police",
    "rushomle": "rusholme").

    Symmetric deletion (Garbe's SymSpell): two words one Damerau edit apart share the string of one
    deletion from each, or one is such a deletion of the other. So the index holds each target and
    its deletions, and a word looks up itself and its own deletions, a dozen dictionary lookups
    rather than the thousand strings one edit from it; a candidate found is then checked exactly.
    """

    def __init__(self, targets: Iterable[str], min_chars: int = MIN_SLIP_CHARS) -> None:
        self.min_chars = min_chars
        index: dict[str, set[str]] = {}
        for target in targets:
            if len(target) >= min_chars:
                for key in (target, *_deletions(target)):
                    index.setdefault(key, set()).add(target)
        self._index = {key: sorted(found) for key, found in index.items()}

    def __bool__(self) -> bool:
        return bool(self._index)

    def target_of(self, word: str) -> str | None:
        """The target ``word`` is one edit from (the first in alphabetical order if several), or
        ``None``; shorter words than :data:`MIN_SLIP_CHARS` are never judged."""
        if len(word) < MIN_SLIP_CHARS:
            return None
        index = self._index
        found = [t for key in (word, *_deletions(word)) for t in index.get(key, ()) if is_one_edit(word, t)]
        return min(found) if found else None
