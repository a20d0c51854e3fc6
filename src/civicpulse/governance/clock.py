"""Time for governance decisions: injected (tests freeze and jump it), UTC, and never trusted backwards.

Expiry (sessions, operations, retention) depends on the clock, so a clock set back could revive an
expired operation or token. :func:`check_not_before` refuses to act when the clock reads earlier
than the newest audit entry, which no honest clock can do.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from civicpulse.errors import AccessDenied

__all__ = ["Clock", "as_utc", "check_not_before", "system_clock"]

Clock = Callable[[], datetime]

#: Clocks on different servers disagree a little; more than this backwards is refused.
TOLERANCE = timedelta(minutes=5)


def system_clock() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Databases hand back naive (SQLite) or aware (PostgreSQL) datetimes; compare them as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def check_not_before(now: datetime, latest: datetime | None) -> None:
    if latest is not None and now < as_utc(latest) - TOLERANCE:
        raise AccessDenied(
            f"the clock reads {now:%Y-%m-%d %H:%M} UTC, before the latest audit entry "
            f"({as_utc(latest):%Y-%m-%d %H:%M} UTC): time went backwards",
            fix="correct the system clock (NTP) before acting; expiry decisions depend on it",
        )
