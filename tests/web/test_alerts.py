from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from civicpulse.alerts.outbox import record_alerts
from civicpulse.detectors.base import Signal
from civicpulse.governance.redaction import redactor_for
from civicpulse.store.writer import Batch, StoreWriter
from civicpulse.testing import make_post
from civicpulse.web.app import create_app
from tests.web.conftest import Site, sign_in

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def alert(n: int, operation_id: str) -> Signal:
    return Signal("alerts", "alert", f"key-{n}", AT, f"Knives: post test:{n}", (f"test:{n}",),
                  {"rule_id": "r1", "operation_id": operation_id, "subject": "post"})


def test_latest_and_stream_resume_from_last_event_id(site: Site) -> None:
    op = site.operation
    record_alerts(site.engine, [alert(1, op), alert(2, op), alert(3, op), alert(4, "op-other")], {}, AT)
    client = sign_in(TestClient(create_app(site.gov, tick_s=0.01, max_stream_s=0.05)), "ana")
    latest = client.get("/api/alerts/latest").json()
    # Only the viewer's operation's alerts.
    assert [a["summary"] for a in latest] == ["Knives: post test:3", "Knives: post test:2", "Knives: post test:1"]
    assert latest[0]["details"]["post_ids"] == ["test:3"]
    with client.stream("GET", "/api/alerts/stream", headers={"Last-Event-ID": str(latest[2]["id"])}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        body = "".join(response.iter_text())
    events = [block for block in body.split("\n\n") if "event: alert" in block]
    assert [json.loads(e.split("data: ", 1)[1])["summary"] for e in events] == ["Knives: post test:2",
                                                                               "Knives: post test:3"]
    assert events[-1].startswith(f"id: {latest[0]['id']}")


def test_the_dashboard_shows_a_post_alert_with_its_post_redacted_and_only_from_its_operation(site: Site) -> None:
    op = site.operation
    StoreWriter(site.engine, op).write(Batch(posts=[make_post(5, "@dave says looting at the depot")]))
    named = Signal("alerts", "alert", "key-5", AT, "Looting: post test:5", ("test:5",),
                   {"rule_id": "r1", "rule": "Looting", "operation_id": op, "subject": "post", "post_id": "test:5"})
    # A crafted alert naming a post collected before the operation: its text is not shown.
    outside = Signal("alerts", "alert", "key-9", AT, "Looting: post test:9", ("test:9",),
                     {"rule_id": "r1", "operation_id": op, "subject": "post", "post_id": "test:9"})
    record_alerts(site.engine, [named, outside], {}, AT)
    client = sign_in(TestClient(create_app(site.gov)), "ana")
    shown = {a["summary"]: a.get("example") for a in client.get("/api/summary").json()["alerts"]}
    dave = redactor_for(site.gov.data_dir).mention("dave")
    assert shown["Looting: post test:5"] == f"{dave} says looting at the depot"
    assert shown["Looting: post test:9"] is None
    # Above a post it shows, the rule's name; the bare summary names a post id nobody can read.
    headlines = {a["summary"]: a.get("headline") for a in client.get("/api/summary").json()["alerts"]}
    assert headlines == {"Looting: post test:5": "Looting", "Looting: post test:9": None}
    assert "example" not in client.get("/api/alerts/latest").json()[0]  # the stored alert holds no text
