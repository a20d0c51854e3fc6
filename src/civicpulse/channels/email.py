"""E-mail: one plain-text message per alert, sent through the configured SMTP server.

STARTTLS is used when ``smtp_starttls`` is set (the default; a server that does not offer it is an
error, never a silent downgrade) and the login only after it. ``Message-ID`` is derived from the
alert's idempotency key, so mail systems and people can recognise a repeated delivery.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from typing import ClassVar

from civicpulse.channels.base import Channel, DeliveryError, Message, Receipt
from civicpulse.config import Settings
from civicpulse.registry import channels

__all__ = ["EmailChannel", "render"]

_SUBJECT_MAX = 150


def render(message: Message) -> str:
    """The body: the summary and the alert's fields, one per line (no HTML, no post text)."""
    lines = [message.subject, ""]
    for key, value in sorted(message.payload.items()):
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value[:20]) + (" …" if len(value) > 20 else "")
        elif isinstance(value, dict):  # an event's location: "lat 53.81, lon -1.51, radius_m 3100.0"
            value = ", ".join(f"{k} {v}" for k, v in list(value.items())[:20])
        lines.append(f"{key}: {value}")
    lines += ["", "Sent by civicpulse. Open the dashboard to see the posts; do not act on this message alone."]
    return "\n".join(lines) + "\n"


@channels.register("email")
class EmailChannel(Channel):
    name: ClassVar[str] = "email"

    def __init__(self, host: str, port: int = 587, *, sender: str = "civicpulse@localhost", starttls: bool = True,
                 username: str = "", password: str = "", timeout_s: float = 10.0,
                 tls_context: ssl.SSLContext | None = None) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.starttls = starttls
        self.username = username
        self.password = password
        self.timeout_s = timeout_s
        # The system's trusted certificates unless a deployment (or a test) brings its own CA.
        self.tls_context = tls_context or ssl.create_default_context()

    @classmethod
    def from_settings(cls, settings: Settings) -> EmailChannel:
        return cls(settings.smtp_host, settings.smtp_port, sender=settings.smtp_from,
                   starttls=settings.smtp_starttls, username=settings.smtp_username,
                   password=settings.smtp_password, timeout_s=settings.smtp_timeout_s)

    def send(self, message: Message) -> Receipt:
        if not self.host:
            raise DeliveryError("no SMTP server is configured", fix="set smtp_host (and smtp_port) in the settings",
                                retry=False)
        mail = EmailMessage()
        # One line, bounded: a subject built from attacker-influenced text must not inject headers.
        mail["Subject"] = " ".join(message.subject.split())[:_SUBJECT_MAX]
        mail["From"] = self.sender
        mail["To"] = message.target
        mail["Date"] = formatdate(usegmt=True)
        mail["Message-ID"] = f"<{message.idempotency_key}@civicpulse.alerts>"
        mail.set_content(render(message))
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
                if self.starttls:
                    smtp.starttls(context=self.tls_context)
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(mail)
        except smtplib.SMTPNotSupportedError:
            raise DeliveryError(f"{self.host} does not offer STARTTLS", retry=False,
                                fix="use a server that does, or set smtp_starttls = false for a trusted "
                                    "local relay") from None
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryError(f"the SMTP server refused {message.target}: {error.recipients}", retry=False,
                                fix="check the address in the rule's --notify") from None
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(f"e-mail delivery failed: {type(error).__name__}: {error}",
                                fix="the outbox retries later; check smtp_host, smtp_port and the login") from None
        return Receipt(self.name, message.target, 1, "accepted by the SMTP server")
