"""The channel contract: ``send(message) -> Receipt``; a failure raises :class:`DeliveryError`.

A channel is built from the settings (:meth:`Channel.from_settings`) and sends one message to one
target. It never runs inside the pipeline: alerts wait in the outbox table and the delivery worker
(:mod:`civicpulse.alerts.outbox`) calls channels, so a slow or dead receiver never blocks ingest.
Delivery is at-least-once; every message carries an idempotency key that stays the same on every
retry, so the receiver can drop repeats.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from civicpulse.config import Settings
from civicpulse.errors import CivicpulseError

__all__ = ["Channel", "DeliveryError", "Message", "Receipt"]


class DeliveryError(CivicpulseError):
    """A message could not be delivered now; ``retry`` says whether trying later may help."""

    def __init__(self, message: str, fix: str = "", *, retry: bool = True) -> None:
        super().__init__(message, fix)
        self.retry = retry


@dataclass(frozen=True, slots=True)
class Message:
    """One alert for one target. ``payload`` is JSON-compatible and never holds post text."""

    target: str
    idempotency_key: str
    subject: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Receipt:
    channel: str
    target: str
    attempts: int
    detail: str = ""


class Channel(ABC):
    name: ClassVar[str]
    version: ClassVar[int] = 1

    @classmethod
    @abstractmethod
    def from_settings(cls, settings: Settings) -> Channel:
        """The channel configured by ``settings`` (SMTP server, webhook secret, timeouts)."""

    @abstractmethod
    def send(self, message: Message) -> Receipt:
        """Deliver ``message`` or raise :class:`DeliveryError`."""
