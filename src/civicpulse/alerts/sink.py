"""Alerts inside a running pipeline: a sink that sees each stored batch and the detectors' signals.

The pipeline hands every sink the posts it stored and the signals its detectors raised
(:class:`civicpulse.pipeline.runner.Sink`). :class:`AlertSink` runs the alert detector over both
(posts against post rules; ``event`` and ``rumour`` signals against event and rumour rules), then
stores the alerts and queues their deliveries. It only ever uses the rules of the operation the
ingest is bound to (purpose binding), re-reads them when they change (a rule added or disabled
while the stream runs), and never lets an alert problem stop the pipeline: errors are counted.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import Engine

from civicpulse.alerts.outbox import detector_from_store, record_alerts
from civicpulse.alerts.rules import active_rules
from civicpulse.config import Settings
from civicpulse.detectors.base import Signal
from civicpulse.detectors.stream_clock import steps_of
from civicpulse.governance.clock import Clock, system_clock
from civicpulse.post import Post

__all__ = ["AlertSink"]

_log = logging.getLogger(__name__)


class AlertSink:
    def __init__(self, engine: Engine, settings: Settings, operation_id: str, *, clock: Clock = system_clock,
                 reload_every: int = 1) -> None:
        self.engine = engine
        self.operation_id = operation_id
        #: Wall time decides whether the operation (and so its rules) is active; stream time drives the detector.
        self.clock = clock
        self.reload_every = max(1, reload_every)
        self.raised = 0
        self.errors = 0
        self._batches = 0
        with engine.connect() as connection:
            self.detector = detector_from_store(connection, settings, clock(), operation_id)
        self._fingerprint = self._rule_ids()

    def _rule_ids(self) -> tuple[str, ...]:
        return tuple(sorted(self.detector.rules))

    def _refresh(self) -> None:
        with self.engine.connect() as connection:
            rules = active_rules(connection, self.clock(), self.operation_id)
        if tuple(sorted(r.id for r in rules)) != self._fingerprint:
            self.detector.set_rules(rules)
            self._fingerprint = self._rule_ids()

    def consume(self, posts: Sequence[Post], signals: Sequence[Signal]) -> None:
        try:
            self._batches += 1
            if self._batches % self.reload_every == 0:
                self._refresh()
            raised = []
            for step, due, now in _timeline(posts, [s for s in signals if s.kind in ("event", "rumour")]):
                raised += self.detector.update_many(step, now)
                raised += self.detector.update_signals(due, now)
            if raised:
                # Deliveries are due by the wall clock (the worker's), whatever the stream's time.
                self.raised += record_alerts(self.engine, raised, self.detector.rules, self.clock())
        except Exception:
            # An alert problem (a bad rule row, a locked database) must not stop ingest; it is
            # counted and logged with its traceback for the operator.
            self.errors += 1
            _log.exception("alerts: a batch could not be evaluated")


def _timeline(posts: Sequence[Post], signals: Sequence[Signal]) -> Iterator[tuple[list[Post], list[Signal], datetime]]:
    """A stored batch in the detectors' steps of stream time, each step with the signals raised by
    its end. A batch read at full speed spans minutes: alerted as one moment, every alert would carry
    the newest post's time and a throttle window would open and close on batch boundaries."""
    pending = deque(sorted(signals, key=lambda s: s.at))
    for step, now in steps_of(posts):
        due = []
        while pending and pending[0].at <= now:
            due.append(pending.popleft())
        if step or due:
            yield step, due, now
    if pending:
        yield [], list(pending), pending[-1].at
