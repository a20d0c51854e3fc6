"""Places: geotag first, then gazetteer matches in the text and the profile, ambiguity resolved by
population or by the configured area, everyday words refused, H3 cells at the configured resolution."""

from __future__ import annotations

from typing import Any

import h3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicpulse.analysers.gazetteer import load_gazetteer, name_key, place_stopwords
from civicpulse.analysers.places import PlacesAnalyser
from civicpulse.config import Settings
from civicpulse.post import Author, Geo, GeoSource
from civicpulse.testing import make_post

LEEDS_BBOX = (53.70, -1.80, 53.95, -1.29)
TEXAS_BBOX = (29.0, -99.0, 35.0, -94.0)


@pytest.fixture(scope="module")
def places() -> PlacesAnalyser:
    return PlacesAnalyser(Settings())


def found(analyser: PlacesAnalyser, text: str) -> list[tuple[str, str, str]]:
    out = analyser.analyse_one(make_post(text=text))
    return [(p["name"], p["country"], text[p["start"]:p["end"]]) for p in out["places"]]


@pytest.mark.parametrize(("text", "expected"), [
    ("Protest in Paris tonight", [("Paris", "FR", "Paris")]),
    ("LEEDS RIOTS", [("Leeds", "GB", "LEEDS")]),
    ("Flights from New York to Stoke-on-Trent", [("New York City", "US", "New York"),
                                                  ("Stoke-on-Trent", "GB", "Stoke-on-Trent")]),
    ("Je vais à Londres et à München", [("London", "GB", "Londres"), ("Munich", "DE", "München")]),
    ("Holiday in Nice was great", [("Nice", "FR", "Nice")]),
    ("Nice one mate", []),
    ("Reading is fun", []),
    ("Police say the road is closed", []),
    ("Traffic on Elland Road and Dewsbury Road", []),
    ("Leeds station is closed, Leeds again", [("Leeds", "GB", "Leeds")]),
    ("the paris agreement", []),  # lower case in a text is not a name
    ("", []),
])
def test_text_matches(places: PlacesAnalyser, text: str, expected: list[tuple[str, str, str]]) -> None:
    assert found(places, text) == expected


def test_geotag_wins_and_carries_its_cell(places: PlacesAnalyser) -> None:
    post = make_post(text="Riot in Paris").replace(geo=Geo(source=GeoSource.GEOTAG, lat=53.8, lon=-1.55))
    out = places.analyse_one(post)
    assert out["source"] == "geotag"
    assert out["confidence"] == 1.0
    assert out["h3"] == h3.latlng_to_cell(53.8, -1.55, 8)
    assert [p["name"] for p in out["places"]] == ["Paris"]  # still listed, but not the location


def test_profile_location_any_case_and_nothing_found(places: PlacesAnalyser) -> None:
    post = make_post(text="hello").replace(author=Author(id="a", profile_location="harehills, leeds 🏠"))
    out: dict[str, Any] = places.analyse_one(post)
    assert (out["source"], out["places"][0]["name"]) == ("profile", "Leeds")
    assert "start" not in out["places"][0]
    empty = places.analyse_one(make_post(text="nothing to see"))
    assert empty == {"source": None, "lat": None, "lon": None, "h3": None, "confidence": None, "places": []}


def test_place_name_only_geo_is_resolved(places: PlacesAnalyser) -> None:
    post = make_post(text="hi").replace(geo=Geo(source=GeoSource.GEOTAG, place_name="Manchester, England"))
    out = places.analyse_one(post)
    assert (out["source"], out["places"][0]["name"], out["places"][0]["country"]) == ("geotag", "Manchester", "GB")


def test_ambiguity_prefers_population_then_the_configured_area(places: PlacesAnalyser) -> None:
    assert found(places, "Paris tonight")[0][:2] == ("Paris", "FR")
    texas = PlacesAnalyser(Settings(places_bbox=TEXAS_BBOX))
    out = texas.analyse_one(make_post(text="Paris tonight"))["places"][0]
    assert (out["name"], out["country"]) == ("Paris", "US")
    default = places.analyse_one(make_post(text="Paris tonight"))["places"][0]
    # Outside the configured area a match is less certain than without any area.
    leeds = PlacesAnalyser(Settings(places_bbox=LEEDS_BBOX))
    assert leeds.analyse_one(make_post(text="Paris tonight"))["places"][0]["confidence"] < default["confidence"]
    assert leeds.analyse_one(make_post(text="Leeds tonight"))["places"][0]["confidence"] > 0.9


def test_resolution_is_configurable() -> None:
    coarse = PlacesAnalyser(Settings(places_h3_resolution=4)).analyse_one(make_post(text="in Leeds"))
    assert h3.get_resolution(coarse["h3"]) == 4


def test_gazetteer_keys_and_stopwords() -> None:
    gazetteer = load_gazetteer()
    assert name_key("Stoke-on-Trent") == "stoke on trent"
    assert gazetteer.places[gazetteer.names["leeds"][0]].country == "GB"
    assert "lba" not in gazetteer.names  # codes are not names
    assert {"police", "nice", "reading"} <= place_stopwords()
    assert "leeds" not in place_stopwords()


def test_every_post_gets_a_result(places: PlacesAnalyser) -> None:
    posts = [make_post(i, t) for i, t in enumerate(["in Leeds", "", "Paris " * 20_000])]
    out = places.analyse_many(posts)
    assert len(out) == 3
    assert len(out[2]["places"]) == 1  # the same place mentioned many times is listed once


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200), profile=st.one_of(st.none(), st.text(max_size=60)))
def test_any_text_gives_a_valid_result(places: PlacesAnalyser, text: str, profile: str | None) -> None:
    post = make_post(text=text).replace(author=Author(id="a", profile_location=profile))
    out = places.analyse_one(post)
    for place in out["places"]:
        assert 0.0 < place["confidence"] <= 1.0
        assert h3.is_valid_cell(place["h3"])
        if "start" in place:
            assert 0 <= place["start"] < place["end"] <= len(text)
