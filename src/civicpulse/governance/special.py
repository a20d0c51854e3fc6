"""The special-category guard: watch terms, rules, searches and geofences that target religion,
ethnicity, political opinion, trade-union membership, health, sex life or sexual orientation
(GDPR Art. 9, LED Art. 10), or protest and assembly, need a supervisor's written approval.

Recognition uses the multilingual lexicons in ``lexicons/special_categories.yaml`` (EN, FR, ES, DE,
NL, IT). Input and lexicon are folded the same way (case, accents, simple plural and gender
endings; hashtags split at capitals), so ``#Musulmanes``, ``Moschee`` and ``MOSQUÉES`` are caught.
Rules and search code call :func:`check_terms` and :func:`require_approval`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import insert, select

from civicpulse.errors import AccessDenied, UsageError
from civicpulse.governance.access import authorise
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.events import SpecialCategoryApproved
from civicpulse.governance.operations import get_operation
from civicpulse.governance.roles import Action
from civicpulse.store.schema import special_category_approvals

__all__ = ["KINDS", "MIN_JUSTIFICATION", "Finding", "approve", "check_terms", "fold", "require_approval"]

KINDS = ("term", "rule", "search", "geofence")
MIN_JUSTIFICATION = 30
MAX_TERM = 500
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


@dataclass(frozen=True, slots=True)
class Finding:
    """``term`` (as given) matches ``matched`` in the ``language`` lexicon of ``category``."""

    term: str
    category: str
    matched: str
    language: str
    law: str


def _fold_word(word: str) -> str:
    word = "".join(c for c in unicodedata.normalize("NFKD", word.casefold()) if not unicodedata.combining(c))
    for suffix in ("en", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word[-1] in "aeio":
        word = word[:-1]
    return word


def fold(text: str) -> tuple[str, ...]:
    """Words of ``text`` in folded form (hashtags split at capitals as well)."""
    return tuple(_fold_word(w) for w in _WORD.findall(text))


@cache
def _lexicon() -> tuple[dict[tuple[str, ...], list[tuple[str, str, str, str]]], int]:
    """Folded phrase -> [(category, entry, language, law)], and the longest phrase in words."""
    raw: dict[str, dict[str, Any]] = yaml.safe_load(
        resources.files("civicpulse.governance").joinpath("lexicons/special_categories.yaml").read_text("utf-8"))
    table: dict[tuple[str, ...], list[tuple[str, str, str, str]]] = {}
    for category, languages in raw.items():
        law = str(languages["law"])
        for language, entries in languages.items():
            if language == "law":
                continue
            for entry in entries:
                key = fold(str(entry))
                if key:
                    table.setdefault(key, []).append((category, str(entry), language, law))
    return table, max(len(k) for k in table)


def _variants(term: str) -> Iterable[tuple[str, ...]]:
    yield fold(term)
    split = _CAMEL.sub(" ", term)
    if split != term:
        yield fold(split)


def check_terms(terms: Iterable[str]) -> list[Finding]:
    """Every special-category match in ``terms`` (watch terms, a rule's words, a query, a place name)."""
    table, longest = _lexicon()
    findings: dict[tuple[str, str], Finding] = {}
    for term in terms:
        term = term[:MAX_TERM]
        for words in _variants(term):
            for start in range(len(words)):
                for size in range(min(longest, len(words) - start), 0, -1):
                    for category, entry, language, law in table.get(words[start:start + size], ()):
                        findings.setdefault((term, category), Finding(term, category, entry, language, law))
    return list(findings.values())


def _subject_key(subject: str) -> str:
    return " ".join(fold(subject))


def approve(gov: Governance, actor: Actor, operation_id: str, kind: str, subject: str,
            justification: str) -> list[Finding]:
    """A supervisor approves monitoring ``subject`` in an operation, with a written justification."""
    authorise(actor, Action.APPROVE_SPECIAL_CATEGORY)
    if kind not in KINDS:
        raise UsageError(f"unknown kind {kind!r}", fix=f"choose one of: {', '.join(KINDS)}")
    justification = " ".join(justification.split())
    if len(justification) < MIN_JUSTIFICATION:
        raise UsageError(f"the justification must be at least {MIN_JUSTIFICATION} characters",
                         fix="explain why this is strictly necessary and proportionate (LED Art. 10)")
    operation = get_operation(gov, operation_id)
    findings = check_terms([subject])
    if not findings:
        raise UsageError(f"{subject!r} targets no special category, so it needs no approval", fix="just use it")
    categories = sorted({f.category for f in findings})
    with gov.transaction() as (connection, now):
        connection.execute(insert(special_category_approvals).values(
            operation_id=operation.id, kind=kind, subject=_subject_key(subject), categories=json.dumps(categories),
            justification=justification[:4000], approved_by=actor.username, approved_at=now))
        gov.log(connection, SpecialCategoryApproved(kind=kind, subject=subject[:MAX_TERM], categories=categories,
                                                    justification=justification[:4000]),
                actor.username, now, operation.id)
    return findings


def require_approval(gov: Governance, operation_id: str, kind: str, terms: Iterable[str]) -> None:
    """Refuse ``terms`` that target a special category without an approval in this operation."""
    for term in terms:
        findings = check_terms([term])
        if not findings:
            continue
        with gov.engine.connect() as connection:
            approved = connection.execute(select(special_category_approvals.c.id).where(
                special_category_approvals.c.operation_id == operation_id,
                special_category_approvals.c.kind == kind,
                special_category_approvals.c.subject == _subject_key(term))).first()
        if approved is None:
            what = ", ".join(sorted({f"{f.category} ('{f.matched}', {f.language})" for f in findings}))
            raise AccessDenied(
                f"the {kind} {term!r} targets a special category: {what}",
                fix=f"a supervisor must approve it with a written justification: civicpulse special approve "
                    f"--operation {operation_id} --kind {kind} --subject '{term}' --justification '…'")
