"""The governance context: database, data folder (keys), clock and settings, shared by every act.

Every governed act runs in :meth:`Governance.transaction`: the clock is checked against the audit
log (never backwards), and the act and its audit entry commit together.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Engine

from civicpulse.config import Settings
from civicpulse.governance import audit
from civicpulse.governance.clock import Clock, as_utc, check_not_before, system_clock
from civicpulse.governance.events import AuditEvent
from civicpulse.governance.keys import audit_signing_key

__all__ = ["DEFAULT_LEGAL_BASES", "Actor", "Governance"]

#: Offered when the deployment configures none; national law is added in ``legal_bases``.
DEFAULT_LEGAL_BASES = (
    "LED Art. 8 (processing necessary for a law-enforcement task)",
    "LED Art. 10 (special categories, strictly necessary)",
    "GDPR Art. 6(1)(e) (public task)",
    "GDPR Art. 6(1)(d) (vital interests)",
    "GDPR Art. 9(2)(g) (substantial public interest)",
)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a signed-in user (role from the database, never from the token) or a named system job."""

    username: str
    role: str


@dataclass
class Governance:
    engine: Engine
    data_dir: Path
    clock: Clock = system_clock
    legal_bases: tuple[str, ...] = DEFAULT_LEGAL_BASES
    session_ttl: timedelta = field(default_factory=lambda: timedelta(hours=8))

    @classmethod
    def from_settings(cls, engine: Engine, settings: Settings, clock: Clock = system_clock) -> Governance:
        return cls(engine, Path(settings.data_dir), clock,
                   tuple(settings.legal_bases) or DEFAULT_LEGAL_BASES,
                   timedelta(minutes=settings.session_ttl_minutes))

    @cached_property
    def signer(self) -> Ed25519PrivateKey:
        return audit_signing_key(self.data_dir)

    def now(self) -> datetime:
        return as_utc(self.clock())

    @contextmanager
    def transaction(self) -> Iterator[tuple[Connection, datetime]]:
        """A transaction and the trusted time of the act (refused if the clock went backwards)."""
        now = self.now()
        with self.engine.begin() as connection:
            check_not_before(now, audit.latest_time(connection))
            yield connection, now

    def log(self, connection: Connection, event: AuditEvent, actor: str, at: datetime,
            operation_id: str | None = None) -> int:
        return audit.record(connection, event, actor=actor, at=at, operation_id=operation_id, signer=self.signer)

    def log_alone(self, event: AuditEvent, actor: str, operation_id: str | None = None) -> None:
        """An entry that is the act itself (a refusal, a failed sign-in)."""
        with self.transaction() as (connection, now):
            self.log(connection, event, actor, now, operation_id)
