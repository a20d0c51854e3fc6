"""The dashboard shows what its operation's ingests collected (also while another operation ingests),
with the people posts name hidden, and first renders what the live updates draw."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import insert

from civicpulse.detectors.area import AreaMap, DistrictShape
from civicpulse.governance.operations import bind_ingest
from civicpulse.sources.base import Rejected
from civicpulse.store.schema import signals
from civicpulse.store.writer import Batch, StoreWriter
from civicpulse.testing import make_post
from civicpulse.web.app import create_app
from tests.web.conftest import ANA, HOSTILE, Site, form_token, second_operation, sign_in


def test_two_operations_ingesting_at_once_each_show_only_their_own(site: Site) -> None:
    second = second_operation(site)
    # The site's stream is still bound (its run never ended); the second one runs at the same time.
    bind_ingest(site.gov, ANA, second, "test:bridge")
    StoreWriter(site.engine, second).write(Batch(
        posts=[make_post(20, "Bridge closed both ways"), make_post(21, "Detour via the ring road"),
               make_post(22, "Bridge queue is long")],
        rejected=[Rejected("bad", b"broken bridge record", "bridge:1")], source="bridge"))

    ana = sign_in(TestClient(create_app(site.gov)), "ana")
    summary = ana.get("/api/summary").json()  # the newest operation first
    assert (summary["posts"], summary["quarantined"], summary["signals"]) == (3, 1, [])
    assert {p["text"] for p in ana.get("/api/posts/latest").json()} == {
        "Bridge closed both ways", "Detour via the ring road", "Bridge queue is long"}

    page = ana.get("/").text
    assert ana.post("/operation", data={"operation": site.operation, "csrf": form_token(page)},
                    follow_redirects=False).status_code == 303
    summary = ana.get("/api/summary").json()
    assert (summary["posts"], summary["quarantined"], len(summary["signals"])) == (2, 0, 2)
    texts = {p["text"] for p in ana.get("/api/posts/latest").json()}
    assert texts == {"Calm morning in the park", HOSTILE}


def test_the_dashboard_hides_the_people_a_post_names(site: Site) -> None:
    """Authors are pseudonyms, so the handles and contact details in a post's text are hidden too."""
    StoreWriter(site.engine, site.operation).write(Batch(posts=[
        make_post(30, "@MarkT saw the van, ring him on +44 7700 900123 or mark@example.org")]))
    ana = sign_in(TestClient(create_app(site.gov)), "ana")
    shown = {p["id"]: p["text"] for p in ana.get("/api/posts/latest").json()}
    text = shown[make_post(30, "").id]
    assert "MarkT" not in text
    assert "7700" not in text
    assert "mark@" not in text
    assert text.startswith("@ps:")
    assert text.endswith("ring him on [PHONE] or [EMAIL]")
    summary_texts = [p["text"] for p in ana.get("/api/summary").json()["latest"]]
    assert text in summary_texts


def test_the_first_render_draws_the_rumour_spread_too(site: Site) -> None:
    page = sign_in(TestClient(create_app(site.gov)), "ana").get("/").text
    assert page.count('<svg class="spark"') == 1
    assert "replies and quotes (stance model's guess): deny 2 · comment 10" in page


def test_an_event_lists_the_rumours_related_to_it_as_text(site: Site) -> None:
    """A rumour sharing two words with the listed event shows under it with its status, and the event
    under the rumour; a claim is a post's text, so hostile markup stays inert (page and API)."""
    at = datetime(2026, 11, 29, 18, 30, tzinfo=UTC)
    with site.engine.begin() as connection:
        connection.execute(insert(signals).values(
            detector="rumours", kind="rumour", key="rumour-2", at=at, summary="rumour-2", post_ids="[]",
            details=json.dumps({"status": "denied", "title": f"Apparently the fire depot exploded {HOSTILE}",
                                "keywords": ["fire", "depot", "exploded"]}),
            stored_at=datetime.now(UTC), operation_id=site.operation))
    client = sign_in(TestClient(create_app(site.gov)), "ana")
    page = client.get("/").text
    assert "related rumours: “Apparently the fire depot exploded &lt;script&gt;" in page
    assert "(denied)" in page
    assert "<script>window.__pwned" not in page
    listed = client.get("/api/summary").json()["signals"]
    event = next(s for s in listed if s["key"] == "event-1")
    assert [r["status"] for r in event["related"]] == ["denied"]
    # ... and under the rumour, the listed event it is about.
    claim = next(s for s in listed if s["key"] == "rumour-2")
    assert claim["related"] == [{"title": "fire depot smoke", "status": "active"}]
    assert "about events: “fire depot smoke” (active)" in page
    assert next(s for s in listed if s["key"] == "rumour-1")["related"] == []


