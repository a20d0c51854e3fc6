"""The operation's area: which district a post names or is geotagged in; the area file."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicpulse.detectors.area import (
    AreaMap,
    DistrictShape,
    _feature_districts,
    is_near_term,
    load_area_file,
    near_term,
)
from civicpulse.errors import ConfigError

AREA = AreaMap([
    DistrictShape("Rusholme", 53.456, -2.224, 1.0, ("Platt Fields Park", "Wilmslow Road", "the Curry Mile")),
    DistrictShape("Hulme", 53.465, -2.250, 0.8, ("Hulme Park",)),
    DistrictShape("Didsbury", 53.416, -2.231, 1.5, ("Fletcher Moss Gardens", "Wilmslow Road")),
    DistrictShape("City Centre", 53.4808, -2.2426, 1.2, ("Piccadilly Gardens",)),
])
BUILTIN = Path(__file__).parents[2] / "src" / "civicpulse" / "scenarios" / "builtin"


def test_a_district_is_named_by_its_name_or_a_landmark_in_any_case_and_spacing() -> None:
    assert AREA.named_in("Helicopter circling over RUSHOLME") == {"Rusholme"}
    assert AREA.named_in("Loads of police searching the Curry Mile right now") == {"Rusholme"}
    assert AREA.named_in("police at curry   mile") == {"Rusholme"}
    assert AREA.named_in("Smoke over Platt Fields Park and Piccadilly Gardens") == {"Rusholme", "City Centre"}
    assert AREA.named_in("Sirens in the city centre") == {"City Centre"}
    assert AREA.named_in("Volunteers gathering at theCurry Mile") == {"Rusholme"}  # a space lost


def test_a_name_leads_back_to_the_district_it_counts_for() -> None:
    assert AREA.district_named("curry mile") == "Rusholme"
    assert AREA.district_named("PLATT FIELDS PARK") == "Rusholme"
    assert AREA.district_named("Hulme") == "Hulme"
    assert AREA.district_named("Wilmslow Road") is None  # listed for two districts
    assert AREA.district_named("Atlantis") is None


def test_each_name_is_given_as_written() -> None:
    assert AREA.mentions("Police on the Curry  Mile, then RUSHOLME") == [("Rusholme", "the Curry  Mile"),
                                                                         ("Rusholme", "RUSHOLME")]
    assert AREA.mentions("Police on theCurry Mile") == [("Rusholme", "theCurry Mile")]


def test_only_whole_words_count_and_a_name_shared_by_two_districts_counts_for_none() -> None:
    assert AREA.named_in("Rusholme") == {"Rusholme"}
    assert AREA.named_in("Hulmes and Rusholmers") == set()
    assert AREA.named_in("Police all along Wilmslow Road") == set()  # Rusholme or Didsbury?
    assert AREA.named_in("Police on Wilmslow Road in Didsbury") == {"Didsbury"}


def test_a_geotag_is_in_the_nearest_district_whose_radius_covers_it() -> None:
    assert AREA.district_at(53.4562, -2.2245) == "Rusholme"
    overlapping = AreaMap([DistrictShape("West", 50.0, 0.0, 2.0), DistrictShape("East", 50.0, 0.02, 2.0)])
    assert overlapping.district_at(50.0, 0.009) == "West"
    assert overlapping.district_at(50.0, 0.011) == "East"
    assert AREA.district_at(53.30, -2.00) is None
    assert AREA.district_at(float("nan"), 0.0) is None


def test_a_district_term_is_one_token_and_leads_back_to_its_district() -> None:
    assert near_term("City  Centre") == "near:city_centre"
    assert is_near_term("near:city_centre")
    assert not is_near_term("police")
    district = AREA.district("near:city_centre")
    assert district is not None
    assert district.name == "City Centre"
    assert AREA.district("near:atlantis") is None
    assert not AreaMap([])
    assert AreaMap([]).named_in("Rusholme") == set()


@given(st.lists(st.text(max_size=30), max_size=6), st.text(max_size=300))
def test_any_names_and_any_text_give_districts_of_the_area(names: list[str], text: str) -> None:
    area = AreaMap(DistrictShape(f"d{i}", 0.0, 0.0, 1.0, (name,)) for i, name in enumerate(names))
    assert area.named_in(text) <= {f"d{i}" for i in range(len(names))}
    assert area.named_in(text + " " + " ".join(names)) <= {f"d{i}" for i in range(len(names))}


def test_the_area_file_is_a_list_of_districts_or_a_scenario(tmp_path: Path) -> None:
    path = tmp_path / "area.yaml"
    path.write_text("districts:\n  - {name: Rusholme, lat: 53.456, lon: -2.224, landmarks: [the Curry Mile]}\n")
    area = load_area_file(path)
    assert area.named_in("police on the Curry Mile") == {"Rusholme"}
    assert area.districts[0].radius_km == 1.0
    scenario = load_area_file(BUILTIN / "missing-child.yaml")
    assert scenario.named_in("Helicopter over Platt Fields Park") == {"Rusholme"}
    assert AreaMap.of(scenario.districts).named_in("Moss Lane East") == {"Moss Side"}


def _feature(name: object, west: float, south: float, east: float, north: float,
             **properties: object) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Feature", "properties": {"name": name, **properties},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_the_area_file_can_be_district_boundaries_from_a_gis(tmp_path: Path) -> None:
    """A GeoJSON FeatureCollection as a GIS exports a force's neighbourhoods: each becomes the circle
    around its centroid that covers it."""
    collection = {"type": "FeatureCollection", "features": [
        _feature("Rusholme", -2.234, 53.446, -2.214, 53.466, landmarks=["the Curry Mile"]),
        {**_feature("Hulme", -2.26, 53.46, -2.24, 53.47), "geometry": {"type": "MultiPolygon", "coordinates": [
            _feature("", -2.26, 53.46, -2.25, 53.47)["geometry"]["coordinates"],
            _feature("", -2.25, 53.46, -2.24, 53.47)["geometry"]["coordinates"]]}}]}
    path = tmp_path / "neighbourhoods.geojson"
    path.write_text(json.dumps(collection, indent="\t"))  # tabs: JSON, not YAML
    area = load_area_file(path)
    rusholme, hulme = area.districts
    assert (rusholme.lat, rusholme.lon) == pytest.approx((53.456, -2.224))
    # Half the diagonal of a box 2.2 km north-south and 1.3 km east-west.
    assert rusholme.radius_km == pytest.approx(math.hypot(1.113, 0.663), abs=0.01)
    assert (hulme.lat, hulme.lon) == pytest.approx((53.465, -2.25))
    assert area.named_in("police on the Curry Mile") == {"Rusholme"}
    assert area.district_at(53.4655, -2.2555) == "Hulme"


@pytest.mark.parametrize(("features", "says"), [
    ([_feature("", 0, 0, 1, 1)], "feature 1 has no 'name' property"),
    ([_feature("A", 0, 0, 1, 1), {"type": "Feature", "properties": {"name": "B"}, "geometry": {"type": "Point"}}],
     r"feature 2 \(B\): invalid geofence"),
    ("nope", "needs a 'features' list"),
])
def test_a_wrong_boundary_file_names_the_feature(tmp_path: Path, features: object, says: str) -> None:
    path = tmp_path / "neighbourhoods.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    with pytest.raises(ConfigError, match=says) as error:
        load_area_file(path)
    assert "FeatureCollection" in error.value.fix


@given(st.floats(-170, 170), st.floats(-80, 80), st.floats(0.0001, 0.5), st.floats(0.0001, 0.5))
def test_a_district_circle_covers_its_boundary(west: float, south: float, width: float, height: float) -> None:
    collection = {"type": "FeatureCollection", "features": [_feature("D", west, south, west + width, south + height)]}
    [district] = _feature_districts(collection)["districts"]
    scale = math.cos(math.radians(district["lat"]))
    for lon, lat in ((west, south), (west + width, south + height), (west, south + height)):
        km = math.hypot(lat - district["lat"], (lon - district["lon"]) * scale) * 111.32
        assert km <= district["radius_km"] + 1e-3


@pytest.mark.parametrize(("content", "says"), [
    ("districts: [{name: X, lat: 91, lon: 0}]", "lat"),
    ("districts: [{name: X}]", "lat"),
    ("- just a list", "districts"),
    ("districts: [unclosed", "not valid YAML"),
])
def test_a_wrong_area_file_says_what_is_wrong_and_how_to_fix_it(tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "area.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=says) as error:
        load_area_file(path)
    assert "docs/configuration.md" in error.value.fix
    with pytest.raises(ConfigError, match="cannot be read"):
        load_area_file(tmp_path / "missing.yaml")


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
                     lambda children: st.lists(children, max_size=5) | st.dictionaries(
                         st.sampled_from(["type", "features", "properties", "geometry", "coordinates", "name",
                                          "landmarks", "districts", "lat", "lon"]), children, max_size=5),
                     max_leaves=30)


@given(_JSON)
def test_any_area_file_gives_an_area_or_a_config_error(tmp_path_factory: pytest.TempPathFactory,
                                                       content: object) -> None:
    path = tmp_path_factory.mktemp("area") / "area.json"
    document = {"type": "FeatureCollection", "features": content} if isinstance(content, list) else content
    path.write_text(json.dumps(document))
    fix = ""
    try:
        area = load_area_file(path)
    except ConfigError as error:
        fix = error.fix or ""
        area = AreaMap([])
    assert not fix or "configuration.md" in fix
    assert all(-90 <= d.lat <= 90 and d.radius_km > 0 for d in area.districts)
