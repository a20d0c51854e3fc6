"""The analysers' flags on a post, read back from its stored enrichments: offensive (with whom it is
aimed at) and hate. One reading for every place that shows or uses them: the dashboard's red badges
(:func:`civicpulse.web.views.readings`) and alert rules' ``reading:`` terms
(:func:`civicpulse.alerts.matcher.post_readings`).

Stored enrichments may come from a re-ingested export, so anything unexpected reads as no flag."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["CONFIDENT_AT", "FLAGGING_ANALYSERS", "TARGETS", "Flag", "flag_of"]

#: The analysers whose positive label is a flag (the label has the analyser's name).
FLAGGING_ANALYSERS = ("offensive", "hate")
#: The offensive analyser's ``target_label`` (OLID level C) -> whom the post is aimed at.
TARGETS = {"individual": "person", "group": "group", "other": "others"}
#: Probability from which a flag is *confident*, per analyser version. The offensive label is tuned
#: for macro-F1 on OLID, where a third of the tweets are offensive; on a city's everyday stream most
#: of its positives near 50 % are false ("Finally a dry day, washing's out"). 0.65 is the lowest step
#: of 0.05 at which four in five of its flags are offensive on the OLID validation split, in both
#: profiles (fast 82.6 %, 67.6 % at its label's threshold; accurate 82.3 %, 73.2 %); there it keeps 38 %
#: (accurate 49 %) of the offensive posts, and it flags 0.6 % (0.8 %) of the riot exercise's everyday
#: posts instead of 4.6 % (3.1 %): ``tools/flag_threshold.py``. A version without an entry (hate,
#: tuned to flag at most 1 % of everyday tweets) is confident whenever it flags.
CONFIDENT_AT = {"offensive/3": 0.65}


@dataclass(frozen=True, slots=True)
class Flag:
    name: str  # "offensive" or "hate"
    #: The model's probability of the flag; ``None`` when the stored result carries none.
    probability: float | None
    #: "person", "group" or "others" for an offensive post the model thinks is aimed at someone.
    target: str | None
    #: At or above the version's :data:`CONFIDENT_AT` probability (always, for a version without one).
    confident: bool = True


def flag_of(key: str, value: Any) -> Flag | None:
    """The flag that enrichment ``key`` (``"offensive/3"``) with result ``value`` raises, if any."""
    name = key.split("/", 1)[0]
    if name not in FLAGGING_ANALYSERS or not isinstance(value, Mapping) or value.get("label") != name:
        return None
    probs = value.get("probs")
    p = probs.get(name) if isinstance(probs, Mapping) else None
    aimed_at = value.get("target_label") if name == "offensive" else None
    probability = float(p) if isinstance(p, int | float) and not isinstance(p, bool) else None
    threshold = CONFIDENT_AT.get(key)
    confident = threshold is None or (probability is not None and probability >= threshold)
    return Flag(name, probability, TARGETS.get(aimed_at) if isinstance(aimed_at, str) else None, confident)
