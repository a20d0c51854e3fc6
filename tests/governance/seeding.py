"""Seed a database the way a governed ingest fills it: posts, raw payloads, identities, quarantine."""

from __future__ import annotations

from sqlalchemy import Engine

from civicpulse.governance.accounts import add_user
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.operations import approve_operation, bind_ingest, create_operation, end_ingest
from civicpulse.sources.base import Rejected
from civicpulse.store.pseudonym import Pseudonymiser
from civicpulse.store.writer import Batch, StoreWriter
from civicpulse.testing import make_post

ADMIN = Actor("root", "administrator")
ANA = Actor("ana", "investigator")
SUE = Actor("sue", "supervisor")
PASSWORD = "correct horse battery"


def staff(gov: Governance) -> None:
    add_user(gov, None, "root", "administrator", PASSWORD)
    for actor in (ANA, SUE):
        add_user(gov, ADMIN, actor.username, actor.role, PASSWORD)


def operation(gov: Governance, name: str, retention_days: int = 0) -> str:
    from datetime import timedelta

    now = gov.now()
    op = create_operation(gov, ANA, name=name, purpose="test", legal_basis="LED Art. 8", area="here",
                          starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1),
                          retention_days=retention_days).id
    approve_operation(gov, SUE, op)
    return op


def ingest(gov: Governance, engine: Engine, op: str, word: str, count: int, first: int = 0) -> None:
    """``count`` posts containing ``word`` by ``count // 2`` authors, plus one quarantined record."""
    binding = bind_ingest(gov, ANA, op, f"test:{op}")
    posts = [make_post(first + n, f"{word} near the bridge number {n}", author=f"{word}-acct-{n // 2}")
             .replace(raw={"text": f"{word} raw", "user": f"@{word}-handle"}) for n in range(count)]
    stripped, identities = Pseudonymiser(b"k" * 32).apply(posts)
    writer = StoreWriter(engine, op)
    for start in range(0, count, 100):
        writer.write(Batch(posts=stripped[start:start + 100], identities=identities if start == 0 else ()))
    writer.write(Batch(rejected=[Rejected(f"bad {word}", f'{{"text": "{word} broken"}}'.encode(), "x:1")],
                       source=op))
    end_ingest(gov, binding)
