from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from civicpulse.channels.base import DeliveryError, Message
from civicpulse.channels.webhook import SIGNATURE_HEADER, WebhookChannel, verify_signature
from civicpulse.config import Settings
from civicpulse.registry import channels

SECRET = b"shared-secret"
MESSAGE = Message("", "idem-1", "knife near school", {"rule": "r1", "post_ids": ["x:1"]})


class Receiver(ThreadingHTTPServer):
    """A real HTTP receiver that verifies signatures and fails the first ``failures`` requests."""

    def __init__(self, failures: int = 0, status: int = 500) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.failures = failures
        self.status = status
        self.requests: list[tuple[dict[str, str], bytes, bool]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook?x=1"


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        valid = verify_signature(SECRET, self.headers[SIGNATURE_HEADER], body, time.time())
        self.server.requests.append((dict(self.headers), body, valid))
        failing = len(self.server.requests) <= self.server.failures
        self.send_response(self.server.status if failing else (200 if valid else 401))
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver(request: pytest.FixtureRequest) -> Iterator[Receiver]:
    failures, status = getattr(request, "param", (0, 500))
    server = Receiver(failures, status)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def channel(**options: object) -> WebhookChannel:
    return WebhookChannel(SECRET, allow_private=True, sleep=lambda _s: None, **options)  # type: ignore[arg-type]


def with_target(url: str) -> Message:
    return Message(url, MESSAGE.idempotency_key, MESSAGE.subject, MESSAGE.payload)


def test_signed_body_verifies_and_carries_the_idempotency_key(receiver: Receiver) -> None:
    receipt = channel().send(with_target(receiver.url))
    assert receipt.attempts == 1
    headers, body, valid = receiver.requests[0]
    assert valid
    assert json.loads(body) == MESSAGE.payload
    assert headers["Idempotency-Key"] == "idem-1"
    assert not verify_signature(b"wrong", headers[SIGNATURE_HEADER], body, time.time())
    assert not verify_signature(SECRET, headers[SIGNATURE_HEADER], body + b" ", time.time())
    # Replay: the same request presented ten minutes later is refused.
    assert not verify_signature(SECRET, headers[SIGNATURE_HEADER], body, time.time() + 600)


@pytest.mark.parametrize("receiver", [(2, 500)], indirect=True)
def test_retries_server_errors_with_backoff(receiver: Receiver) -> None:
    delays: list[float] = []
    sent = WebhookChannel(SECRET, allow_private=True, retries=3, sleep=delays.append, backoff_s=1.0)
    assert sent.send(with_target(receiver.url)).attempts == 3
    assert len(receiver.requests) == 3
    assert {r[0]["Idempotency-Key"] for r in receiver.requests} == {"idem-1"}
    assert 0.5 <= delays[0] <= 1.0
    assert 1.0 <= delays[1] <= 2.0


@pytest.mark.parametrize("receiver", [(5, 500)], indirect=True)
def test_gives_up_after_the_bounded_attempts(receiver: Receiver) -> None:
    with pytest.raises(DeliveryError, match="after 2 attempts") as caught:
        channel(retries=2).send(with_target(receiver.url))
    assert caught.value.retry
    assert len(receiver.requests) == 2


@pytest.mark.parametrize("receiver", [(1, 400)], indirect=True)
def test_client_errors_are_not_retried(receiver: Receiver) -> None:
    with pytest.raises(DeliveryError, match="refused") as caught:
        channel().send(with_target(receiver.url))
    assert not caught.value.retry
    assert len(receiver.requests) == 1


def test_private_and_loopback_addresses_are_refused_by_default(receiver: Receiver) -> None:
    strict = WebhookChannel.from_settings(Settings(webhook_secret="s"))
    for url in (receiver.url, "http://10.1.2.3/x", "http://169.254.169.254/latest/meta-data", "http://[::1]:9/"):
        with pytest.raises(DeliveryError, match="private or special") as caught:
            strict.send(with_target(url))
        assert "webhook_allow_private" in caught.value.fix
    assert receiver.requests == []


def test_the_checked_address_is_the_one_connected_to(receiver: Receiver) -> None:
    """DNS rebinding: the name is resolved once, and that address is used (the name itself would not
    resolve at all here); the Host header still carries the name."""
    port = receiver.server_address[1]
    lookups: list[str] = []
    pinned = channel(resolve=lambda host, _port: (lookups.append(host), ["127.0.0.1"])[1])
    receipt = pinned.send(with_target(f"http://receiver.invalid:{port}/hook"))
    assert receipt.detail == "HTTP 200"
    assert lookups == ["receiver.invalid"]
    assert receiver.requests[0][0]["Host"] == f"receiver.invalid:{port}"


def test_bad_urls_and_unreachable_receivers() -> None:
    for url in ("ftp://example.org/x", "https://user:pw@example.org/", "not a url"):
        with pytest.raises(DeliveryError) as caught:
            channel().send(with_target(url))
        assert not caught.value.retry
    with pytest.raises(DeliveryError, match="ConnectionRefused"):
        channel(retries=1, timeout_s=2.0).send(with_target("http://127.0.0.1:9/hook"))


def test_registered_and_built_from_settings(tmp_path: object) -> None:
    assert channels.get("webhook") is WebhookChannel
    assert {"email", "webhook"} <= set(channels.names())


def test_the_receiver_snippet_in_the_docs_verifies_our_signature() -> None:
    from pathlib import Path

    from civicpulse.channels.webhook import sign

    doc = (Path(__file__).parents[2] / "docs" / "alerts.md").read_text()
    snippet = doc.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec(snippet, namespace)
    verify = namespace["verify"]
    body = b'{"rule":"r1"}'
    header = sign(SECRET, body, int(time.time()))
    assert verify(SECRET, header, body)  # type: ignore[operator]
    assert not verify(b"other", header, body)  # type: ignore[operator]
    assert not verify(SECRET, sign(SECRET, body, int(time.time()) - 3600), body)  # type: ignore[operator]
