"""Webhooks: the alert as a JSON body, signed, POSTed to a URL, retried with backoff.

Signature (like Stripe's): header ``X-Civicpulse-Signature: t=<unix seconds>,v1=<hex>`` where the
hex is HMAC-SHA256 over ``f"{t}.".encode() + body`` with the shared secret. A receiver recomputes it
with :func:`verify_signature` and refuses a timestamp older than five minutes, so a captured request
cannot be replayed later. ``Idempotency-Key`` is the same on every retry of one alert.

A URL is attacker-influenced configuration (server-side request forgery): only http(s), no
credentials in the URL, and every address the host resolves to must be public unless
``webhook_allow_private`` is set. Redirects are not followed. Each attempt has a timeout; 5xx,
408, 429 and network errors are retried a bounded number of times with exponential backoff and
jitter; other 4xx answers are not (the receiver refused the message itself).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import random
import socket
import ssl
import time
from collections.abc import Callable
from typing import ClassVar
from urllib.parse import urlsplit

from civicpulse.channels.base import Channel, DeliveryError, Message, Receipt
from civicpulse.config import Settings
from civicpulse.errors import UsageError
from civicpulse.governance.keys import read_or_create_secret
from civicpulse.registry import channels

__all__ = ["SIGNATURE_HEADER", "WebhookChannel", "check_url_syntax", "sign", "verify_signature"]

SIGNATURE_HEADER = "X-Civicpulse-Signature"
TOLERANCE_S = 300
_RETRY_STATUS = frozenset({408, 429})
_MAX_BACKOFF_S = 30.0


def sign(secret: bytes, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: bytes, header: str, body: bytes, now: float, tolerance_s: int = TOLERANCE_S) -> bool:
    """What a receiver runs: the signature is valid and its timestamp is recent."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


def check_url_syntax(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{url[:200]!r} is not an http(s) URL", fix="give e.g. https://receiver.example.org/hook")
    if parts.username or parts.password:
        raise UsageError("webhook URLs must not carry credentials",
                         fix="remove user:password@; receivers authenticate by the signature header")


def resolve_addresses(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the system resolver)."""
    try:
        return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)})
    except (socket.gaierror, UnicodeError) as error:
        raise DeliveryError(f"cannot resolve {host}: {error}", fix="check the webhook URL's host name") from None


def check_public(host: str, addresses: list[str]) -> None:
    """Refuse a host that resolves to a private, loopback, link-local or otherwise special address."""
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            raise DeliveryError(f"{host} resolves to {ip}, a private or special address",
                                fix="use a public receiver, or set webhook_allow_private = true for an "
                                    "internal one", retry=False)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, not to whatever the name resolves to a moment later
    (DNS rebinding); the Host header still names the host."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same for TLS: the certificate is still checked against the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def _secret(settings: Settings) -> bytes:
    if settings.webhook_secret:
        return settings.webhook_secret.encode()
    return read_or_create_secret(settings.data_dir, "webhook.key")


@channels.register("webhook")
class WebhookChannel(Channel):
    name: ClassVar[str] = "webhook"

    def __init__(self, secret: bytes, *, timeout_s: float = 5.0, retries: int = 3, allow_private: bool = False,
                 sleep: Callable[[float], None] = time.sleep, wall_clock: Callable[[], float] = time.time,
                 backoff_s: float = 0.5, resolve: Callable[[str, int], list[str]] = resolve_addresses) -> None:
        self.secret = secret
        self.resolve = resolve
        self.timeout_s = timeout_s
        self.retries = max(1, retries)
        self.allow_private = allow_private
        self.sleep = sleep
        self.wall_clock = wall_clock
        self.backoff_s = backoff_s

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookChannel:
        return cls(_secret(settings), timeout_s=settings.webhook_timeout_s, retries=settings.webhook_retries,
                   allow_private=settings.webhook_allow_private)

    def send(self, message: Message) -> Receipt:
        try:
            check_url_syntax(message.target)
        except UsageError as error:
            raise DeliveryError(error.message, error.fix, retry=False) from None
        parts = urlsplit(message.target)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        # Resolved once: the address checked is the address connected to.
        addresses = self.resolve(host, port)
        if not addresses:
            raise DeliveryError(f"{host} resolves to no address", fix="check the webhook URL's host name")
        if not self.allow_private:
            check_public(host, addresses)
        body = json.dumps(message.payload, sort_keys=True, separators=(",", ":")).encode()
        last = ""
        for attempt in range(1, self.retries + 1):
            try:
                status = self._post(parts.scheme, host, port, addresses[0], parts.path or "/", parts.query, body,
                                    message)
            except (OSError, http.client.HTTPException) as error:
                status, last = None, f"{type(error).__name__}: {error}"
            if status is not None and 200 <= status < 300:
                return Receipt(self.name, message.target, attempt, f"HTTP {status}")
            if status is not None:
                last = f"HTTP {status}"
                if 400 <= status < 500 and status not in _RETRY_STATUS:
                    raise DeliveryError(f"the receiver refused the alert ({last})",
                                        fix="check the receiver's logs (a bad signature secret is a 401)",
                                        retry=False)
            if attempt < self.retries:
                delay = min(_MAX_BACKOFF_S, self.backoff_s * 2 ** (attempt - 1))
                self.sleep(delay / 2 + random.uniform(0, delay / 2))  # jitter spreads a herd of retries
        raise DeliveryError(f"webhook delivery failed after {self.retries} attempts ({last})",
                            fix="the outbox retries later; check that the receiver is up")

    def _post(self, scheme: str, host: str, port: int, address: str, path: str, query: str, body: bytes,
              message: Message) -> int:
        pinned = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        connection = pinned(host, port, address, self.timeout_s)
        try:
            connection.request("POST", path + (f"?{query}" if query else ""), body=body, headers={
                "Content-Type": "application/json",
                "User-Agent": "civicpulse-alerts/1",
                "Idempotency-Key": message.idempotency_key,
                SIGNATURE_HEADER: sign(self.secret, body, int(self.wall_clock())),
            })
            response = connection.getresponse()
            response.read(65536)
            return response.status
        finally:
            connection.close()
