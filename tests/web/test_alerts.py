from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from civicpulse.alerts.outbox import record_alerts
from civicpulse.detectors.base import Signal
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
