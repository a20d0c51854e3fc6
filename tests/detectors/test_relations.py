"""An event's related rumours, drawn from the latest signals of both detectors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from civicpulse.detectors.base import Signal
from civicpulse.detectors.relations import MAX_RELATED, related_rumours, signal_terms

T0 = datetime(2026, 8, 7, 17, 0, tzinfo=UTC)


def event(key: str, terms: list[str], title: str, *, first: float = 0.0, last: float = 1800.0) -> Signal:
    return Signal(detector="events", kind="event", key=key, at=T0 + timedelta(seconds=last), summary=title,
                  details={"terms": terms, "title": title, "first_seen": (T0 + timedelta(seconds=first)).isoformat()})


def rumour(key: str, title: str, keywords: list[str], *, first: float = 600.0, last: float = 1200.0) -> Signal:
    return Signal(detector="rumours", kind="rumour", key=key, at=T0 + timedelta(seconds=last), summary=title,
                  details={"title": title, "keywords": keywords, "status": "spreading",
                           "first_seen": (T0 + timedelta(seconds=first)).isoformat()})


RIOT = event("event-1", ["harehills", "riot", "#leeds"], "harehills police road riot")
FIRE = event("event-2", ["centre", "smoke", "#leeds"], "city centre smoke coming")
SHOT = rumour("rumour-1", "Reports that police shot someone in Harehills?? #Leeds",
              ["police", "shot", "harehills", "leeds"])
LOOT = rumour("rumour-2", "Reportedly the shopping centre in City Centre is being looted #Leeds",
              ["shopping", "centre", "city", "looted", "leeds"])


def test_a_rumour_sharing_two_terms_with_a_live_event_is_related() -> None:
    links = related_rumours([RIOT, FIRE], [SHOT, LOOT])
    assert [r.key for r in links["event-1"]] == ["rumour-1"]  # harehills, police
    assert [r.key for r in links["event-2"]] == ["rumour-2"]  # city, centre


def test_one_shared_word_is_not_enough_but_a_crowded_district_still_links() -> None:
    """The city's name alone does not relate a traffic jam to a shooting; when every signal on the
    screen is about Harehills, its name still counts (it is not discounted as common)."""
    assert "leeds" in signal_terms(SHOT)
    traffic = event("event-3", ["traffic", "#leeds"], "traffic leeds ring road")
    assert related_rumours([traffic], [SHOT]) == {}
    crowded = [rumour(f"rumour-{i}", f"Apparently police are in Harehills again thing{i}",
                      ["police", "harehills", f"thing{i}"]) for i in range(8)]
    assert len(related_rumours([RIOT], crowded)["event-1"]) == MAX_RELATED


def test_a_rumour_hours_away_from_the_event_is_not_related() -> None:
    later = rumour("rumour-4", "Reports that police shot someone in Harehills", ["police", "shot", "harehills"],
                   first=4 * 3600.0, last=5 * 3600.0)
    assert related_rumours([RIOT], [later]) == {}
    earlier = event("event-5", ["harehills", "police"], "harehills police", first=-6 * 3600.0, last=-5 * 3600.0)
    assert related_rumours([earlier], [SHOT]) == {}


def test_at_most_three_per_event_most_shared_first() -> None:
    many = [rumour(f"rumour-{i}", f"Apparently police in Harehills {'riot road ' if i == 7 else ''}thing{i}",
                   ["police", "harehills", f"thing{i}"]) for i in range(8)]
    links = related_rumours([RIOT], many)
    assert len(links["event-1"]) == MAX_RELATED
    assert links["event-1"][0].key == "rumour-7"  # harehills, police, riot and road


_junk = (st.none() | st.integers() | st.text(max_size=30) | st.lists(st.text(max_size=12) | st.integers(), max_size=5)
         | st.sampled_from(["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00", "2026-08-07T17:00:00",
                            "2026-08-07T17:00:00+14:00"]))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["terms", "title", "keywords", "first_seen", "status"]), _junk),
                min_size=1, max_size=6), st.lists(st.sampled_from(["event", "rumour", "coordination"]), min_size=6,
                                                  max_size=6))
def test_stored_details_of_any_shape_never_break_it(details: list[dict[str, Any]], kinds: list[str]) -> None:
    """Signals come back from the database, where a crafted import could have put anything."""
    signals = [Signal(detector="x", kind=kinds[i], key=f"k{i}", at=T0, summary="s", details=d)
               for i, d in enumerate(details)]
    links = related_rumours(signals, signals)
    assert all(r.kind == "rumour" for related in links.values() for r in related)


def test_first_seen_times_at_the_ends_of_the_calendar_are_not_believed() -> None:
    """A crafted import's year 1 or 9999 must not overflow the time arithmetic."""
    old = Signal(detector="x", kind="event", key="e", at=T0, summary="s",
                 details={"first_seen": "0001-01-01T00:00:00+00:00", "title": "harehills police"})
    far = Signal(detector="x", kind="rumour", key="r", at=T0, summary="s",
                 details={"first_seen": "9999-12-31T23:59:59+00:00", "title": "Police in Harehills",
                          "keywords": ["police", "harehills"]})
    assert [r.key for r in related_rumours([old], [far])["e"]] == ["r"]
