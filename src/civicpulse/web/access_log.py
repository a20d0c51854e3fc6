"""Audit entries for dashboard reads, aggregated so that the log stays readable.

The dashboard polls and streams: one audit entry per request (or per live update, every second)
would bury everything else in the log. So a read of personal data is logged once per session,
endpoint and operation per ``every`` (a ``data_viewed`` entry naming the endpoint, a short session
id and the interval); a live stream that stays open is logged again at each interval. Refusals are
aggregated the same way (one ``access_refused`` per session and endpoint per interval), so a page
left open on a refused request cannot flood the log.

The memory of what was logged is per process, bounded, and forgotten after ``every``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime, timedelta

from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.events import DataViewed

__all__ = ["AccessLog"]

_MAX_KEYS = 100_000


class AccessLog:
    def __init__(self, gov: Governance, every: timedelta) -> None:
        self.gov = gov
        self.every = every
        self._logged: OrderedDict[tuple[str, ...], datetime] = OrderedDict()
        self._lock = threading.Lock()

    def due(self, key: tuple[str, ...], now: datetime) -> bool:
        """True (and remembered) when ``key`` was not logged within the interval."""
        with self._lock:
            last = self._logged.get(key)
            if last is not None and now - last < self.every:
                return False
            self._logged.pop(key, None)
            self._logged[key] = now
            while len(self._logged) > _MAX_KEYS:
                self._logged.popitem(last=False)
            return True

    def viewed(self, actor: Actor, session: str, endpoint: str, operation_id: str) -> None:
        """Log that ``actor`` read personal data at ``endpoint`` inside the operation, if due."""
        key = ("viewed", session, endpoint, operation_id)
        if not self.due(key, self.gov.now()):
            return
        try:
            self.gov.log_alone(DataViewed(endpoint=endpoint, session=session,
                                          every_minutes=round(self.every.total_seconds() / 60, 2)),
                               actor.username, operation_id)
        except BaseException:
            self.forget(key)  # not logged, so the read must not go ahead, nor the next one unlogged
            raise

    def forget(self, key: tuple[str, ...]) -> None:
        with self._lock:
            self._logged.pop(key, None)
