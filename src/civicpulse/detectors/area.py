"""The operation's area: its districts and the landmarks people name them by, for the detectors.

A district's name is everyday talk ("New bakery opening in Rusholme") and does not burst when
something happens there, and the GeoNames gazetteer of towns knows no districts, streets or parks.
A force knows its own area: :class:`AreaMap` tells which district a post names ("the Curry Mile" is in
Rusholme) or is geotagged in, so that the event detector can count incident words *at a district*
("police", "helicopter", "search" from three accounts naming Rusholme, Platt Fields Park or the Curry
Mile), which everyday talk says far more rarely than either alone.

A name listed for two or more districts (a road through both) says nothing about which, and counts
for none. Names match as whole words, ignoring case, spacing and a leading "the" (even one whose space
was lost: "theCurry Mile").

The area comes from the ``area_file`` setting (:func:`load_area_file`; the same ``districts`` list as a
scenario's ``area``, see docs/configuration.md), or, when a scenario is replayed, from the scenario.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any

import msgspec
import yaml

from civicpulse.detectors.terms import text_terms
from civicpulse.errors import ConfigError, UsageError

__all__ = ["NEAR_PREFIX", "AreaMap", "DistrictShape", "configured_area", "is_near_term", "load_area_file", "near_term"]

#: Only the start of a very long text is searched (hostile input).
MAX_CHARS = 2000
#: An area file is a short list written by people; anything larger is a mistake or an attack.
MAX_FILE_BYTES = 2_000_000
MAX_NAMES = 20_000
_KM_PER_DEGREE = 111.32
#: The event detector's term for "incident words at this district" (a colon never occurs in a word).
NEAR_PREFIX = "near:"
AREA_FIX = ("see 'area_file' in docs/configuration.md: a YAML list of districts with name, lat, lon, "
            "radius_km, landmarks, or a GeoJSON FeatureCollection of district boundaries with a name property")


class DistrictShape(msgspec.Struct, frozen=True):
    """A district as the operation's area describes it: a centre, a radius and the names of its
    streets, parks and stations. Other fields of a scenario's district (``weight``) are ignored."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)]
    radius_km: Annotated[float, msgspec.Meta(gt=0, le=500)] = 1.0
    landmarks: Sequence[Annotated[str, msgspec.Meta(max_length=200)]] = ()

    def location(self) -> dict[str, Any]:
        """Where a signal located by this district is, in the form the dashboard and alert rules read."""
        return {"lat": self.lat, "lon": self.lon, "radius_m": round(self.radius_km * 1000), "district": self.name}


class _AreaFile(msgspec.Struct):
    districts: list[DistrictShape]


def near_term(district: str) -> str:
    """``near:city_centre``: one token, as the detector joins its pairs of terms with a space."""
    return NEAR_PREFIX + "_".join(district.lower().split())


def is_near_term(term: str) -> bool:
    return term.startswith(NEAR_PREFIX)


def _key(name: str) -> str:
    words = name.lower().split()  # lower(), not casefold(): the pattern matches with re.IGNORECASE
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


class AreaMap:
    """Which of the operation's districts a post names or is in."""

    def __init__(self, districts: Iterable[DistrictShape]) -> None:
        self.districts = tuple(districts)
        self._by_term = {near_term(d.name): d for d in self.districts}
        owners: dict[str, set[str]] = {}
        for district in self.districts:
            for name in (district.name, *district.landmarks):
                key = _key(name)
                if key:
                    owners.setdefault(key, set()).add(district.name)
        self._district_of = {name: next(iter(ds)) for name, ds in owners.items() if len(ds) == 1}
        #: Names listed for two or more districts, which count for none of them (with those districts).
        self.ambiguous = {name: sorted(ds) for name, ds in sorted(owners.items()) if len(ds) > 1}
        names = sorted(self._district_of, key=lambda n: (-len(n), n))  # the longest name first
        # A leading "the" may lose its space to a slip of the thumb ("theCurry Mile").
        self._pattern = (re.compile(r"(?<!\w)(?:the\s*)?(?P<name>" + "|".join(re.escape(n).replace(r"\ ", r"\s+")
                                                                                for n in names) + r")(?!\w)",
                                    re.IGNORECASE) if names else None)

    @classmethod
    def of(cls, districts: Iterable[Any]) -> AreaMap:
        """The map of districts given as any objects with ``name``, ``lat``, ``lon``, ``radius_km`` and
        ``landmarks`` (a scenario's ``area.districts``)."""
        return cls(msgspec.convert(d, DistrictShape, from_attributes=True) for d in districts)

    def __bool__(self) -> bool:
        return bool(self.districts)

    def named_in(self, text: str) -> set[str]:
        """The districts ``text`` names, by their own name or an unambiguous landmark."""
        return {district for district, _ in self.mentions(text)}

    def mentions(self, text: str) -> list[tuple[str, str]]:
        """Each name of a district in ``text``, as (district, the name as written), in text order."""
        if self._pattern is None:
            return []
        found = []
        for match in self._pattern.finditer(text[:MAX_CHARS]):
            district = self._district_of.get(_key(match.group("name")))
            if district is not None:
                found.append((district, match.group()))
        return found

    def district_named(self, name: str) -> str | None:
        """The district ``name`` (a district's own name or a landmark, any case) counts for."""
        return self._district_of.get(_key(name))

    def district_at(self, lat: float, lon: float) -> str | None:
        """The district whose centre is nearest the point, if the point is within its radius."""
        if not (math.isfinite(lat) and math.isfinite(lon)):
            return None
        best: tuple[float, str] | None = None
        scale = math.cos(math.radians(lat))
        for district in self.districts:
            km = math.hypot(lat - district.lat, (lon - district.lon) * scale) * _KM_PER_DEGREE
            if km <= district.radius_km and (best is None or km < best[0]):
                best = (km, district.name)
        return best[1] if best else None

    def district(self, term: str) -> DistrictShape | None:
        """The district a ``near:`` term stands for."""
        return self._by_term.get(term)

    def name_words(self) -> frozenset[str]:
        """The names that count for a district and are one word, as the event detector's terms
        spell them ("rusholme", "kehl"; not "port du rhin")."""
        return frozenset(words[0] for name in self._district_of if len(words := text_terms(name)) == 1
                         and words[0] == name)

    def names_of(self, district: str) -> list[str]:
        """The names that count for ``district`` (its own, then its landmarks not listed for another
        district), lower case, without a leading "the"; empty for a district the area lacks."""
        own = _key(district)
        return sorted((name for name, owner in self._district_of.items() if owner == district),
                      key=lambda name: (name != own, name))


