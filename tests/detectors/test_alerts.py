from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from civicpulse.alerts.rules import Rule, build_rule, district_query
from civicpulse.detectors.alerts import AlertDetector, content_keys
from civicpulse.detectors.base import Signal
from civicpulse.post import Geo, GeoSource
from civicpulse.registry import detectors
from civicpulse.testing import make_post
from tests.detectors.test_rumours import MANCHESTER, _variants_then

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SQUARE = {"type": "Polygon", "coordinates": [[[4.0, 52.0], [5.0, 52.0], [5.0, 53.0], [4.0, 53.0], [4.0, 52.0]]]}


def rule(rule_id: str = "r1", **spec: object) -> Rule:
    return build_rule(rule_id=rule_id, operation_id="op-1", name=f"rule {rule_id}", **spec)  # type: ignore[arg-type]


def test_registered_and_constructible_without_rules() -> None:
    detector = detectors.get("alerts")()
    assert detector.update_many([make_post(1, "flood")], NOW) == []


def test_query_and_geofence_both_apply() -> None:
    detector = AlertDetector([rule("q", query="flood"), rule("g", geofence=SQUARE),
                              rule("qg", query="flood", geofence=SQUARE)])
    inside = make_post(1, "flood here").replace(geo=Geo(source=GeoSource.GEOTAG, lat=52.5, lon=4.5))
    outside = make_post(2, "flood there").replace(geo=Geo(source=GeoSource.GEOTAG, lat=10.0, lon=4.5))
    enriched = make_post(3, "sunny").with_enrichments({"places/1": {"places": [{"name": "x", "lat": 52.1,
                                                                               "lon": 4.9}]}})
    signals = detector.update_many([inside, outside, enriched], NOW)
    fired = sorted((s.details["rule_id"], s.post_ids[0]) for s in signals)
    assert fired == [("g", "test:1"), ("g", "test:3"), ("q", "test:1"), ("q", "test:2"), ("qg", "test:1")]
    assert all(s.kind == "alert" and s.detector == "alerts" for s in signals)


def test_a_reading_rule_fires_on_what_the_analysers_stored_inside_its_geofence() -> None:
    detector = AlertDetector([rule("abuse", query="reading:offensive-at-group", geofence=SQUARE)])
    at = Geo(source=GeoSource.GEOTAG, lat=52.5, lon=4.5)
    aimed = {"offensive/3": {"label": "offensive", "probs": {"offensive": 0.9}, "target_label": "group"}}
    at_person = {"offensive/3": {"label": "offensive", "probs": {"offensive": 0.9}, "target_label": "individual"}}
    posts = [make_post(1, "they are vermin").replace(geo=at).with_enrichments(aimed),
             make_post(2, "you are an idiot").replace(geo=at).with_enrichments(at_person),
             make_post(3, "they are vermin").with_enrichments(aimed),  # no location: outside
             make_post(4, "no analysers ran").replace(geo=at)]
    assert [s.post_ids for s in detector.update_many(posts, NOW)] == [("test:1",)]


def test_duplicates_alert_once_and_throttle_summarises() -> None:
    detector = AlertDetector([rule(query="knife")], per_window=3, window=timedelta(minutes=10))
    posts = [make_post(n, f"knife seen on street number {n}") for n in range(40)]
    first = detector.update_many(posts, NOW)
    assert len(first) == 3
    assert detector.update_many(posts, NOW + timedelta(minutes=1)) == []  # all seen before
    later = detector.update_many([make_post(99, "knife again")], NOW + timedelta(minutes=11))
    assert [s.summary for s in later] == ["rule r1: and 37 more", "rule r1: post test:99"]
    assert later[0].details["suppressed"] == 37


def test_copies_of_an_alerted_post_fold_into_the_summary_without_using_the_quota() -> None:
    detector = AlertDetector([rule(query="looting")], per_window=2, window=timedelta(minutes=10))
    rumour = "Heard they're looting the supermarket near the station, can anyone confirm?"
    copies = [make_post(n, variant) for n, variant in enumerate([
        rumour, rumour.upper(), f"RT @someone: {rumour}", f"{rumour} https://t.example/x 😱", f"@a @b {rumour}!!"])]
    first = detector.update_many(copies, NOW)
    assert [s.post_ids for s in first] == [("test:0",)]  # one alert for five copies
    news = [make_post(10, "Looting at the phone shop on Briggate now"), make_post(11, "looting on Kirkgate too"),
            make_post(12, "looting reported in Headingley")]
    assert [s.post_ids for s in detector.update_many(news, NOW + timedelta(minutes=1))] == [("test:10",)]
    closed = detector.update_many([], NOW + timedelta(minutes=10))
    assert [s.summary for s in closed] == ["rule r1: and 2 more; 4 copies of posts already alerted"]
    assert (closed[0].details["suppressed"], closed[0].details["copies"]) == (2, 4)
    # A window later the text is news again: still spreading.
    again = detector.update_many([make_post(20, rumour)], NOW + timedelta(minutes=11))
    assert [s.post_ids for s in again] == [("test:20",)]