def test_an_event_that_just_emerged_stays_listed_while_eleven_others_keep_updating(site: Site) -> None:
    """Growing and fading events are reported again every minute; the list leads with what is new."""
    def stored(key: str, status: str, minute: int) -> dict[str, object]:
        return {"detector": "events", "kind": "event", "key": key, "at": datetime(2026, 11, 29, 19, minute, tzinfo=UTC),
                "summary": key, "post_ids": "[]", "details": json.dumps({"status": status, "title": key}),
                "stored_at": datetime.now(UTC), "operation_id": site.operation}
    with site.engine.begin() as connection:
        connection.execute(insert(signals), [stored("event-new", "emerging", 1)]
                           + [stored(f"later-{n}", "fading" if n % 2 else "active", 2) for n in range(11)])
    client = sign_in(TestClient(create_app(site.gov)), "ana")
    summary = client.get("/api/summary").json()
    listed = summary["signals"]
    assert len(listed) == 10
    assert (listed[0]["key"], listed[0]["status"]) == ("event-new", "emerging")
    # 12 new items and the site's event and rumour: 4 not shown, and the page says so.
    assert summary["signals_more"] == "4"
    assert "… and 4 more, less urgent, not shown." in client.get("/").text
    rank = {"emerging": 0, "spreading": 1, "active": 1, "fading": 2}
    assert [rank[s["status"]] for s in listed] == sorted(rank[s["status"]] for s in listed)


def test_wordings_of_one_claim_answered_by_one_official_post_are_one_row(site: Site) -> None:
    """A denial reaches every wording of a claim; the list shows one of them and names the others."""
    def rumour(key: str, status: str, minute: int, title: str, verdict: str | None) -> dict[str, object]:
        details: dict[str, object] = {"status": status, "title": title}
        if verdict is not None:
            details["verdict_post"] = verdict
        return {"detector": "rumours", "kind": "rumour", "key": key,
                "at": datetime(2026, 11, 29, 19, minute, tzinfo=UTC), "summary": key, "post_ids": "[]",
                "details": json.dumps(details), "stored_at": datetime.now(UTC), "operation_id": site.operation}
    with site.engine.begin() as connection:
        connection.execute(insert(signals), [
            rumour("dam-fr", "denied", 5, "Il paraît que le barrage a cédé", "p:denial"),
            rumour("dam-de", "denied", 4, f"Hab gehört, der Damm ist gebrochen {HOSTILE}", "p:denial"),
            rumour("dam-en", "fading", 3, "Is it true the dam collapsed?", "p:denial"),
            rumour("other", "denied", 2, "Apparently the bridge is closed", "p:another")])
    client = sign_in(TestClient(create_app(site.gov)), "ana")
    listed = {s["key"]: s for s in client.get("/api/summary").json()["signals"]}
    (dam,) = [s for key, s in listed.items() if key.startswith("dam-")]
    assert dam["status"] == "denied", "a live wording leads, not the fading one"
    assert dam["wordings"]["count"] == 2
    assert len({dam["title"], *dam["wordings"]["titles"]}) == 3
    assert "Is it true the dam collapsed?" in dam["wordings"]["titles"]
    assert listed["other"]["wordings"] is None, "another official post: its own row"
    page = client.get("/").text
    assert "answered by the same official post as 2 other wordings of the claim, not listed: " in page
    assert "Hab gehört, der Damm ist gebrochen &lt;script&gt;" in page
    assert "<script>window.__pwned" not in page


def test_the_map_names_the_districts_of_the_operations_area(site: Site) -> None:
    """With an area the event map draws the districts around the located event, named; a name comes
    from a configuration file, and is shown as text all the same (page and API)."""
    area = AreaMap([DistrictShape(name="City Centre", lat=53.7997, lon=-1.5492, radius_km=1.2),
                    DistrictShape(name=HOSTILE, lat=53.81, lon=-1.53),
                    DistrictShape(name="York", lat=53.96, lon=-1.08)])
    client = sign_in(TestClient(create_app(site.gov, area=area)), "ana")
    summary = client.get("/api/summary").json()
    drawn = summary["map"]
    assert [d["name"] for d in drawn["districts"]] == ["City Centre", HOSTILE[:31] + "…"]
    (event,) = [s for s in summary["signals"] if s["kind"] == "event"]
    assert event["location"] == "City Centre, 53.80000, -1.55000 (within 900 m, 7 geotagged posts)"
    page = client.get("/").text
    assert '<text class="district" x="' in page
    assert ">City Centre</text>" in page
    assert "&lt;script&gt;window.__pwned = 1&lt;/scr…</text>" in page
    assert "<script>window.__pwned" not in page
    assert 'aria-label="Map of 1 located event over 2 districts of the operation&#39;s area"' in page
    # A rumour says which districts its wordings name: one may name only a landmark.
    with site.engine.begin() as connection:
        connection.execute(insert(signals).values(
            detector="rumours", kind="rumour", key="van", at=datetime(2026, 11, 29, 18, 40, tzinfo=UTC),
            summary="van", post_ids="[]", stored_at=datetime.now(UTC), operation_id=site.operation,
            details=json.dumps({"status": "spreading", "title": "A white van near Moss Lane East",
                                "places": ["Moss Side", HOSTILE]})))
    client = sign_in(TestClient(create_app(site.gov, area=area)), "ana")
    (van,) = [s for s in client.get("/api/summary").json()["signals"] if s["key"] == "van"]
    assert van["places"] == f"Moss Side, {HOSTILE[:80]}"
    page = client.get("/").text
    assert " · about Moss Side, &lt;script&gt;" in page
    assert "<script>window.__pwned" not in page
    # Without an area the map is the events alone, as before.
    assert sign_in(TestClient(create_app(site.gov)), "ana").get("/api/summary").json()["map"]["districts"] == []
