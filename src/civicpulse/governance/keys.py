"""Per-deployment secrets kept as files in the data folder, created once with mode 0600.

- ``session.key``: HMAC secret that signs session tokens.
- ``audit-signing.key``: Ed25519 private key that signs audit checkpoints (PEM);
  ``audit-signing.pub`` is its public half, which a verifier may hold elsewhere.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from civicpulse.errors import ConfigError

__all__ = ["audit_public_key", "audit_signing_key", "read_or_create_secret", "write_private"]


def write_private(path: Path, content: bytes) -> None:
    """Create ``path`` with 0600 from the first byte: a secret must never be readable by others."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)


def read_or_create_secret(data_dir: str | Path, name: str) -> bytes:
    path = Path(data_dir) / name
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process created it first: read theirs
            write_private(path, secrets.token_hex(32).encode())
    return path.read_bytes().strip()


def audit_signing_key(data_dir: str | Path) -> Ed25519PrivateKey:
    path = Path(data_dir) / "audit-signing.key"
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        try:
            write_private(path, pem)
            public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
            path.with_suffix(".pub").write_bytes(public)
        except FileExistsError:
            pass
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ConfigError(f"{path} is not an Ed25519 private key", fix="restore the deployment's audit key")
    return loaded


def audit_public_key(data_dir: str | Path) -> Ed25519PublicKey:
    """The checkpoint verification key: the ``.pub`` file if present, else derived from the private key."""
    public_path = Path(data_dir) / "audit-signing.pub"
    if public_path.exists():
        loaded = serialization.load_pem_public_key(public_path.read_bytes())
        if not isinstance(loaded, Ed25519PublicKey):
            raise ConfigError(f"{public_path} is not an Ed25519 public key", fix="restore the audit public key")
        return loaded
    return audit_signing_key(data_dir).public_key()
