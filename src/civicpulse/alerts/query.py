"""The rule query language: words, "quoted phrases", #hashtags, readings, AND / OR / NOT and parentheses.

    flood OR "burst main" OR #flooding
    (fire OR smoke) AND NOT "fire drill"
    #matchday knife             (two terms side by side mean AND)
    reading:offensive-at-group  (what the analysers read in the post, as its dashboard badges say)

Operators are upper case (``and`` in lower case is an ordinary word); NOT binds tighter than AND,
AND tighter than OR. Matching ignores case and accents are kept as typed; a word matches whole words
only (``fire`` does not match ``firewall``), a phrase matches its words in order, a hashtag matches
the post's hashtags. The parser is hand-written and bounded (length, terms, nesting), and every
error names the column so an analyst can see the mistake. :func:`format_query` writes the canonical
form, which parses back to the same tree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from civicpulse.errors import UsageError

__all__ = ["MAX_DEPTH", "MAX_QUERY", "MAX_TERMS", "READINGS", "And", "Node", "Not", "Or", "QueryError", "Term",
           "format_query", "parse_query", "terms_of", "words"]

MAX_QUERY = 2000
MAX_TERMS = 100
MAX_DEPTH = 20
_OPERATORS = ("AND", "OR", "NOT")
#: What ``reading:NAME`` can ask for: the analysers' flags, as the dashboard's red badges show them
#: (:func:`civicpulse.alerts.matcher.post_readings`). Model guesses: a rule on them raises a lead.
READINGS = ("offensive", "offensive-at-group", "offensive-at-person", "hate")
_READING = "reading:"
_WORD = re.compile(r"[^\W_]+")
_HASHTAG = re.compile(r"\w+")


class QueryError(UsageError):
    """A query that does not parse; ``column`` is 1-based."""

    def __init__(self, message: str, query: str, column: int) -> None:
        shown = query[:200].replace("\n", " ").replace("\t", " ")
        caret = " " * (min(column, 201) - 1) + "^"
        super().__init__(f"{message} at column {column}:\n  {shown}\n  {caret}",
                         fix='use words, "quoted phrases", #hashtags, AND, OR, NOT and parentheses, '
                             'e.g. (fire OR smoke) AND NOT "fire drill"')
        self.column = column


def words(text: str) -> tuple[str, ...]:
    """Folded words of ``text``: the same split is used for queries and for post text."""
    return tuple(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


@dataclass(frozen=True, slots=True)
class Term:
    """One word, a phrase (several words in order), a hashtag (one tag, without the ``#``) or a
    reading (one of :data:`READINGS`)."""

    words: tuple[str, ...]
    hashtag: bool = False
    reading: bool = False


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Node, ...]


Node = Term | Not | And | Or


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "(", ")", "AND", "OR", "NOT", "term", "end"
    column: int
    term: Term | None = None


def _tokens(query: str) -> list[_Token]:
    found: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        char = query[i]
        if char.isspace():
            i += 1
        elif char in "()":
            found.append(_Token(char, i + 1))
            i += 1
        elif char == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QueryError("this quote is never closed", query, i + 1)
            phrase = words(query[i + 1:end])
            if not phrase:
                raise QueryError("this phrase has no letters or digits", query, i + 1)
            found.append(_Token("term", i + 1, Term(phrase)))
            i = end + 1
        else:
            start = i
            while i < n and not query[i].isspace() and query[i] not in '()"':
                i += 1
            found.append(_word_token(query, query[start:i], start + 1))
    found.append(_Token("end", n + 1))
    return found


def _word_token(query: str, text: str, column: int) -> _Token:
    if text in _OPERATORS:
        return _Token(text, column)
    if text.startswith(_READING):
        name = text[len(_READING):].casefold()
        if name not in READINGS:
            raise QueryError(f"{text[:40]!r} is not a reading; use reading: with one of {', '.join(READINGS)}",
                             query, column)
        return _Token("term", column, Term((name,), reading=True))
    if text.startswith("#"):
        tag = unicodedata.normalize("NFKC", text[1:]).casefold()
        if not _HASHTAG.fullmatch(tag):
            raise QueryError("a hashtag is # followed by letters, digits or _ (no spaces or punctuation)",
                             query, column)
        return _Token("term", column, Term((tag,), hashtag=True))
    found = words(text)
    if not found:
        raise QueryError(f"{text[:40]!r} has no letters or digits", query, column)
    return _Token("term", column, Term(found))


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = _tokens(query)
        self.at = 0
        self.terms = 0

    def peek(self) -> _Token:
        return self.tokens[self.at]

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def fail(self, message: str, token: _Token) -> QueryError:
        return QueryError(message, self.query, token.column)

    def expression(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise self.fail(f"more than {MAX_DEPTH} levels of nesting", self.peek())
        operands = [self.conjunction(depth)]
        while self.peek().kind == "OR":
            self.take()
            operands.append(self.conjunction(depth))
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def conjunction(self, depth: int) -> Node:
        operands = [self.negation(depth)]
        while self.peek().kind in ("AND", "NOT", "term", "("):
            if self.peek().kind == "AND":
                self.take()
            operands.append(self.negation(depth))
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def negation(self, depth: int) -> Node:
        if self.peek().kind == "NOT":
            self.take()
            if depth + 1 > MAX_DEPTH:
                raise self.fail(f"more than {MAX_DEPTH} levels of nesting", self.peek())
            return Not(self.negation(depth + 1))
        return self.atom(depth)

    def atom(self, depth: int) -> Node:
        token = self.take()
        if token.kind == "term":
            assert token.term is not None
            self.terms += 1
            if self.terms > MAX_TERMS:
                raise self.fail(f"more than {MAX_TERMS} terms in one rule", token)
            return token.term
        if token.kind == "(":
            inner = self.expression(depth + 1)
            closing = self.take()
            if closing.kind != ")":
                raise self.fail("expected ) to close the ( opened at column "
                                f"{token.column}", closing)
            return inner
        if token.kind == "end":
            raise self.fail("the query ends where a word, phrase or ( was expected", token)
        raise self.fail(f"expected a word, phrase or ( but found {token.kind}", token)


def parse_query(query: str) -> Node:
    """The tree for ``query``; raises :class:`QueryError` (a :class:`UsageError`) saying where it is wrong."""
    if len(query) > MAX_QUERY:
        raise QueryError(f"the query is longer than {MAX_QUERY} characters", query, MAX_QUERY + 1)
    parser = _Parser(query)
    tree = parser.expression(0)
    rest = parser.peek()
    if rest.kind != "end":
        raise parser.fail("unexpected ) with no ( before it" if rest.kind == ")"
                          else f"unexpected {rest.kind}", rest)
    return tree


def format_query(node: Node) -> str:
    """The canonical text of ``node``; ``parse_query(format_query(n)) == n``."""
    if isinstance(node, Term):
        if node.reading:
            return _READING + node.words[0]
        if node.hashtag:
            return "#" + node.words[0]
        return node.words[0] if len(node.words) == 1 else '"' + " ".join(node.words) + '"'
    if isinstance(node, Not):
        inner = format_query(node.operand)
        return "NOT " + (inner if isinstance(node.operand, Term | Not) else f"({inner})")
    joiner = " AND " if isinstance(node, And) else " OR "
    parts = []
    for operand in node.operands:
        text = format_query(operand)
        # Nested And/Or are bracketed so that the tree shape survives the round trip.
        parts.append(f"({text})" if isinstance(operand, And | Or) else text)
    return joiner.join(parts)


def terms_of(node: Node) -> list[Term]:
    """Every term in ``node``, in order."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return terms_of(node.operand)
    return [t for operand in node.operands for t in terms_of(operand)]
