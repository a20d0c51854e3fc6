from __future__ import annotations

import json

from fastapi.testclient import TestClient

from civicpulse.pipeline.runner import PipelineStats
from civicpulse.web.app import create_app
from tests.web.conftest import HOSTILE, OUTSIDE, Site, sign_in


def test_page_escapes_post_text_and_forbids_inline_script(site: Site) -> None:
    response = sign_in(TestClient(create_app(site.gov)), "ana").get("/")
    assert response.status_code == 200
    assert "<script>window.__pwned" not in response.text
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in response.text
    assert "Riverside flood" in response.text
    assert "find people asking for rescue" in response.text


def test_every_response_is_hardened(site: Site) -> None:
    client = TestClient(create_app(site.gov))
    for response in (client.get("/login"), sign_in(client, "ana").get("/"), client.get("/api/summary"),
                     client.get("/static/dashboard.js"), client.get("/nowhere")):
        csp = response.headers["content-security-policy"]
        assert "script-src 'self';" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"
    assert client.get("/api/summary").headers["cache-control"] == "no-store"
    assert "<script>" not in client.get("/").text.replace('<script src="/static/dashboard.js" defer></script>', "")


def test_summary_and_latest_show_the_operation_s_posts_pseudonymised(site: Site) -> None:
    client = sign_in(TestClient(create_app(site.gov, lambda: PipelineStats(stored=2, read=2))), "ana")
    summary = client.get("/api/summary").json()
    assert (summary["posts"], summary["quarantined"]) == (2, 0)  # not the post collected before the operation
    assert summary["pipeline"]["stored"] == 2
    latest = client.get("/api/posts/latest", params={"limit": 1}).json()
    assert latest[0]["text"] == HOSTILE
    assert latest[0]["author"].startswith("acct") or latest[0]["author"].startswith("ps:")
    texts = [p["text"] for p in client.get("/api/posts/latest").json()]
    assert OUTSIDE not in texts
    assert len(texts) == 2
    assert set(client.get("/api/posts/latest").json()[0]) == {
        "id", "created_at", "author", "official", "text", "language", "hashtags", "place", "readings"}
    assert client.get("/api/posts/latest", params={"limit": 10_000}).status_code == 422


def test_events_stream_sends_updates(site: Site) -> None:
    client = sign_in(TestClient(create_app(site.gov, tick_s=0.01, max_stream_s=0.05)), "ana")
    with client.stream("GET", "/api/events") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        body = "".join(response.iter_text())
    data_lines = [line[6:] for line in body.splitlines() if line.startswith("data: ")]
    assert data_lines
    assert json.loads(data_lines[0])["posts"] == 2


def test_each_event_and_rumour_is_listed_once_in_its_latest_state(site: Site) -> None:
    client = sign_in(TestClient(create_app(site.gov)), "ana")
    listed = client.get("/api/summary").json()["signals"]
    assert [(s["kind"], s["key"], s["status"]) for s in listed] == [
        ("rumour", "rumour-1", "spreading"), ("event", "event-1", "active")]
    assert listed[1]["posts"] == 40
    assert listed[1]["accounts"] == 31
    page = client.get("/").text
    assert "fire depot smoke" in page
    # The post, the rumour title and the word an event was raised on, each escaped.
    assert page.count("&lt;script&gt;window.__pwned = 1&lt;/script&gt;") == 3
    assert "<script>window.__pwned" not in page


def test_a_role_that_reads_posts_but_does_not_monitor_sees_no_alerts(site: Site) -> None:
    client = sign_in(TestClient(create_app(site.gov)), "cara")  # communications
    assert client.get("/api/summary").json()["alerts"] is None
    assert "Your role does not receive alerts" in client.get("/").text
    assert client.get("/api/alerts/latest").status_code == 403


def test_posts_dated_ahead_of_the_stream_are_among_the_limits(site: Site) -> None:
    """A source with a wrong clock: the pipeline held its posts back, and the page says so."""
    stats = PipelineStats(stored=2, read=2, dated_ahead=3, shown_early=1)
    client = sign_in(TestClient(create_app(site.gov, lambda: stats)), "ana")
    limits = client.get("/api/summary").json()["limits"]
    assert ("pipeline: 3 posts dated ahead of the stream (a source's clock may be wrong) waited for the stream "
            "to reach their time; 1 were shown before it") in limits
    quiet = sign_in(TestClient(create_app(site.gov, lambda: PipelineStats(stored=2, read=2))), "ana")
    assert not any(line.startswith("pipeline:") for line in quiet.get("/api/summary").json()["limits"])
