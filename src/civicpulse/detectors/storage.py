"""Detectors in a running pipeline: built from settings, state restored, signals and snapshots stored.

:class:`SignalStore` is a pipeline sink: it receives each stored batch with the signals the
detectors raised for it, writes the signals to the ``signals`` table and, every
``snapshot_every_s`` of stream time, the detectors' snapshots to ``detector_state``, so that a
restarted pipeline (:func:`build_detectors`) resumes with what the detectors had learnt instead of
learning the baseline again.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, delete, insert, select

from civicpulse.detectors.area import AreaMap
from civicpulse.detectors.base import Detector, Signal
from civicpulse.post import Post
from civicpulse.registry import detectors as detector_registry
from civicpulse.store.schema import detector_state, signals

__all__ = ["SignalStore", "build_detectors", "current_signals", "load_signals", "restore_detectors", "save_detectors"]

#: Largest details JSON stored per signal (hostile text can be long); larger is cut with a note.
MAX_DETAILS_CHARS = 64_000


def build_detectors(names: Sequence[str], engine: Engine | None = None, area: AreaMap | None = None) -> list[Detector]:
    """Instantiate registered detectors by name, given the operation's ``area`` when there is one; with
    ``engine``, restore their saved state."""
    built = [detector_registry.get(name)() for name in names]
    if area:
        for detector in built:
            detector.use_area(area)
    if engine is not None:
        restore_detectors(engine, built)
    return built


def restore_detectors(engine: Engine, detectors: Sequence[Detector]) -> int:
    """Load each detector's saved snapshot, when one of the same version exists; returns how many."""
    restored = 0
    with engine.connect() as connection:
        rows = {row.name: row for row in connection.execute(select(detector_state))}
    for detector in detectors:
        row = rows.get(detector.name)
        if row is not None and row.version == detector.version:
            detector.restore(bytes(row.state))
            restored += 1
    return restored


def save_detectors(engine: Engine, detectors: Sequence[Detector], stream_time: datetime | None,
                   operation_id: str | None = None) -> None:
    now = datetime.now(UTC)
    rows = [{"name": d.name, "version": d.version, "state": d.snapshot(), "stream_time": stream_time,
             "updated_at": now, "operation_id": operation_id} for d in detectors]
    with engine.begin() as connection:
        connection.execute(delete(detector_state).where(detector_state.c.name.in_([d.name for d in detectors])))
        connection.execute(insert(detector_state), rows)


def _row(signal: Signal, stored_at: datetime, operation_id: str | None) -> dict[str, Any]:
    details = json.dumps(signal.details, ensure_ascii=False, default=str)
    if len(details) > MAX_DETAILS_CHARS:
        details = json.dumps({"truncated": True, "title": str(signal.details.get("title", ""))[:500]})
    return {"detector": signal.detector[:128], "kind": signal.kind[:64], "key": signal.key[:256],
            "at": signal.at, "summary": signal.summary[:2000], "post_ids": json.dumps(list(signal.post_ids)),
            "details": details, "stored_at": stored_at, "operation_id": operation_id}


def load_signals(engine: Engine, kind: str | None = None, limit: int = 1000) -> list[Signal]:
    """Stored signals, oldest first (for the dashboard, reports and tests)."""
    query = select(signals).order_by(signals.c.id).limit(limit)
    if kind is not None:
        query = query.where(signals.c.kind == kind)
    with engine.connect() as connection:
        return [_from_row(r) for r in connection.execute(query)]


def _from_row(r: Any) -> Signal:
    return Signal(detector=r.detector, kind=r.kind, key=r.key, at=r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC),
                  summary=r.summary, post_ids=tuple(json.loads(r.post_ids)), details=json.loads(r.details))


def current_signals(engine: Engine, kinds: Sequence[str] = ("event", "rumour"), limit: int = 10,
                    scan: int = 2000, where: ColumnElement[bool] | None = None) -> list[Signal]:
    """The latest signal of each event or rumour (its current status and numbers), most recently updated first.

    Reads only the newest ``scan`` signals, so the cost stays flat however long the deployment runs;
    ``where`` narrows them further (e.g. to those an operation's ingests raised).
    """
    query = select(signals).where(signals.c.kind.in_(list(kinds)))
    if where is not None:
        query = query.where(where)
    query = query.order_by(signals.c.id.desc()).limit(scan)
    latest: dict[tuple[str, str], Signal] = {}
    with engine.connect() as connection:
        for r in connection.execute(query):
            if (r.kind, r.key) not in latest:
                latest[(r.kind, r.key)] = _from_row(r)
                if len(latest) == limit:
                    break
    return list(latest.values())


class SignalStore:
    """Pipeline sink: stores signals as they come and snapshots the detectors periodically."""

    def __init__(self, engine: Engine, detectors: Sequence[Detector], snapshot_every_s: float = 300.0,
                 operation_id: str | None = None) -> None:
        self.engine = engine
        #: The operation the pipeline collects for: its signals and snapshots belong to it (retention).
        self.operation_id = operation_id
        self.detectors = list(detectors)
        self.snapshot_every_s = snapshot_every_s
        self._last_snapshot: datetime | None = None
        self._stream_time: datetime | None = None
        self._lock = threading.Lock()

    def consume(self, posts: Sequence[Post], signals_: Sequence[Signal]) -> None:
        if signals_:
            stored_at = datetime.now(UTC)
            with self.engine.begin() as connection:
                connection.execute(insert(signals), [_row(s, stored_at, self.operation_id) for s in signals_])
        newest = max((p.created_at for p in posts), default=None)
        if newest is None:
            return
        with self._lock:
            self._stream_time = max(filter(None, (self._stream_time, newest)))
            due = (self._last_snapshot is None
                   or (self._stream_time - self._last_snapshot).total_seconds() >= self.snapshot_every_s)
            if due:
                self._last_snapshot = self._stream_time
        if due:
            self.flush()

    def flush(self) -> None:
        """Save every detector's snapshot now (also called when the pipeline ends)."""
        if self.detectors:
            save_detectors(self.engine, self.detectors, self._stream_time, self.operation_id)
