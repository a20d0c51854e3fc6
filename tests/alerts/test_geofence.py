from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicpulse.alerts.geofence import MAX_VERTICES, parse_geofence
from civicpulse.errors import UsageError

SQUARE = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]]
HOLE = [[4.0, 4.0], [6.0, 4.0], [6.0, 6.0], [4.0, 6.0], [4.0, 4.0]]


def test_polygon_with_hole() -> None:
    fence = parse_geofence(json.dumps({"type": "Polygon", "coordinates": [SQUARE, HOLE]}))
    assert fence.contains(lat=2.0, lon=2.0)
    assert not fence.contains(lat=5.0, lon=5.0)  # in the hole
    assert not fence.contains(lat=2.0, lon=12.0)
    assert not fence.contains(lat=float("nan"), lon=2.0)


def test_multipolygon_and_feature() -> None:
    far = [[[50.0, 50.0], [51.0, 50.0], [51.0, 51.0], [50.0, 50.0]]]
    fence = parse_geofence({"type": "Feature", "properties": {},
                            "geometry": {"type": "MultiPolygon", "coordinates": [[SQUARE], far]}})
    assert fence.contains(lat=50.2, lon=50.8)
    assert fence.contains(lat=1.0, lon=1.0)
    assert parse_geofence(fence.to_geojson()) == fence


@pytest.mark.parametrize(("geojson", "says"), [
    ('{"type": "Point", "coordinates": [1, 2]}', "Polygon or MultiPolygon"),
    ('{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}', "not closed"),
    ('{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}', "at least 4"),
    ('{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 95], [0, 0]]]}', "outside longitude"),
    ('{"type": "Polygon", "coordinates": [[[170, 0], [-170, 0], [-170, 1], [170, 0]]]}', "antimeridian"),
    ("{not json", "not JSON"),
])
def test_invalid_shapes_are_refused_with_the_reason(geojson: str, says: str) -> None:
    with pytest.raises(UsageError, match=says) as caught:
        parse_geofence(geojson)
    assert "longitude first" in caught.value.fix


def test_size_is_bounded() -> None:
    ring = [[i / 1e5, 0.0] for i in range(MAX_VERTICES)] + [[0.0, 1.0], [0.0, 0.0]]
    with pytest.raises(UsageError, match="simplify"):
        parse_geofence({"type": "Polygon", "coordinates": [ring]})


@given(st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                    max_leaves=30))
def test_never_crashes_on_arbitrary_json(value: object) -> None:
    for candidate in (value, {"type": "Polygon", "coordinates": value}, {"type": "MultiPolygon", "coordinates": value}):
        with contextlib.suppress(UsageError):
            parse_geofence(json.dumps(candidate))
