"""How the dashboard presents posts and signals: badges, examples, locations, spread and stance."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from civicpulse.detectors.area import AreaMap, DistrictShape
from civicpulse.detectors.base import Signal
from civicpulse.detectors.relations import related_rumours
from civicpulse.governance.redaction import Redactor
from civicpulse.post import Geo, GeoSource
from civicpulse.testing import make_post
from civicpulse.web.views import (
    MAX_MAP_DISTRICTS,
    detector_limits,
    event_map,
    one_row_per_verdict,
    post_view,
    readings,
    related_view,
    signal_view,
    wordings_view,
)


def _district(name: str, lat: float, lon: float, radius_km: float = 1.0) -> DistrictShape:
    return DistrictShape(name=name, lat=lat, lon=lon, radius_km=radius_km)


LEEDS = AreaMap([_district("City Centre", 53.7997, -1.5492, 1.2), _district("Harehills", 53.8130, -1.5080),
                 _district("Beeston", 53.7720, -1.5650, 1.2), _district("York", 53.9600, -1.0800, 3.0)])


def test_readings_show_flags_first_and_only_what_says_something() -> None:
    enrichments = {
        "sentiment/1": {"label": "neutral", "probs": {"negative": 0.2, "neutral": 0.5, "positive": 0.3}},
        "emotion/2": {"label": "anger", "probs": {"anger": 0.7, "joy": 0.3}},
        "offensive/3": {"label": "offensive", "probs": {"not-offensive": 0.1, "offensive": 0.9},
                        "profile": "accurate"},
        "hate/3": {"label": "not-hate", "probs": {"not-hate": 0.8, "hate": 0.2}},
        "crisis/1": {"label": "on-topic", "probs": {"off-topic": 0.2, "on-topic": 0.8},
                     "information_type": {"label": "caution-advice", "probs": {"caution-advice": 0.6}}},
        "near_duplicates/1": {"cluster": "x:1", "size": 40},
        "places/1": {"places": [{"name": "Leeds", "source": "text"}]},
        "language/1": {"label": "en", "confidence": 0.9},
    }
    shown = readings(enrichments)
    assert [(r["kind"], r["text"]) for r in shown] == [
        ("flag", "offensive 90%"), ("info", "anger"), ("info", "seen ×40"), ("info", "Leeds")]
    assert shown[0]["title"] == "offensive/3, accurate profile: a model's guess, for a person to read; never a finding"
    aimed = readings({"offensive/3": {"label": "offensive", "probs": {"offensive": 0.8}, "target_label": "group"}})
    assert [r["text"] for r in aimed] == ["offensive 80% · at a group"]
    assert "OLID levels B and C" in aimed[0]["title"]
    # Only the analyser's own target labels are shown; anything else (a crafted export) is left out.
    crafted = readings({"offensive/3": {"label": "offensive", "probs": {"offensive": 0.8}, "target_label": "<b>"}})
    assert [r["text"] for r in crafted] == ["offensive 80%"]
    unhashable = readings({"offensive/3": {"label": "offensive", "probs": {"offensive": 0.8}, "target_label": []}})
    assert [r["text"] for r in unhashable] == ["offensive 80%"]
    # Labelled offensive, but below the probability where the flag is right four times in five.
    unsure = readings({"offensive/3": {"label": "offensive", "probs": {"offensive": 0.53},
                                       "target_label": "individual"}})
    assert [(r["kind"], r["text"]) for r in unsure] == [("maybe", "possibly offensive 53% · at a person")]
    assert "below 65%" in unsure[0]["title"]
    assert readings({"sentiment/1": {"label": "unsupported", "language": "fr"}, "hate/3": "junk",
                     "emotion/2": {"label": "joy", "probs": {"joy": 0.4}}}) == []


def test_an_event_shows_its_most_engaged_post_redacted_and_a_rumour_only_its_title() -> None:
    at = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    details = {"status": "active", "title": "shot harehills police share", "posts": 9,
               "example": "@witness42 Shots near Harehills police station, share!",
               "location": {"lat": 53.81109, "lon": -1.51339, "radius_m": 3112, "geotagged": 89}}
    redactor = Redactor(b"k" * 32)
    event = signal_view(Signal("events", "event", "e-1", at, "event", details=details), redactor)
    assert event["title"] == "shot harehills police share"
    assert event["location"] == "53.81109, -1.51339 (within 3.1 km, 89 geotagged posts)"
    # With the operation's area, the district its centre is in names it; outside every district, coordinates.
    in_area = signal_view(Signal("events", "event", "e-1", at, "event", details=details), redactor, LEEDS)
    assert in_area["location"] == "Harehills, 53.81109, -1.51339 (within 3.1 km, 89 geotagged posts)"
    away = {**details, "location": {"lat": 53.9, "lon": -1.3, "radius_m": 500, "geotagged": 3}}
    outside = signal_view(Signal("events", "event", "e-4", at, "event", details=away), redactor, LEEDS)
    assert outside["location"] == "53.90000, -1.30000 (within 500 m, 3 geotagged posts)"
    one = {**details, "location": {"lat": 53.9, "lon": -1.3, "radius_m": 250, "geotagged": 1}}
    assert signal_view(Signal("events", "event", "e-5", at, "event", details=one), redactor)["location"] == (
        "53.90000, -1.30000 (within 250 m, 1 geotagged post)")
    assert event["example"] == f"{redactor.mention('witness42')} Shots near Harehills police station, share!"
    rumour = signal_view(Signal("rumours", "rumour", "r-1", at, "rumour",
                                details={"title": "@x says the bridge fell", "example": "same"}), redactor)
    assert rumour["example"] is None
    assert rumour["location"] is None
    district = {"lat": 53.456, "lon": -2.224, "radius_m": 1000, "geotagged": 0, "district": "Rusholme"}
    named = signal_view(Signal("events", "event", "e-3", at, "event", details={"location": district}), redactor)
    assert named["location"] == "Rusholme, 53.45600, -2.22400 (within 1.0 km, the district its posts name)"
    for odd in ({"lat": float("nan"), "lon": 1, "radius_m": 250}, {"lat": "53", "lon": 1, "radius_m": 250}, "x"):
        crafted = signal_view(Signal("events", "event", "e-2", at, "event", details={"location": odd}), redactor)
        assert crafted["location"] is None
    assert rumour["title"] == f"{redactor.mention('x')} says the bridge fell"


def test_a_rumour_shows_its_spread_and_stance_counts() -> None:
    at = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    curve = [{"start": "2026-11-29T17:00:00+00:00", "posts": 2}, {"start": "2026-11-29T17:05:00+00:00", "posts": 8},
             # no post between 17:10 and 17:15: drawn at zero, not bridged
             {"start": "2026-11-29T17:20:00+00:00", "posts": 4}, {"start": "bad", "posts": 5},
             {"start": "2026-11-29T17:25:00+00:00", "posts": "many"}]
    details = {"title": "looting at the station", "curve": curve,
               "stance": {"comment": 30, "deny": 12, "support": 3, "query": 0, "other": 9, "fake": True}}
    view = signal_view(Signal("rumours", "rumour", "r-1", at, "rumour", details=details), Redactor(b"k" * 32))
    assert view["stance"] == "support 3 · deny 12 · comment 30"
    assert view["places"] is None  # no area, or a wording naming no district
    for places, shown in ((["Moss Side"], "Moss Side"), (["A", "B", "C", "D", "E"], "A, B, C and 2 more"),
                          ("Moss Side", None), ([3, "", None], None)):
        named = signal_view(Signal("rumours", "rumour", "r-2", at, "rumour", details={"places": places}),
                            Redactor(b"k" * 32))
        assert named["places"] == shown
    spread = view["spread"]
    assert (spread["peak"], spread["bucket_minutes"], spread["buckets"]) == (8, 5, 5)  # 17:00 to 17:20
    heights = [float(point.split(",")[1]) for point in spread["points"].split()]
    assert heights[1] == min(heights)  # the peak is highest (smallest y)
    assert heights[2] == heights[3] == 27.0  # empty buckets sit on the baseline
    one = signal_view(Signal("rumours", "rumour", "r-2", at, "rumour", details={"curve": curve[:1]}),
                      Redactor(b"k" * 32))
    assert one["spread"] is None  # one bucket is no curve
    event = signal_view(Signal("events", "event", "e-1", at, "event", details=details), Redactor(b"k" * 32))
    assert (event["stance"], event["spread"]) == (None, None)


def test_the_event_map_places_events_north_up_to_scale_and_numbers_them() -> None:
    at = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    redactor = Redactor(b"k" * 32)

    def event(key: str, lat: float, lon: float, radius_m: float) -> dict[str, object]:
        location = {"lat": lat, "lon": lon, "radius_m": radius_m, "geotagged": 5}
        return signal_view(Signal("events", "event", key, at, "event", details={"status": "active",
                                                                                 "location": location}), redactor)

    rumour = signal_view(Signal("rumours", "rumour", "r", at, "rumour", details={"location": {"lat": 1}}), redactor)
    views = [event("harehills", 53.81, -1.51, 500), rumour, event("centre", 53.797, -1.546, 1000),
             signal_view(Signal("events", "event", "nowhere", at, "event", details={}), redactor)]
    drawn = event_map(views)
    assert drawn is not None
    assert [v.get("pin") for v in views] == [1, None, 2, None]
    east, centre = drawn["circles"]
    assert east["x"] > centre["x"]  # Harehills is east of the city centre
    assert east["y"] < centre["y"]  # and north of it
    assert centre["r"] > east["r"]  # a larger radius is drawn larger
    km = float(drawn["scale"]["label"].split()[0])
    px_per_km = drawn["scale"]["px"] / km
    apart_km = math.dist((east["x"], east["y"]), (centre["x"], centre["y"])) / px_per_km
    assert 2.6 < apart_km < 2.8  # 2.7 km apart on the ground
    assert all(0 <= c["x"] <= drawn["width"] and 0 <= c["y"] <= drawn["height"] for c in drawn["circles"])
    assert event_map([rumour]) is None
    same = [event("a", 53.81, -1.51, 500), event("b", 53.81, -1.51, 900), event("c", 53.8101, -1.51, 300)]
    crowded = event_map(same)
    assert crowded is not None
    labels = [(c["lx"], c["ly"]) for c in crowded["circles"]]
    assert len({x for x, _ in labels}) == 3  # one district, three numbers side by side


def test_the_event_map_names_the_districts_the_events_are_in() -> None:
    at = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    location = {"lat": 53.813, "lon": -1.508, "radius_m": 1000, "geotagged": 0, "district": "Harehills"}
    views = [signal_view(Signal("events", "event", "e", at, "event", details={"status": "active",
                                                                          "location": location}),
                         Redactor(b"k" * 32))]
    drawn = event_map(views, LEEDS)
    assert drawn is not None
    names = [d["name"] for d in drawn["districts"]]
    assert names == ["Harehills", "City Centre"]  # its district first, then the neighbour 2.8 km away
    assert "York" not in names  # 40 km away: not drawn, nor Beeston (5.9 km away)
    assert drawn["label"] == "Map of 1 located event over 2 districts of the operation's area"
    harehills = drawn["districts"][0]
    (event,) = drawn["circles"]
    assert (event["x"], event["y"], event["r"]) == (harehills["x"], harehills["y"], harehills["r"])
    assert harehills["ty"] < harehills["y"]  # the name sits at the top of its circle ...
    assert abs(harehills["ty"] - event["ly"]) >= 12  # ... clear of the event's number
    # Without located events the whole area is drawn (at most MAX_MAP_DISTRICTS), to place the next one.
    empty = event_map([], LEEDS)
    assert empty is not None
    assert empty["circles"] == []
    assert [d["name"] for d in empty["districts"]] == ["City Centre", "Harehills", "Beeston", "York"]
    many = AreaMap([_district(f"D{n}", 53.8 + n / 1000, -1.5) for n in range(MAX_MAP_DISTRICTS + 10)])
    assert len(event_map([], many)["districts"]) == MAX_MAP_DISTRICTS  # type: ignore[index]
    assert event_map([]) is None
    assert event_map([], AreaMap([])) is None


def test_district_names_do_not_print_over_each_other() -> None:
    close = AreaMap([_district("Woodhouse", 53.8100, -1.5600, 0.3),
                     _district("Little Woodhouse", 53.8101, -1.5601, 0.3),
                     _district("Hyde Park", 53.8102, -1.5599, 0.3)])
    drawn = event_map([], close)
    assert drawn is not None
    labels = [(d["x"], d["ty"]) for d in drawn["districts"]]
    assert len({ty for _, ty in labels}) == 3  # three names, three lines


@given(st.lists(st.builds(_district, st.text(min_size=1, max_size=300).filter(str.strip),
                          st.floats(-90, 90), st.floats(-180, 180), st.floats(0.001, 500)), max_size=40),
       st.lists(st.tuples(st.floats(-90, 90), st.floats(-180, 180), st.floats(0, 1e7)), max_size=4))
def test_any_area_and_events_give_a_finite_map_inside_its_box(districts: list[DistrictShape],
                                                             events: list[tuple[float, float, float]]) -> None:
    at = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    views = [signal_view(Signal("events", "event", f"e{n}", at, "event",
                                details={"location": {"lat": lat, "lon": lon, "radius_m": r}}), Redactor(b"k" * 32))
             for n, (lat, lon, r) in enumerate(events)]
    drawn = event_map(views, AreaMap(districts))
    if drawn is None:
        assert not districts
        assert not events
        return
    assert len(drawn["districts"]) <= MAX_MAP_DISTRICTS
    for shape in drawn["circles"] + drawn["districts"]:
        assert all(math.isfinite(shape[k]) for k in ("x", "y", "r"))
    assert all(len(d["name"]) <= 32 for d in drawn["districts"])


def test_a_post_shows_the_district_it_names_or_is_geotagged_in() -> None:
    redactor = Redactor(b"k" * 32)
    named = post_view(make_post(1, "Police at Harehills and the Corn Exchange"), redactor, LEEDS)
    assert [(r["kind"], r["text"]) for r in named["readings"]] == [("info", "Harehills")]
    geotagged = make_post(2, "Look at this").replace(geo=Geo(source=GeoSource.GEOTAG, lat=53.772, lon=-1.565))
    assert [r["text"] for r in post_view(geotagged, redactor, LEEDS)["readings"]] == ["Beeston"]
    assert post_view(geotagged, redactor)["readings"] == []  # no area, no badge
    assert post_view(make_post(3, "Lovely day"), redactor, LEEDS)["readings"] == []


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                     lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children,
                                                                                         max_size=4), max_leaves=20)
_KEYS = st.sampled_from(["title", "example", "location", "first_seen", "stance", "curve", "status", "posts",
                         "accounts", "lat", "lon", "radius_m", "start", "label", "probs", "profile", "size", "places",
                         "name", "account_count", "span_s", "bot_likeness", "account_creation", "scored",
                         "share_bot_like", "mean", "span_days_middle_80", "indicators", "reasons", "new_accounts",
                         "accounts_estimated", "target_label", "keywords", "terms", "verdict_post", "raised_by"])


@given(st.dictionaries(_KEYS, _JSON, max_size=8), st.sampled_from(["event", "rumour", "coordination"]),
       st.dictionaries(st.sampled_from(["reasons", "fired"]), _JSON))
def test_crafted_details_never_break_the_page(details: dict[str, object], kind: str,
                                              indicators: dict[str, object]) -> None:
    """Stored details and enrichments can come from a crafted import: the views take anything."""
    at = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    redactor = Redactor(b"k" * 32)
    view = signal_view(Signal("x", kind, "k", at, "summary", details=details), redactor)
    assert isinstance(view["first_seen"], str)  # the page formats it as a time
    signal_view(Signal("x", "coordination", "k", at, "summary", details={**details, "indicators": indicators}),
                redactor)
    event_map([view])
    readings({"offensive/3": details, "sentiment/1": details, "near_duplicates/1": details, "places/1": details})
    rumour = Signal("x", "rumour", "r", at, "summary", details=details)
    assert set(related_view(rumour, redactor)) == {"title", "status"}
    related_rumours([Signal("x", "event", "e", at, "summary", details=details)], [rumour])
    assert all(isinstance(line, str) for line in detector_limits([
        Signal("x", "event", "e", at, "summary", details={"degraded": details}), rumour]))
    # Three wordings answered by one official post are one row, whatever else their details hold.
    twins = [Signal("x", "rumour", f"r{n}", at, "summary", details={**details, "verdict_post": "p:1"})
             for n in range(3)]
    rows, others = one_row_per_verdict([rumour, *twins])
    assert [s.key for s in rows] == (["r", "r0"] if details.get("verdict_post") != "p:1" else ["r"])
    for found in others.values():
        shown = wordings_view(found, redactor)
        assert shown is not None
        assert shown["count"] >= 2


def test_a_coordination_flag_shows_its_evidence_in_one_line() -> None:
    at = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    details = {"account_count": 19, "span_s": 292.5, "example": "Bins on fire on Roundhay Road",
               "bot_likeness": {"scored": 19, "mean": 0.159, "share_bot_like": 0.0},
               "account_creation": {"accounts": 19, "span_days_middle_80": 2345.6}}
    view = signal_view(Signal("coordination", "coordination", "c", at, "flag", details=details), Redactor(b"k" * 32))
    assert view["evidence"] == ("19 accounts within 4.9 min · bot-like: 0% of 19 scored (mean 0.16) · "
                                "accounts created over 2,346 days (middle 80 %)")
    unscored = {**details, "bot_likeness": {"scored": 0, "unscored": 19}, "account_creation": None}
    view = signal_view(Signal("coordination", "coordination", "c", at, "flag", details=unscored), Redactor(b"k" * 32))
    assert view["evidence"] == "19 accounts within 4.9 min"
    flagged = {**details, "new_accounts": 17, "account_count": 32,
               "indicators": {"fired": ["batch_created"], "reasons": ["82% created within 7 days of each other", 3]}}
    view = signal_view(Signal("coordination", "coordination", "c", at, "flag", details=flagged), Redactor(b"k" * 32))
    assert view["evidence"].startswith("17 accounts within 4.9 min (32 in the group) · "
                                       "why: 82% created within 7 days of each other · bot-like")
    estimated = {"accounts": 3414, "accounts_estimated": True}
    big = signal_view(Signal("events", "event", "e", at, "event", details=estimated), Redactor(b"k" * 32))
    assert (big["accounts"], big["accounts_estimated"]) == (3414, True)  # shown as "≈ 3414 accounts"
    odd = signal_view(Signal("events", "event", "e", at, "event", details={"accounts_estimated": "yes"}),
                      Redactor(b"k" * 32))
    assert odd["accounts_estimated"] is False
    event = signal_view(Signal("events", "event", "e", at, "event", details=details), Redactor(b"k" * 32))
    assert event["evidence"] is None


def test_an_event_and_a_rumour_say_what_they_were_raised_on() -> None:
    at = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    redactor = Redactor(b"k" * 32)
    area = AreaMap([_district("Rusholme", 53.456, -2.224)])
    raised = [{"term": "smoke", "rule": "burst", "posts": 14, "expected": 0.31},
              {"term": "near:rusholme", "rule": "district", "posts": 3, "expected": 0.12},
              {"term": "kehl", "rule": "new_company", "posts": 3, "expected": 0.01},
              {"term": "police", "rule": "incident_words", "posts": 5, "expected": 0.4}]
    view = signal_view(Signal("events", "event", "e", at, "s", details={"raised_by": raised}), redactor, area)
    assert view["evidence"] == (
        "raised on: “smoke” in 14 posts in 2 min, where about 0.3 are usual · incident words naming Rusholme in "
        "3 posts in 2 min, where about 0.1 are usual · “police” (incident vocabulary) in 5 posts in 2 min, "
        "where about 0.4 are usual · “kehl” said with words of recent news for the first time, in 3 posts in "
        "2 min, where almost none are usual")
    company = [{"term": t, "rule": "new_company", "posts": n, "expected": 0.02} for t, n in (("heard", 5), ("mall", 4))]
    view = signal_view(Signal("events", "event", "e", at, "s", details={"raised_by": company}), redactor)
    assert view["evidence"] == ("raised on: “heard”, “mall” said with words of recent news for the first time, "
                                "in 4–5 posts in 2 min, where almost none are usual")
    pair = [{"term": "#leedsfire", "rule": "new_words", "posts": 2, "expected": 0.0},
            {"term": "zorblax", "rule": "new_words", "posts": 2, "expected": 0.0}]
    view = signal_view(Signal("events", "event", "e", at, "s", details={"raised_by": pair}), redactor)
    assert view["evidence"] == ("raised on: 2 accounts sharing words seen rarely or never before: "
                                "“#leedsfire”, “zorblax”")
    hedged = {"hedges": [{"phrase": "can anyone confirm", "posts": 30}, {"phrase": "reportedly", "posts": 12}]}
    rumour = signal_view(Signal("rumours", "rumour", "r", at, "s", details=hedged), redactor)
    assert rumour["evidence"] == "raised on: claims hedged with “can anyone confirm” (30 posts), “reportedly” (12)"
    # A post's words are attacker-controlled: personal data in them is redacted, as in titles.
    leaked = [{"term": "jane.doe@example.org", "rule": "burst", "posts": 4, "expected": 0.0}]
    view = signal_view(Signal("events", "event", "e", at, "s", details={"raised_by": leaked}), redactor)
    assert "jane.doe@example.org" not in view["evidence"]


def test_detector_limits_say_what_was_left_out_from_the_newest_signal_of_each_detector() -> None:
    at = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    older = Signal("events", "event", "e1", at, "s", details={"degraded": {"account_capped": 3}})
    newer = Signal("events", "event", "e2", at.replace(minute=5), "s",
                   details={"degraded": {"account_capped": 1200, "baseline_pruned": 9, "clock_backwards": 0}})
    rumour = Signal("rumours", "rumour", "r", at, "s",
                    details={"degraded": {"flooded_posts": 40, "odd_new_counter": 2}})
    assert detector_limits([older, newer, rumour]) == [
        "events: 1,200 posts over an account's per-minute cap not counted",
        "rumours: 40 posts over an account's cap on one rumour not counted; 2 odd_new_counter",
    ]
    assert detector_limits([Signal("events", "event", "e", at, "s", details={})]) == []


def test_an_open_event_says_how_fast_it_goes_and_in_which_languages() -> None:
    at = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    redactor = Redactor(b"k" * 32)

    def view(**details: object) -> dict[str, object]:
        return signal_view(Signal("events", "event", "e", at, "s", details=details), redactor)

    flood = view(status="active", rate_per_min=42.4, growth=2.06, languages={"fr": 62, "de": 30, "en": 8})
    assert flood["pace"] == "42 posts a minute, ×2.1 on the 2 minutes before"
    assert flood["languages"] == "fr 62 % · de 30 % · en 8 %"
    assert view(status="active", rate_per_min=0.5, growth=None, languages={"en": 9})["pace"] == "under 1 post a minute"
    # One language needs no split, nor does one with a few stray posts in others.
    assert view(status="active", rate_per_min=3.0, languages={"en": 9})["languages"] is None
    assert view(status="active", languages={"en": 97, "es": 2, "fr": 1})["languages"] is None
    assert view(status="active", languages={"en": 85, "fr": 10, "es": 3, "de": 2})["languages"] == "en 85 % · fr 10 %"
    assert view(status="closed", rate_per_min=42.0)["pace"] is None
    rumour = signal_view(Signal("rumours", "rumour", "r", at, "s", details={"rate_per_min": 5.0}), redactor)
    assert rumour["pace"] is None