def test_a_window_of_copies_alone_raises_no_summary() -> None:
    detector = AlertDetector([rule(query="fire")], per_window=5, window=timedelta(minutes=10))
    detector.update_many([make_post(n, "Building on fire near Briggate, engines arriving") for n in range(4)], NOW)
    assert detector.flush(NOW + timedelta(minutes=5)) == []


def test_near_duplicate_cluster_folds_edited_copies_and_short_texts_never_fold() -> None:
    detector = AlertDetector([rule(query="shots")], per_window=10)

    def clustered(n: int, text: str) -> object:
        return make_post(n, text).with_enrichments({"near_duplicates/1": {"cluster": "test:0", "size": n + 1}})

    edited = [clustered(0, "Shots fired near the arena, stay away"),
              clustered(1, "Shots fired near the arena!! everyone stay away")]
    short = [make_post(n, "shots?") for n in range(5, 8)]
    fired = detector.update_many([*edited, *short], NOW)  # type: ignore[list-item]
    assert [s.post_ids[0] for s in fired] == ["test:0", "test:5", "test:6", "test:7"]


@given(st.text(max_size=300), st.one_of(st.none(), st.text(max_size=20), st.integers(), st.dictionaries(
    st.text(max_size=10), st.one_of(st.none(), st.text(max_size=10), st.integers()), max_size=3)))
def test_content_keys_accept_any_text_and_any_enrichment(text: str, found: object) -> None:
    post = make_post(1, text).with_enrichments({"near_duplicates/1": found})
    keys = content_keys(post)
    assert all(isinstance(key, str) for key in keys)
    assert content_keys(make_post(2, text)) == tuple(k for k in keys if k.startswith("text:"))


def test_snapshot_restore_keeps_the_copies_memory_and_reads_older_snapshots() -> None:
    rules = [rule(query="knife")]
    one, two = AlertDetector(rules), AlertDetector(rules)
    text = "Man with a knife outside the school gates"
    one.update_many([make_post(1, text)], NOW)
    two.restore(one.snapshot())
    assert two.update_many([make_post(2, text)], NOW + timedelta(minutes=1)) == []
    older = AlertDetector(rules)
    older.restore(b'{"seen": [], "windows": {"r1": ["2026-11-02T09:00:00+00:00", 2, 1]}}')
    assert [s.details["suppressed"] for s in older.flush(NOW)] == [1]


def test_snapshot_restore_continues_exactly() -> None:
    rules = [rule(query="knife")]
    one, two = AlertDetector(rules, per_window=2), AlertDetector(rules, per_window=2)
    batch = [make_post(n, "knife") for n in range(5)]
    one.update_many(batch, NOW)
    two.restore(one.snapshot())
    more = [make_post(n, "knife") for n in range(3, 8)]
    assert one.update_many(more, NOW + timedelta(minutes=20)) == two.update_many(more, NOW + timedelta(minutes=20))
    assert one.flush(NOW) == two.flush(NOW)


def test_event_threshold_tolerates_missing_and_bad_numbers() -> None:
    detector = AlertDetector([rule("e", kind="event", metric="growth", threshold=3.0)])

    def event(key: str, details: dict[str, object]) -> Signal:
        return Signal("events", "event", key, NOW, f"event {key}", ("p:1",), details)

    signals = detector.update_signals([event("a", {"growth": 4}), event("b", {}), event("c", {"growth": "x"}),
                                       event("d", {"growth": float("nan")}), event("e", {"growth": 2.9}),
                                       Signal("rumours", "rumour", "z", NOW, "rumour", (), {"growth": 9})], NOW)
    assert [s.details["signal_key"] for s in signals] == ["a"]
    assert signals[0].details["value"] == 4.0
    assert "location" not in signals[0].details  # the event has none
    assert detector.update_signals([event("a", {"growth": 8})], NOW) == []  # the same event alerts once


