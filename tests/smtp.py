"""A local SMTP server (aiosmtpd) for the tests of e-mail delivery: the real protocol, no mock."""

from __future__ import annotations

import socket
from typing import Any

from aiosmtpd.handlers import Message as MessageHandler


class Inbox(MessageHandler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Any] = []

    def handle_message(self, message: Any) -> None:
        self.messages.append(message)


def free_port() -> int:
    with socket.socket() as probe:  # aiosmtpd cannot report a port the OS chose, so pick one first
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
