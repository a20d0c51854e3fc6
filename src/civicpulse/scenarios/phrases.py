"""The phrasebooks: per-language templates that scenario posts are written from.

Each language is one YAML file in ``phrasebooks/`` (``en.yaml``, ``fr.yaml``, ...), so adding a
language is adding a file, not code. Templates use ``{slot}`` placeholders from :data:`SLOTS`; a
section a language lacks falls back to English, and the post is then labelled English, because the
post's ``language`` must always say what the text really is.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import msgspec
import yaml

from civicpulse.errors import ScenarioError

__all__ = ["FALLBACK", "PHRASEBOOK_DIR", "SLOTS", "Phrasebook", "available_languages", "phrasebook"]

PHRASEBOOK_DIR = Path(__file__).parent / "phrasebooks"
FALLBACK = "en"
#: Every placeholder a template may use.
SLOTS = frozenset({"district", "landmark", "city", "time", "n", "target", "subject"})

Templates = list[str]


class Phrasebook(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    #: topic -> sentiment (positive, neutral, negative) -> templates
    chatter: dict[str, dict[str, Templates]] = msgspec.field(default_factory=dict)
    #: sentiment -> short replies
    reply: dict[str, Templates] = msgspec.field(default_factory=dict)
    #: sentiment -> a clause a bilingual poster tacks on in this language
    code_switch: dict[str, Templates] = msgspec.field(default_factory=dict)
    bot: Templates = msgspec.field(default_factory=list)
    #: official kind (police, city, fire, other) -> everyday posts
    routine: dict[str, Templates] = msgspec.field(default_factory=dict)
    #: incident topic (riot, fire, flood, search, protest) -> eyewitness posts
    incident: dict[str, Templates] = msgspec.field(default_factory=dict)
    incident_reaction: Templates = msgspec.field(default_factory=list)
    #: incident topic -> official updates
    official_update: dict[str, Templates] = msgspec.field(default_factory=dict)
    #: claim name -> the rumour's seed posts (also a coordinated campaign's messages)
    claims: dict[str, Templates] = msgspec.field(default_factory=dict)
    #: stance (support, query, deny) -> replies and quotes to a rumour
    reaction: dict[str, Templates] = msgspec.field(default_factory=dict)
    denial: Templates = msgspec.field(default_factory=list)
    hate: Templates = msgspec.field(default_factory=list)
    counter: Templates = msgspec.field(default_factory=list)
    appeal: Templates = msgspec.field(default_factory=list)
    appeal_reply: Templates = msgspec.field(default_factory=list)
    tip: Templates = msgspec.field(default_factory=list)
    resolved: Templates = msgspec.field(default_factory=list)


def available_languages() -> list[str]:
    return sorted(path.stem for path in PHRASEBOOK_DIR.glob("*.yaml"))


@cache
def phrasebook(language: str) -> Phrasebook:
    path = PHRASEBOOK_DIR / f"{language}.yaml"
    if not path.is_file():
        raise ScenarioError(f"no phrasebook for language {language!r}",
                            fix=f"use one of: {', '.join(available_languages())}, or add phrasebooks/{language}.yaml")
    try:
        return msgspec.convert(yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader), Phrasebook)
    except (yaml.YAMLError, msgspec.ValidationError) as error:
        raise ScenarioError(f"phrasebook {path.name} is invalid: {error}", fix="fix the phrasebook file") from None
