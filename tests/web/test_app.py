from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from civicpulse.pipeline.runner import PipelineStats
from civicpulse.web.app import create_app
from tests.web.conftest import HOSTILE


def test_page_escapes_post_text_and_forbids_inline_script(dashboard_engine: Engine) -> None:
    response = TestClient(create_app(dashboard_engine)).get("/")
    assert response.status_code == 200
    assert "<script>window.__pwned" not in response.text
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_summary_and_latest(dashboard_engine: Engine) -> None:
    client = TestClient(create_app(dashboard_engine, lambda: PipelineStats(stored=2, read=2)))
    summary = client.get("/api/summary").json()
    assert (summary["posts"], summary["quarantined"]) == (2, 0)
    assert summary["pipeline"]["stored"] == 2
    latest = client.get("/api/posts/latest", params={"limit": 1}).json()
    assert latest[0]["text"] == HOSTILE
    assert latest[0]["author"].startswith("acct") or latest[0]["author"].startswith("ps:")
    assert client.get("/api/posts/latest", params={"limit": 10_000}).status_code == 422


def test_events_stream_sends_updates(dashboard_engine: Engine) -> None:
    client = TestClient(create_app(dashboard_engine, tick_s=0.01, max_stream_s=0.05))
    with client.stream("GET", "/api/events") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        body = "".join(response.iter_text())
    data_lines = [line[6:] for line in body.splitlines() if line.startswith("data: ")]
    assert data_lines
    assert json.loads(data_lines[0])["posts"] == 2


def test_each_event_and_rumour_is_listed_once_in_its_latest_state(dashboard_engine: Engine) -> None:
    client = TestClient(create_app(dashboard_engine))
    listed = client.get("/api/summary").json()["signals"]
    assert [(s["kind"], s["key"], s["status"]) for s in listed] == [
        ("rumour", "rumour-1", "spreading"), ("event", "event-1", "active")]
    assert listed[1]["posts"] == 40
    assert listed[1]["accounts"] == 31
    page = client.get("/").text
    assert "fire depot smoke" in page
    assert page.count("&lt;script&gt;window.__pwned = 1&lt;/script&gt;") == 2  # the post and the rumour title
    assert "<script>window.__pwned" not in page
