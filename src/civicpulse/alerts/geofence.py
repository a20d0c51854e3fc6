"""Geofences: GeoJSON Polygon / MultiPolygon areas, validated and bounded, with point-in-polygon.

Coordinates are GeoJSON order, ``[longitude, latitude]``. A polygon's first ring is its outline and
any further rings are holes (a stadium with its car park cut out). A geofence is attacker-sized
input (pasted or uploaded), so its text, ring and vertex counts are bounded. Tests use ray casting
with a bounding-box check first; areas are small (a city at most), so planar geometry on
longitude/latitude is accurate enough, and the antimeridian is not supported (the error says so).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from civicpulse.errors import UsageError

__all__ = ["MAX_GEOJSON_BYTES", "MAX_VERTICES", "Geofence", "parse_geofence"]

MAX_GEOJSON_BYTES = 1_000_000
MAX_VERTICES = 20_000
MAX_RINGS = 1_000

Ring = tuple[tuple[float, float], ...]
_FIX = ('give a GeoJSON Polygon or MultiPolygon, e.g. {"type": "Polygon", "coordinates": '
        '[[[4.88, 52.36], [4.92, 52.36], [4.92, 52.38], [4.88, 52.38], [4.88, 52.36]]]} (longitude first)')


def _fail(message: str) -> UsageError:
    return UsageError(f"invalid geofence: {message}", fix=_FIX)


@dataclass(frozen=True, slots=True)
class _Polygon:
    outline: Ring
    holes: tuple[Ring, ...]
    box: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


def _inside_ring(ring: Ring, lon: float, lat: float) -> bool:
    inside = False
    x1, y1 = ring[-1]
    for x2, y2 in ring:
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
        x1, y1 = x2, y2
    return inside


@dataclass(frozen=True, slots=True)
class Geofence:
    polygons: tuple[_Polygon, ...]

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point lies inside any polygon and outside that polygon's holes."""
        if not (math.isfinite(lat) and math.isfinite(lon)):
            return False
        for polygon in self.polygons:
            west, south, east, north = polygon.box
            if not (west <= lon <= east and south <= lat <= north):
                continue
            if _inside_ring(polygon.outline, lon, lat) and not any(
                    _inside_ring(hole, lon, lat) for hole in polygon.holes):
                return True
        return False

    def to_geojson(self) -> dict[str, Any]:
        rings = [[[list(p) for p in (*ring, ring[0])] for ring in (poly.outline, *poly.holes)]
                 for poly in self.polygons]
        if len(rings) == 1:
            return {"type": "Polygon", "coordinates": rings[0]}
        return {"type": "MultiPolygon", "coordinates": rings}


def _ring(raw: Any, where: str) -> Ring:
    if not isinstance(raw, list) or len(raw) < 4:
        raise _fail(f"{where} needs at least 4 positions (a triangle, first position repeated at the end)")
    points: list[tuple[float, float]] = []
    for n, position in enumerate(raw):
        if (not isinstance(position, list) or len(position) not in (2, 3)
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position)):
            raise _fail(f"{where}, position {n + 1} is not [longitude, latitude]")
        lon, lat = float(position[0]), float(position[1])
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            raise _fail(f"{where}, position {n + 1} ({lon}, {lat}) is outside longitude -180..180, "
                        "latitude -90..90 (GeoJSON puts longitude first)")
        points.append((lon, lat))
    if points[0] != points[-1]:
        raise _fail(f"{where} is not closed (its last position must repeat its first)")
    if len(set(points)) < 3:
        raise _fail(f"{where} has fewer than 3 distinct corners")
    if max(p[0] for p in points) - min(p[0] for p in points) > 180:
        raise _fail(f"{where} crosses the antimeridian (180° longitude), which is not supported")
    return tuple(points[:-1])


def _polygon(raw: Any, where: str) -> _Polygon:
    if not isinstance(raw, list) or not raw:
        raise _fail(f"{where} needs a list of rings")
    rings = [_ring(r, f"{where}, ring {n + 1}") for n, r in enumerate(raw)]
    outline = rings[0]
    box = (min(p[0] for p in outline), min(p[1] for p in outline),
           max(p[0] for p in outline), max(p[1] for p in outline))
    return _Polygon(outline, tuple(rings[1:]), box)


def parse_geofence(source: str | dict[str, Any]) -> Geofence:
    """A geofence from GeoJSON text or an already-decoded object (a geometry or a Feature)."""
    if isinstance(source, str):
        if len(source.encode("utf-8", "surrogatepass")) > MAX_GEOJSON_BYTES:
            raise _fail(f"larger than {MAX_GEOJSON_BYTES:,} bytes; simplify the shape")
        try:
            data: Any = json.loads(source)
        except (ValueError, RecursionError) as error:
            raise _fail(f"not JSON ({error})") from None
    else:
        data = source
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
        raise _fail("the type must be Polygon or MultiPolygon (or a Feature holding one)")
    coordinates = data.get("coordinates")
    raw_polygons: Sequence[Any] = [coordinates] if data["type"] == "Polygon" else coordinates  # type: ignore[assignment]
    if not isinstance(raw_polygons, list) or not raw_polygons:
        raise _fail("coordinates are missing or empty")
    if sum(len(p) for p in raw_polygons if isinstance(p, list)) > MAX_RINGS:
        raise _fail(f"more than {MAX_RINGS} rings")
    vertices = sum(len(r) for p in raw_polygons if isinstance(p, list) for r in p if isinstance(r, list))
    if vertices > MAX_VERTICES:
        raise _fail(f"{vertices:,} positions, more than {MAX_VERTICES:,}; simplify the shape")
    return Geofence(tuple(_polygon(p, f"polygon {n + 1}") for n, p in enumerate(raw_polygons)))
