"""The retention job on a timer, inside ``civicpulse serve``: data is deleted on time without cron.

The job acts as the named system actor ``system:retention`` (with the data-protection officer's
right to run retention and nothing else), so every deletion it makes is audit-logged like a person's.
A failed run (the clocks disagree, the database is away) is reported and retried at the next tick;
it never stops the server.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from civicpulse.errors import CivicpulseError
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.retention import RetentionReport, run_retention
from civicpulse.governance.roles import Role

__all__ = ["RETENTION_ACTOR", "RetentionSchedule"]

RETENTION_ACTOR = Actor("system:retention", Role.DPO.value)

log = logging.getLogger(__name__)


class RetentionSchedule:
    """Runs :func:`run_retention` now and then every ``interval_s`` seconds on a daemon thread."""

    def __init__(self, gov: Governance, interval_s: float,
                 on_report: Callable[[RetentionReport], None] | None = None) -> None:
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        self._gov = gov
        self._interval_s = interval_s
        self._on_report = on_report
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="civicpulse-retention", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop after the batch in flight (each batch is its own transaction, so nothing is half done)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def run_once(self) -> RetentionReport | None:
        try:
            report = run_retention(self._gov, RETENTION_ACTOR)
        except CivicpulseError as error:
            log.error("retention did not run: %s (%s)", error.message, error.fix)
            return None
        except Exception:
            log.exception("retention failed; it will be tried again at the next run")
            return None
        if report.operations:
            log.warning("retention deleted %d posts, %d identities for %s",
                        report.posts, report.identities, ", ".join(report.operations))
        if self._on_report is not None:
            self._on_report(report)
        return report

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self._interval_s)
