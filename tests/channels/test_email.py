from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from civicpulse.channels.base import DeliveryError, Message
from civicpulse.channels.email import EmailChannel
from civicpulse.config import Settings
from tests.smtp import Inbox, free_port


def channel(controller: Controller, **options: Any) -> EmailChannel:
    return EmailChannel("127.0.0.1", controller.port, sender="alerts@police.example", **options)


ALERT = Message("duty@police.example", "abc123", "Knife near school\r\nBcc: victim@example.org",
                {"rule": "Knives", "post_ids": ["x:1", "x:2"], "operation_id": "op-1",
                 "location": {"lat": 53.81, "lon": -1.51, "radius_m": 3100.0}})


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
    assert "location: lat 53.81, lon -1.51, radius_m 3100.0" in body


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


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(hours=1))
            .not_valid_after(now + timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_starttls_then_login(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    logins: list[tuple[str, str]] = []

    def authenticate(_server: Any, _session: Any, _envelope: Any, mechanism: str, data: Any) -> AuthResult:
        logins.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=data.password == b"s3cret")

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="localhost", port=port, tls_context=server_tls, require_starttls=True,
                            authenticator=authenticate, auth_require_tls=True)
    controller.start()
    try:
        client_tls = ssl.create_default_context(cafile=str(cert))
        EmailChannel("localhost", port, username="desk", password="s3cret", tls_context=client_tls).send(ALERT)
        with pytest.raises(DeliveryError, match="CERTIFICATE_VERIFY_FAILED"):  # an untrusted certificate
            EmailChannel("localhost", port, username="desk", password="s3cret").send(ALERT)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    assert logins == [("desk", "s3cret")]
