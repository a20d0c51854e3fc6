"""The analysers' flags on a post, read back from its stored enrichments: offensive (with whom it is
aimed at) and hate. One reading for every place that shows or uses them: the dashboard's red badges
(:func:`civicpulse.web.views.readings`) and alert rules' ``reading:`` terms
(:func:`civicpulse.alerts.matcher.post_readings`).

Stored enrichments may come from a re-ingested export, so anything unexpected reads as no flag."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["FLAGGING_ANALYSERS", "TARGETS", "Flag", "flag_of"]

#: The analysers whose positive label is a flag (the label has the analyser's name).
FLAGGING_ANALYSERS = ("offensive", "hate")
#: The offensive analyser's ``target_label`` (OLID level C) -> whom the post is aimed at.
TARGETS = {"individual": "person", "group": "group", "other": "others"}


@dataclass(frozen=True, slots=True)
class Flag:
    name: str  # "offensive" or "hate"
    #: The model's probability of the flag; ``None`` when the stored result carries none.
    probability: float | None
    #: "person", "group" or "others" for an offensive post the model thinks is aimed at someone.
    target: str | None


def flag_of(key: str, value: Any) -> Flag | None:
    """The flag that enrichment ``key`` (``"offensive/3"``) with result ``value`` raises, if any."""
    name = key.split("/", 1)[0]
    if name not in FLAGGING_ANALYSERS or not isinstance(value, Mapping) or value.get("label") != name:
        return None
    probs = value.get("probs")
    p = probs.get(name) if isinstance(probs, Mapping) else None
    aimed_at = value.get("target_label") if name == "offensive" else None
    return Flag(name, float(p) if isinstance(p, int | float) else None,
                TARGETS.get(aimed_at) if isinstance(aimed_at, str) else None)
