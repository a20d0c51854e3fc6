from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from civicpulse.alerts.rules import add_rule, disable_rule
from civicpulse.alerts.sink import AlertSink
from civicpulse.config import Settings
from civicpulse.detectors.base import Detector, Signal
from civicpulse.governance.context import Governance
from civicpulse.pipeline.runner import Pipeline
from civicpulse.post import Post
from civicpulse.store.pseudonym import Pseudonymiser
from civicpulse.store.schema import alert_outbox, alerts
from civicpulse.store.writer import StoreWriter
from civicpulse.testing import MemorySource, make_post
from tests.governance.seeding import ANA, operation


class Growing(Detector):
    """Stands in for the event detector: one event whose growth rises batch by batch."""

    name = "growing"

    def __init__(self) -> None:
        self.growth = 0

    def update_many(self, posts: Sequence[Post], now: datetime) -> list[Signal]:
        self.growth += 1
        return [Signal("events", "event", "ev-1", now, "bridge closed", tuple(p.id for p in posts[:3]),
                       {"growth": self.growth, "terms": ["bridge"]})]


def run(gov: Governance, sink: AlertSink, posts: list[Post]) -> None:
    Pipeline(MemorySource(posts), StoreWriter(gov.engine), Pseudonymiser(b"k" * 32), detectors=[Growing()],
             sinks=[sink], batch_size=10).run()


def stored(gov: Governance) -> list[str]:
    with gov.engine.connect() as connection:
        return list(connection.execute(select(alerts.c.summary).order_by(alerts.c.id)).scalars())


def test_the_sink_alerts_on_posts_and_events_of_its_own_operation_only(gov: Governance, op: str) -> None:
    other = operation(gov, "Other purpose")
    add_rule(gov, ANA, op, name="Knives", query="knife", destinations=["email:desk@police.example"])
    add_rule(gov, ANA, op, name="Growing", kind="event", metric="growth", threshold=2.0, query="bridge")
    add_rule(gov, ANA, other, name="Elsewhere", query="knife")
    sink = AlertSink(gov.engine, Settings(), op, clock=gov.now)
    run(gov, sink, [make_post(n, "knife" if n == 3 else "calm") for n in range(25)])
    assert (sink.raised, sink.errors) == (2, 0)
    assert stored(gov) == ["Knives: post test:3", "Growing: event bridge closed"]
    with gov.engine.connect() as connection:
        assert connection.execute(select(alert_outbox.c.target)).scalars().all() == ["desk@police.example"]


def test_rule_changes_apply_while_the_stream_runs(gov: Governance, op: str) -> None:
    sink = AlertSink(gov.engine, Settings(), op, clock=gov.now)
    run(gov, sink, [make_post(1, "knife")])
    rule = add_rule(gov, ANA, op, name="Knives", query="knife")
    run(gov, sink, [make_post(2, "knife")])
    disable_rule(gov, ANA, rule.id)
    run(gov, sink, [make_post(3, "knife")])
    assert stored(gov) == ["Knives: post test:2"]


def test_a_batch_spanning_an_hour_is_alerted_at_each_posts_own_time(gov: Governance, op: str) -> None:
    # Read at full speed, one batch holds an hour of stream time: alerted as one moment, all its
    # alerts would carry the newest post's time and share one throttle window.
    add_rule(gov, ANA, op, name="Knives", query="knife")
    sink = AlertSink(gov.engine, Settings(alert_throttle_count=1), op, clock=gov.now)
    posts = [make_post(n, "knife" if n % 900 == 0 else "calm") for n in range(0, 3600, 60)]
    Pipeline(MemorySource(posts), StoreWriter(gov.engine), Pseudonymiser(b"k" * 32), sinks=[sink],
             batch_size=100).run()
    with gov.engine.connect() as connection:
        rows = connection.execute(select(alerts.c.summary, alerts.c.at).order_by(alerts.c.id)).all()
    start = posts[0].created_at
    # One alert per 10-minute window (its quota), each within a step (2 s) of its post.
    assert [(summary, round((at.replace(tzinfo=start.tzinfo) - start).total_seconds())) for summary, at in rows] \
        == [("Knives: post test:0", 2), ("Knives: post test:900", 902), ("Knives: post test:1800", 1802),
            ("Knives: post test:2700", 2702)]