def test_rumour_touching_a_watched_place() -> None:
    detector = AlertDetector([rule("place", kind="rumour", geofence=SQUARE),
                              rule("name", kind="rumour", query='"central station"')])
    near = Signal("rumours", "rumour", "r1", NOW, "shots reported?", (), {"locations": [{"lat": 52.3, "lon": 4.9}]})
    named = Signal("rumours", "rumour", "r2", NOW, "bomb threat", (), {"places": ["Central Station"]})
    far = Signal("rumours", "rumour", "r3", NOW, "fire?", (), {"lat": 40.0, "lon": 4.5})
    found = {(s.details["rule_id"], s.details["signal_key"]) for s in detector.update_signals([near, named, far], NOW)}
    assert found == {("place", "r1"), ("name", "r2")}


def test_a_rumour_naming_a_landmark_of_a_watched_district_alerts_its_rules() -> None:
    # The rumour detector, given the operation's area, says which districts a rumour names.
    moss_side = {"type": "Polygon", "coordinates": [[[-2.26, 53.45], [-2.23, 53.45], [-2.23, 53.47],
                                                      [-2.26, 53.47], [-2.26, 53.45]]]}
    detector = AlertDetector([rule("fence", kind="rumour", geofence=moss_side),
                              rule("name", kind="rumour", query='"moss side"')])
    [denied] = [s for s in _variants_then("We are aware of rumours about Moss Side. These are not true.",
                                          ["Reports of a man in a white van following children near Moss Lane East"],
                                          area=MANCHESTER) if s.details["status"] == "denied"]
    assert denied.details["places"] == ["Moss Side"]
    alerts = detector.update_signals([denied], NOW)
    assert {s.details["rule_id"] for s in alerts} == {"fence", "name"}
    assert all(s.details["places"] == ["Moss Side"] for s in alerts)  # where, for whoever receives it


def test_an_event_alert_says_where_the_event_is_and_ignores_crafted_locations() -> None:
    detector = AlertDetector([rule("e", kind="event", metric="posts", threshold=10)])
    located = {"posts": 40, "location": {"lat": 53.456, "lon": -2.224, "radius_m": 1000, "geotagged": 0,
                                         "district": "Rusholme", "extra": "<b>"}}
    crafted = [{"posts": 40, "location": bad} for bad in ({"lat": float("nan"), "lon": 1}, {"lat": "53", "lon": 1},
                                                          {"lat": 91, "lon": 1}, {"lat": True, "lon": 1}, "x", None)]
    signals = [Signal("events", "event", f"e{n}", NOW, "event", ("p:1",), details)
               for n, details in enumerate([located, *crafted])]
    alerts = {s.details["signal_key"]: s.details for s in detector.update_signals(signals, NOW)}
    assert alerts["e0"]["location"] == {"lat": 53.456, "lon": -2.224, "radius_m": 1000.0, "district": "Rusholme"}
    assert len(alerts) == 1 + len(crafted)
    assert not any("location" in alerts[f"e{n}"] for n in range(1, len(crafted) + 1))


_ANY = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children,
                                                                                        max_size=4), max_leaves=20)


@given(st.dictionaries(st.sampled_from(["location", "places", "posts", "lat", "lon", "radius_m", "district"]), _ANY),
       st.sampled_from(["event", "rumour"]))
def test_where_an_alert_says_is_always_numbers_and_names(details: dict[str, object], kind: str) -> None:
    detector = AlertDetector([rule("e", kind="event", metric="posts", threshold=0), rule("r", kind="rumour",
                                                                                         query="fire")])
    for alert in detector.update_signals([Signal("x", kind, "k", NOW, "fire", (), details)], NOW):
        location = alert.details.get("location", {})
        assert all(isinstance(location[k], float) for k in ("lat", "lon") if k in location)
        assert all(isinstance(p, str) for p in alert.details.get("places", []))


def test_an_event_rule_watching_a_district_reads_the_districts_the_event_is_at() -> None:
    query = district_query(MANCHESTER, "rusholme")
    detector = AlertDetector([rule("e", kind="event", metric="posts", threshold=10, query=query)])
    at_rusholme = Signal("events", "event", "e1", NOW, "active: helicopter police searching (40 posts)", ("p:1",),
                         {"posts": 40, "title": "helicopter police searching", "places": ["Rusholme"]})
    elsewhere = Signal("events", "event", "e2", NOW, "active: fire smoke (40 posts)", ("p:2",),
                       {"posts": 40, "title": "fire smoke", "places": ["Hulme"]})
    assert [s.details["signal_key"] for s in detector.update_signals([at_rusholme, elsewhere], NOW)] == ["e1"]
