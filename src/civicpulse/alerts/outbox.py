"""The outbox: alerts are stored with one delivery row per destination, and a worker sends them.

Recording an alert and queueing its deliveries happen in one transaction, and sending happens later
in :func:`deliver_due`, so a dead webhook or SMTP server never blocks the pipeline. Delivery is
at-least-once: a row is marked delivered only after the channel accepted it, and a crash in between
sends it again with the same idempotency key. A failing delivery is retried in later rounds with
exponential backoff and jitter, up to ``alert_delivery_attempts``, then marked failed (and shown by
``civicpulse rule deliver``). Run one worker per database.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from civicpulse.alerts.rules import Rule, active_rules
from civicpulse.channels.base import Channel, DeliveryError, Message
from civicpulse.config import Settings
from civicpulse.detectors.alerts import AlertDetector
from civicpulse.detectors.base import Signal
from civicpulse.errors import PluginError
from civicpulse.registry import channels
from civicpulse.store.schema import alert_outbox, alerts

__all__ = ["DeliveryReport", "deliver_due", "detector_from_store", "record_alerts"]

_FIRST_RETRY_S = 30.0
_LONGEST_RETRY_S = 3600.0


def detector_from_store(connection: Connection, settings: Settings, now: datetime,
                        operation_id: str | None = None) -> AlertDetector:
    """The alert detector with the active rules (of one operation, if given), configured by the settings."""
    return AlertDetector(active_rules(connection, now, operation_id), per_window=settings.alert_throttle_count,
                         window=timedelta(seconds=settings.alert_throttle_window_s))


def _payload(signal: Signal) -> dict[str, Any]:
    return {**signal.details, "key": signal.key, "at": signal.at.isoformat(), "summary": signal.summary,
            "post_ids": list(signal.post_ids)}


def record_alerts(engine: Engine, signals: Iterable[Signal], rules: Mapping[str, Rule], now: datetime) -> int:
    """Store new alerts (a key already stored is skipped) and queue their deliveries, due at ``now``
    (wall-clock time); how many were new. Each alert keeps its own (stream) time."""
    new = 0
    with engine.begin() as connection:
        for signal in signals:
            if signal.kind != "alert":
                continue
            exists = connection.execute(select(alerts.c.id).where(alerts.c.key == signal.key)).first()
            if exists is not None:
                continue
            rule_id = str(signal.details.get("rule_id", ""))
            result = connection.execute(insert(alerts).values(
                key=signal.key, rule_id=rule_id, operation_id=str(signal.details.get("operation_id", "")),
                at=signal.at, summary=signal.summary[:1000], payload=json.dumps(_payload(signal), default=str)))
            alert_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
            rule = rules.get(rule_id)
            if rule is not None and alert_id is not None and rule.destinations:
                connection.execute(insert(alert_outbox), [{
                    "alert_id": alert_id, "channel": d.channel, "target": d.target,
                    "idempotency_key": hashlib.sha256(f"{signal.key}\x00{d}".encode()).hexdigest()[:40],
                    "attempts": 0, "next_attempt_at": now} for d in rule.destinations])
            new += 1
    return new


@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _backoff(attempts: int) -> timedelta:
    delay = min(_LONGEST_RETRY_S, _FIRST_RETRY_S * 2 ** max(0, attempts - 1))
    return timedelta(seconds=delay / 2 + random.uniform(0, delay / 2))


def deliver_due(engine: Engine, now: datetime, *, settings: Settings | None = None,
                channel_for: Callable[[str], Channel] | None = None, limit: int = 200) -> DeliveryReport:
    """Send deliveries that are due at ``now``; one failure never stops the others."""
    settings = settings or Settings()
    built: dict[str, Channel] = {}

    def channel(name: str) -> Channel:
        if name not in built:
            built[name] = channel_for(name) if channel_for else channels.get(name).from_settings(settings)
        return built[name]

    report = DeliveryReport()
    with engine.connect() as connection:
        due: Sequence[Any] = connection.execute(
            select(alert_outbox, alerts.c.summary, alerts.c.payload)
            .join(alerts, alerts.c.id == alert_outbox.c.alert_id)
            .where(alert_outbox.c.delivered_at.is_(None), alert_outbox.c.failed_at.is_(None),
                   alert_outbox.c.next_attempt_at <= now)
            .order_by(alert_outbox.c.next_attempt_at, alert_outbox.c.id).limit(limit)).all()
    for row in due:
        message = Message(row.target, row.idempotency_key, f"[civicpulse alert] {row.summary}", json.loads(row.payload))
        attempts = row.attempts + 1
        values: dict[str, Any] = {"attempts": attempts}
        try:
            channel(row.channel).send(message)
        except (DeliveryError, PluginError) as error:
            give_up = not getattr(error, "retry", False) or attempts >= settings.alert_delivery_attempts
            values.update(last_error=error.message[:1000],
                          **({"failed_at": now} if give_up else {"next_attempt_at": now + _backoff(attempts)}))
            report.errors.append(f"{row.channel}:{row.target}: {error.message}")
            if give_up:
                report.failed += 1
            else:
                report.retrying += 1
        else:
            values["delivered_at"] = now
            report.delivered += 1
        with engine.begin() as connection:
            connection.execute(update(alert_outbox).where(alert_outbox.c.id == row.id).values(**values))
    return report
