from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from civicpulse.alerts.outbox import deliver_due, detector_from_store, record_alerts
from civicpulse.alerts.rules import add_rule
from civicpulse.config import Settings
from civicpulse.governance.context import Governance
from civicpulse.store.schema import alert_outbox, alerts
from civicpulse.testing import FrozenClock, make_post
from tests.channels.test_webhook import SECRET, Receiver
from tests.governance.seeding import ANA
from tests.smtp import Inbox


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(failures=1, status=503)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_alerts_are_stored_once_and_delivered_at_least_once(gov: Governance, op: str, receiver: Receiver,
                                                           clock: FrozenClock) -> None:
    add_rule(gov, ANA, op, name="Knives", query="knife",
             destinations=[f"webhook:{receiver.url}", "email:duty@police.example"])
    settings = Settings(webhook_secret=SECRET.decode(), webhook_allow_private=True, webhook_retries=1,
                        alert_delivery_attempts=3, data_dir=str(gov.data_dir))
    now = gov.now()
    with gov.engine.connect() as connection:
        detector = detector_from_store(connection, settings, now)
    signals = detector.update_many([make_post(1, "a knife"), make_post(2, "nothing")], now)
    assert record_alerts(gov.engine, signals, detector.rules, now) == 1
    assert record_alerts(gov.engine, signals, detector.rules, now) == 0  # a replay after a crash: stored once

    first = deliver_due(gov.engine, now, settings=settings)
    # The webhook answered 503 (retried later); e-mail has no SMTP server configured (failed for good).
    assert (first.delivered, first.retrying, first.failed) == (0, 1, 1)
    assert any("no SMTP server" in e for e in first.errors)
    assert deliver_due(gov.engine, now, settings=settings).retrying == 0  # not due yet: backoff
    second = deliver_due(gov.engine, now + timedelta(minutes=2), settings=settings)
    assert second.delivered == 1
    assert len(receiver.requests) == 2
    headers, _body, valid = receiver.requests[-1]
    assert valid
    with gov.engine.connect() as connection:
        rows = connection.execute(select(alert_outbox)).all()
        stored = connection.execute(select(alerts.c.summary)).scalars().all()
    assert {r.idempotency_key for r in rows} >= {headers["Idempotency-Key"]}
    assert stored == ["Knives: post test:1"]
    assert deliver_due(gov.engine, now + timedelta(hours=2), settings=settings).delivered == 0


def test_an_e_mail_alert_reaches_a_real_smtp_server(gov: Governance, op: str, smtp: tuple[Controller, Inbox]) -> None:
    controller, inbox = smtp
    add_rule(gov, ANA, op, name="Knives", query="knife", destinations=["email:duty@police.example"])
    settings = Settings(smtp_host="127.0.0.1", smtp_port=controller.port, smtp_starttls=False,
                        smtp_from="alerts@police.example", data_dir=str(gov.data_dir))
    now = gov.now()
    with gov.engine.connect() as connection:
        detector = detector_from_store(connection, settings, now)
    signals = detector.update_many([make_post(1, "a knife outside the school")], now)
    assert record_alerts(gov.engine, signals, detector.rules, now) == 1
    report = deliver_due(gov.engine, now, settings=settings)
    assert (report.delivered, report.retrying, report.failed) == (1, 0, 0)
    [mail] = inbox.messages
    assert (mail["To"], mail["From"]) == ("duty@police.example", "alerts@police.example")
    assert "Knives" in mail["Subject"]
    assert "post_ids: test:1" in mail.get_payload()
    assert deliver_due(gov.engine, now + timedelta(hours=1), settings=settings).delivered == 0  # once
