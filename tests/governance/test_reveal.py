from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from civicpulse.errors import AccessDenied, UsageError
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.operations import bind_ingest, end_ingest
from civicpulse.governance.reveal import export_posts, reveal_identity
from civicpulse.store.database import connect, upgrade
from civicpulse.store.pseudonym import Pseudonymiser
from civicpulse.store.schema import audit_log, posts
from civicpulse.store.writer import Batch, StoreWriter
from civicpulse.testing import make_post

from .seeding import ANA, ingest, operation, staff


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[Governance, str, str]:
    engine = connect(f"sqlite:///{tmp_path / 'r.db'}")
    upgrade(engine)
    gov = Governance(engine, tmp_path / "data")
    staff(gov)
    op = operation(gov, "Bridge")
    ingest(gov, engine, op, "bridgeword", 4)
    with engine.connect() as connection:
        author = connection.execute(select(posts.c.author_id).limit(1)).scalar_one()
    return gov, op, author


def events(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(select(audit_log.c.event).order_by(audit_log.c.seq)).scalars())


def test_a_reveal_needs_the_role_a_reason_and_is_logged(seeded: tuple[Governance, str, str]) -> None:
    gov, op, author = seeded
    with pytest.raises(AccessDenied, match="may not reveal identity"):
        reveal_identity(gov, Actor("sue", "supervisor"), op, author, "a reason that is long enough")
    with pytest.raises(UsageError, match="written reason"):
        reveal_identity(gov, ANA, op, author, "because")
    clear = reveal_identity(gov, ANA, op, author, "threat to life in post test:0, case 2026/17")
    assert clear.handle is not None
    assert clear.handle.startswith("@bridgeword-acct-")
    assert events(gov.engine)[-1] == "identity_revealed"


def test_a_reveal_outside_the_operations_data_is_refused(seeded: tuple[Governance, str, str]) -> None:
    gov, op, _author = seeded
    with pytest.raises(UsageError, match="not an author in operation"):
        reveal_identity(gov, ANA, op, "ps:0123456789abcdef", "threat to life in post 1, case 2026/17")


def test_exports_are_pseudonymised_unless_a_reveal_is_authorised(seeded: tuple[Governance, str, str]) -> None:
    gov, op, _author = seeded
    plain = export_posts(gov, ANA, op)
    assert len(plain) == 4
    assert all(r["author"]["id"].startswith("ps:") and "handle" not in r["author"] for r in plain)
    revealed = export_posts(gov, ANA, op, reveal_reason="court order 2026/99 for the bridge case")
    assert {r["author"]["handle"] for r in revealed} == {"@bridgeword-acct-0", "@bridgeword-acct-1"}
    assert events(gov.engine)[-3:] == ["identity_revealed", "identity_revealed", "posts_exported"]
    with pytest.raises(AccessDenied, match="may not export"):
        export_posts(gov, Actor("ana2", "analyst"), op)


def test_a_pseudonymised_export_hides_the_people_posts_name(seeded: tuple[Governance, str, str]) -> None:
    gov, op, _author = seeded
    binding = bind_ingest(gov, ANA, op, "test:names")
    named = make_post(50, "@MarkT saw it, mail mark@example.org").replace(
        mentions=("@MarkT",), url="https://social.example/@witness/50")
    stripped, found = Pseudonymiser(b"k" * 32).apply([named])
    StoreWriter(gov.engine, op).write(Batch(posts=stripped, identities=found))
    end_ingest(gov, binding)

    plain = next(r for r in export_posts(gov, ANA, op) if r["id"] == named.id)
    assert "MarkT" not in plain["text"]
    assert "mark@" not in plain["text"]
    assert plain["text"].endswith("saw it, mail [EMAIL]")
    assert "url" not in plain
    assert plain["mentions"][0].startswith("@ps:")
    # The store keeps the evidence as it was; an authorised reveal exports it.
    revealed = export_posts(gov, ANA, op, reveal_reason="court order 2026/99 for the bridge case")
    clear = next(r for r in revealed if r["id"] == named.id)
    assert clear["text"] == named.text
    assert clear["url"] == named.url
    assert clear["mentions"] == ["@MarkT"]
