"""All rules' queries compiled into one index, evaluated in one pass over a batch.

Each distinct term (word, phrase or hashtag) gets a number. A post is read once: its words are
looked up as n-grams (up to the longest phrase) in one dictionary, which finds overlapping phrases
too (``fire`` and ``fire alarm`` both match ``fire alarm``); its hashtags are looked up in another,
and its readings (:func:`post_readings`) in a third.
Only rules that can match given the terms found are evaluated (a rule that matches without any term,
such as ``NOT drill``, is always a candidate), so cost grows with the text, not rules × posts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from civicpulse.alerts.query import And, Node, Not, Or, Term, terms_of, words
from civicpulse.analysers.flags import flag_of
from civicpulse.post import Post

__all__ = ["CompiledQueries", "post_readings", "text_hashtags"]

_TEXT_HASHTAG = re.compile(r"#(\w+)")
#: Text beyond this is not searched (a post is short; this bounds a hostile one).
MAX_TEXT = 20_000


def text_hashtags(text: str, declared: Iterable[str] = ()) -> set[str]:
    """Folded hashtags: those the platform declared plus any ``#tag`` in the text."""
    found = {unicodedata.normalize("NFKC", t.lstrip("#")).casefold() for t in declared}
    found.update(unicodedata.normalize("NFKC", t).casefold() for t in _TEXT_HASHTAG.findall(text))
    return found


def post_readings(post: Post) -> set[str]:
    """The :data:`~civicpulse.alerts.query.READINGS` that the analysers stored on ``post``: the
    flags that the dashboard's red badges show (:mod:`civicpulse.analysers.flags`)."""
    found: set[str] = set()
    for key, value in post.enrichments.items():
        flag = flag_of(key, value)
        if flag is not None:
            found.add(flag.name)
            if flag.target in ("group", "person"):
                found.add(f"{flag.name}-at-{flag.target}")
    return found


@dataclass(frozen=True, slots=True)
class _Compiled:
    key: str
    tree: Node
    always: bool  # true when the query can match with no term present


def _evaluate(node: Node, ids: Mapping[Term, int], present: set[int]) -> bool:
    if isinstance(node, Term):
        return ids[node] in present
    if isinstance(node, Not):
        return not _evaluate(node.operand, ids, present)
    if isinstance(node, And):
        return all(_evaluate(o, ids, present) for o in node.operands)
    assert isinstance(node, Or)
    return any(_evaluate(o, ids, present) for o in node.operands)


class CompiledQueries:
    """Queries keyed by rule id, compiled once; :meth:`match` says which keys each text matches."""

    def __init__(self, queries: Mapping[str, Node]) -> None:
        self._ids: dict[Term, int] = {}
        self._phrases: dict[tuple[str, ...], int] = {}
        self._tags: dict[str, int] = {}
        self._readings: dict[str, int] = {}
        self._by_term: dict[int, list[int]] = {}
        self._rules: list[_Compiled] = []
        for key, tree in queries.items():
            index = len(self._rules)
            for term in terms_of(tree):
                term_id = self._ids.setdefault(term, len(self._ids))
                if term.reading:
                    self._readings[term.words[0]] = term_id
                elif term.hashtag:
                    self._tags[term.words[0]] = term_id
                else:
                    self._phrases[term.words] = term_id
                rules = self._by_term.setdefault(term_id, [])
                if not rules or rules[-1] != index:
                    rules.append(index)
            self._rules.append(_Compiled(key, tree, _evaluate(tree, self._ids, set())))
        self._longest = max((len(p) for p in self._phrases), default=0)
        self._always = [i for i, rule in enumerate(self._rules) if rule.always]

    def __len__(self) -> int:
        return len(self._rules)

    @property
    def reads_readings(self) -> bool:
        """Whether any query asks for a reading (else a post's enrichments need not be looked at)."""
        return bool(self._readings)

    def terms_in(self, text: str, hashtags: Iterable[str] = (), readings: Iterable[str] = ()) -> set[int]:
        present = {self._readings[r] for r in readings if r in self._readings}
        if self._phrases:
            found = words(text[:MAX_TEXT])
            for start in range(len(found)):
                for size in range(1, min(self._longest, len(found) - start) + 1):
                    term_id = self._phrases.get(found[start:start + size])
                    if term_id is not None:
                        present.add(term_id)
        if self._tags:
            for tag in text_hashtags(text[:MAX_TEXT], hashtags):
                term_id = self._tags.get(tag)
                if term_id is not None:
                    present.add(term_id)
        return present

    def match(self, text: str, hashtags: Sequence[str] = (), readings: Iterable[str] = ()) -> list[str]:
        """Keys of the queries that ``text`` (with its declared ``hashtags`` and its ``readings``) matches."""
        if not self._rules:
            return []
        present = self.terms_in(text, hashtags, readings)
        candidates = set(self._always)
        for term_id in present:
            candidates.update(self._by_term[term_id])
        return [self._rules[i].key for i in sorted(candidates)
                if _evaluate(self._rules[i].tree, self._ids, present)]
