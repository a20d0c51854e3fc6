from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler

from civicpulse.channels.base import DeliveryError, Message
from civicpulse.channels.email import EmailChannel
from civicpulse.config import Settings


class Inbox(MessageHandler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Any] = []

    def handle_message(self, message: Any) -> None:
        self.messages.append(message)


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd cannot report a port the OS chose, so pick one first
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, inbox
    controller.stop()


def channel(controller: Controller, **options: Any) -> EmailChannel:
    return EmailChannel("127.0.0.1", controller.port, sender="alerts@police.example", **options)


ALERT = Message("duty@police.example", "abc123", "Knife near school\r\nBcc: victim@example.org",
                {"rule": "Knives", "post_ids": ["x:1", "x:2"], "operation_id": "op-1"})


def test_sends_a_plain_text_alert(smtp: tuple[Controller, Inbox]) -> None:
    controller, inbox = smtp
    receipt = channel(controller, starttls=False).send(ALERT)
    assert receipt.channel == "email"
    [mail] = inbox.messages
    assert mail["To"] == "duty@police.example"
    assert mail["Message-ID"] == "<abc123@civicpulse.alerts>"
    assert mail["Bcc"] is None  # the newline in the subject could not inject a header
    assert mail["Subject"] == "Knife near school Bcc: victim@example.org"
    body = mail.get_payload()
    assert "post_ids: x:1, x:2" in body
    assert "rule: Knives" in body


def test_starttls_is_required_when_configured(smtp: tuple[Controller, Inbox]) -> None:
    controller, inbox = smtp
    with pytest.raises(DeliveryError, match="STARTTLS") as caught:
        channel(controller).send(ALERT)
    assert "smtp_starttls" in caught.value.fix
    assert inbox.messages == []


def test_unconfigured_or_unreachable_server() -> None:
    with pytest.raises(DeliveryError, match="no SMTP server") as caught:
        EmailChannel.from_settings(Settings()).send(ALERT)
    assert not caught.value.retry
    with pytest.raises(DeliveryError, match="failed") as caught:
        EmailChannel("127.0.0.1", 9, timeout_s=2).send(ALERT)
    assert caught.value.retry
