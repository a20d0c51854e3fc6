"""Places: where a post is from or about, with where that came from, a confidence and an H3 cell.

A geotag (``Post.geo`` with coordinates) is the answer when there is one. Otherwise place names are
looked up, as token n-grams of up to four words, in the offline GeoNames gazetteer
(:mod:`civicpulse.analysers.gazetteer`): in the text (only capitalised words start a name) and in
the author's ``profile_location`` (any case). One dictionary probe per capitalised word, so the cost
does not grow with the size of the gazetteer.

Ambiguity: a name with several candidates ("Paris" in France or Texas) resolves to the most
populous one, unless ``places_bbox`` names the monitored area, in which case a candidate inside it
wins. Names that are also everyday words ("Nice", "Police", "Reading") count only after a locative
preposition ("in Nice"). The confidence is a ranking heuristic, not a calibrated probability: the
candidate's share of the population of all places of that name, raised inside the configured area,
lowered outside it and for everyday-word names. H3 cells use ``places_h3_resolution``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Self

import h3

from civicpulse.analysers.base import Analyser
from civicpulse.analysers.gazetteer import WORD, Gazetteer, Place, load_gazetteer, place_stopwords
from civicpulse.config import Settings
from civicpulse.post import GeoSource, Post
from civicpulse.registry import analysers

__all__ = ["PlacesAnalyser"]

#: Only the start of a very long text is searched.
MAX_CHARS = 2000
MAX_PLACES = 10
#: Profiles repeat (one per account): their places are cached, up to this many profiles.
PROFILE_CACHE = 50_000
_LOCATIVE = frozenset({"in", "at", "near", "from", "to", "around", "outside", "à", "a", "en", "dans", "près",
                       "de", "desde", "cerca", "bei", "nach", "aus", "im", "di", "da", "vicino", "naar", "uit",
                       "bij", "nabij", "te"})
_STREET_WORDS = frozenset({
    "road", "rd", "street", "st", "lane", "avenue", "ave", "way", "drive", "close", "terrace", "crescent", "park",
    "corner", "square", "row", "place", "gardens", "grove", "hill", "rue", "boulevard", "straße", "strasse",
    "allee", "platz", "straat", "laan", "calle", "via"})
_GEO_CONFIDENCE = {GeoSource.GEOTAG: 1.0, GeoSource.PROFILE: 0.7, GeoSource.TEXT: 0.6}


#: A capitalised word: where a place name in a post's text can start.
_CAPITALISED = re.compile(r"\b[^\W\d_a-zß-ÿ][^\W\d_]*(?:['’][^\W\d_]+)*")
#: The next word of a multi-word name, after a space or hyphen ("Stoke-on-Trent", "New York").
_NEXT_WORD = re.compile(r"[ -]{1,2}([^\W\d_]+(?:['’][^\W\d_]+)*)")
_PREVIOUS_WORD = re.compile(r"([^\W\d_]+)[ ]+$")


def _before_street_word(text: str, end: int) -> bool:
    """"Elland Road", "Hyde Park", "Dewsbury Road": a street or park named after a town. ("Leeds station"
    and "Manchester Airport" are in the town, so they still count.)"""
    following = _NEXT_WORD.match(text, end)
    return following is not None and following.group(1).casefold() in _STREET_WORDS


def _after_locative(text: str, start: int) -> bool:
    previous = _PREVIOUS_WORD.search(text, max(0, start - 24), start)
    return previous is not None and previous.group(1).casefold() in _LOCATIVE


class _Match:
    __slots__ = ("confidence", "end", "place", "start")

    def __init__(self, place: Place, confidence: float, start: int, end: int) -> None:
        self.place, self.confidence, self.start, self.end = place, confidence, start, end


@analysers.register("places")
class PlacesAnalyser(Analyser):
    """Per post: the best location (``source``, ``lat``, ``lon``, ``h3``, ``confidence``; all ``null``
    when none was found) and ``places``, every place found with its name, country, GeoNames id,
    source, confidence, H3 cell and, for text matches, its span."""

    name = "places"
    version = 1

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(settings)

    def __init__(self, settings: Settings | None = None) -> None:
        settings = settings or Settings()
        self.resolution = settings.places_h3_resolution
        self.bbox = settings.places_bbox or None
        self._gazetteer: Gazetteer = load_gazetteer()
        self._stopwords = place_stopwords()
        self._cells: dict[int, str] = {}
        self._profiles: dict[str, list[_Match]] = {}
        #: Name key -> chosen place and confidence (at most one entry per gazetteer key).
        self._resolved: dict[str, tuple[Place, float]] = {}

    # -- lookup ----------------------------------------------------------------------------------------

    def _inside(self, place: Place) -> bool:
        assert self.bbox is not None
        south, west, north, east = self.bbox
        in_lon = west <= place.lon <= east if west <= east else (place.lon >= west or place.lon <= east)
        return south <= place.lat <= north and in_lon

    def _resolve(self, key: str, everyday: bool) -> tuple[Place, float]:
        cached = self._resolved.get(key)
        if cached is None:
            cached = self._resolved[key] = self._choose(key, everyday)
        return cached

    def _choose(self, key: str, everyday: bool) -> tuple[Place, float]:
        candidates = [self._gazetteer.places[i] for i in self._gazetteer.names[key]]
        chosen = candidates[0]
        factor = 0.8 if everyday else 1.0
        if self.bbox is not None:
            inside = [p for p in candidates if self._inside(p)]
            if inside:
                chosen, factor = inside[0], factor * 1.25
            else:
                factor *= 0.6
        total = sum(max(p.population, 1) for p in candidates)
        share = max(chosen.population, 1) / total
        return chosen, round(min(0.95, (0.5 + 0.4 * share) * factor), 3)

    def _find(self, text: str, capitalised: bool) -> list[_Match]:
        text = text[:MAX_CHARS]
        index, first_words, prefixes = self._gazetteer.names, self._gazetteer.first_words, self._gazetteer.prefixes
        found: list[_Match] = []
        seen: set[int] = set()
        resume = 0
        for m in (_CAPITALISED if capitalised else WORD).finditer(text):
            if m.start() < resume:
                continue
            key = m.group().casefold().replace("’", "'")
            if key not in first_words:
                continue
            best, end, pos = (key if key in index else None), m.end(), m.end()
            while key in prefixes:  # the longest name that starts here wins
                following = _NEXT_WORD.match(text, pos)
                if following is None:
                    break
                key, pos = f"{key} {following.group(1).casefold()}", following.end()
                if key in index:
                    best, end = key, pos
            if best is None or _before_street_word(text, end):
                continue
            # Everyday words ("Nice") and very short names ("Wa", "Ath") need "in", "to", "à" ... before them.
            everyday = best in self._stopwords or len(best) <= 3
            if everyday and not _after_locative(text, m.start()):
                continue
            place, confidence = self._resolve(best, everyday)
            if place.geonameid not in seen:
                seen.add(place.geonameid)
                found.append(_Match(place, confidence, m.start(), end))
                if len(found) == MAX_PLACES:
                    break
            resume = end
        return found

    def _profile(self, location: str) -> list[_Match]:
        cached = self._profiles.get(location)
        if cached is None:
            if len(self._profiles) >= PROFILE_CACHE:
                self._profiles.clear()
            cached = self._profiles[location] = self._find(location[:200], capitalised=False)
        return cached

    def _cell(self, lat: float, lon: float) -> str:
        return str(h3.latlng_to_cell(lat, lon, self.resolution))

    def _place_cell(self, place: Place) -> str:
        cell = self._cells.get(place.geonameid)
        if cell is None:
            cell = self._cells[place.geonameid] = self._cell(place.lat, place.lon)
        return cell

    # -- output ----------------------------------------------------------------------------------------

    def _describe(self, match: _Match, source: str, with_span: bool) -> dict[str, Any]:
        place = match.place
        out: dict[str, Any] = {"name": place.name, "country": place.country, "geonameid": place.geonameid,
                               "lat": place.lat, "lon": place.lon, "h3": self._place_cell(place),
                               "source": source, "confidence": match.confidence}
        if with_span:
            out["start"], out["end"] = match.start, match.end
        return out

    def analyse_one_post(self, post: Post) -> dict[str, Any]:
        places: list[dict[str, Any]] = []
        geo = post.geo
        if geo is not None and geo.place_name and (geo.lat is None or geo.lon is None):
            places += [self._describe(m, geo.source.value, False)
                       for m in self._find(geo.place_name[:200], capitalised=False)[:1]]
        places += [self._describe(m, GeoSource.TEXT.value, True) for m in self._find(post.text or "", True)]
        location = post.author.profile_location
        if location:
            places += [self._describe(m, GeoSource.PROFILE.value, False) for m in self._profile(location)]
        best: dict[str, Any] = {"source": None, "lat": None, "lon": None, "h3": None, "confidence": None}
        if geo is not None and geo.lat is not None and geo.lon is not None:
            best = {"source": geo.source.value, "lat": geo.lat, "lon": geo.lon, "h3": self._cell(geo.lat, geo.lon),
                    "confidence": _GEO_CONFIDENCE[geo.source]}
        elif places:
            top = max(places, key=lambda p: p["confidence"])  # first wins ties: place name, then text
            best = {k: top[k] for k in best}
        return {**best, "places": places[:MAX_PLACES]}

    def analyse_many(self, posts: Sequence[Post]) -> list[Any]:
        return [self.analyse_one_post(post) for post in posts]