def configured_area(area_file: str) -> AreaMap | None:
    """The area of the ``area_file`` setting; ``None`` when it is empty."""
    return load_area_file(Path(area_file)) if area_file else None


def _feature_districts(collection: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of district boundaries (as a GIS exports them) as a ``districts``
    list: each Polygon or MultiPolygon feature with a ``name`` property becomes the circle around its
    outline's centroid that covers every corner (optional ``landmarks`` property: a list of names).
    The detectors and the map use centres and radii; a circle covers more than its district, and a
    point in two circles belongs to the nearer centre (:meth:`AreaMap.district_at`)."""
    # Imported here: the alerts package builds on this module (rules watch districts), and its
    # geofence parser is the one validated, bounded GeoJSON reader.
    from civicpulse.alerts.geofence import parse_geofence

    features = collection.get("features")
    if not isinstance(features, list):
        raise ValueError("a FeatureCollection needs a 'features' list")
    districts = []
    for n, feature in enumerate(features, 1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        properties = properties if isinstance(properties, dict) else {}
        name = next((properties[k] for k in ("name", "NAME", "Name") if isinstance(properties.get(k), str)), "")
        if not name.strip():
            raise ValueError(f"feature {n} has no 'name' property")
        try:
            fence = parse_geofence(feature)
        except UsageError as error:
            raise ValueError(f"feature {n} ({name[:80]}): {error.message}") from None
        lat, lon, radius_km = _covering_circle([p.outline for p in fence.polygons])
        districts.append({"name": name, "lat": lat, "lon": lon, "radius_km": radius_km,
                          "landmarks": properties.get("landmarks") or []})
    return {"districts": districts}


def _covering_circle(outlines: Sequence[Sequence[tuple[float, float]]]) -> tuple[float, float, float]:
    """The area-weighted centroid of the outlines (planar on longitude and latitude: city scale) and
    the distance (km) to their farthest corner, at least 100 m."""
    weight = sum_x = sum_y = 0.0
    for ring in outlines:
        for (x1, y1), (x2, y2) in zip(ring, (*ring[1:], ring[0]), strict=True):
            cross = x1 * y2 - x2 * y1
            weight += cross
            sum_x += (x1 + x2) * cross
            sum_y += (y1 + y2) * cross
    corners = [corner for ring in outlines for corner in ring]
    if abs(weight) > 1e-15:
        lon, lat = sum_x / (3 * weight), sum_y / (3 * weight)
    else:  # degenerate (no area): the mean of the corners
        lon, lat = sum(c[0] for c in corners) / len(corners), sum(c[1] for c in corners) / len(corners)
    scale = math.cos(math.radians(lat))
    farthest = max(math.hypot(y - lat, (x - lon) * scale) for x, y in corners) * _KM_PER_DEGREE
    return round(lat, 6), round(lon, 6), round(max(0.1, farthest), 3)


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def load_area_file(path: Path) -> AreaMap:
    """Read an area file: YAML (or JSON) with a ``districts`` list, a scenario file (its ``area``), or
    a GeoJSON FeatureCollection of district boundaries."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ConfigError(f"area_file {path}: cannot be read ({error.strerror})", fix="check the path") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(f"area_file {path}: larger than {MAX_FILE_BYTES:,} bytes", fix=AREA_FIX)
    try:
        # JSON first when it looks like JSON: a GIS's GeoJSON may be indented with tabs, which YAML refuses.
        data: Any = _json_or_none(raw) if raw.lstrip().startswith(b"{") else None
        if data is None:
            data = yaml.load(raw, Loader=yaml.CSafeLoader)
        if isinstance(data, dict) and isinstance(data.get("area"), dict):
            data = data["area"]
        if isinstance(data, dict) and data.get("type") == "FeatureCollection":
            data = _feature_districts(data)
        area = msgspec.convert(data, _AreaFile, strict=False)
    except yaml.YAMLError:
        raise ConfigError(f"area_file {path}: not valid YAML", fix=AREA_FIX) from None
    except (msgspec.ValidationError, ValueError, TypeError, RecursionError) as error:
        raise ConfigError(f"area_file {path}: {str(error)[:300]}", fix=AREA_FIX) from None
    if sum(1 + len(d.landmarks) for d in area.districts) > MAX_NAMES:
        raise ConfigError(f"area_file {path}: more than {MAX_NAMES:,} names", fix=AREA_FIX)
    return AreaMap(area.districts)
