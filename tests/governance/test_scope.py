"""Purpose binding by record: operations ingesting at the same time never see or delete each other's posts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from civicpulse.errors import UsageError
from civicpulse.governance.context import Governance
from civicpulse.governance.operations import bind_ingest, close_operation, end_ingest
from civicpulse.governance.retention import run_retention
from civicpulse.governance.reveal import export_posts, reveal_identity
from civicpulse.governance.search import search
from civicpulse.post import Post
from civicpulse.sources.base import Rejected
from civicpulse.store.pseudonym import Pseudonymiser
from civicpulse.store.schema import identities, post_operations, posts, quarantine, quarantine_operations
from civicpulse.store.writer import Batch, StoreWriter
from civicpulse.testing import make_post

from .seeding import ADMIN, ANA, SUE, operation, staff

REASON = "threat to life in post 12, case 2026/456"


@pytest.fixture
def live(engine: Engine, tmp_path: Path) -> Governance:
    gov = Governance(engine, tmp_path / "data")
    staff(gov)
    return gov


def _posts(word: str, first: int, count: int, shared: Sequence[Post] = ()) -> list[Post]:
    made = [make_post(first + n, f"{word} near the bridge {n}", author=f"{word}-acct-{n}") for n in range(count)]
    return [*made, *shared]


def _write(engine: Engine, op: str, batch: list[Post], rejected: Sequence[Rejected] = ()) -> None:
    stripped, people = Pseudonymiser(b"k" * 32).apply(batch)
    StoreWriter(engine, op).write(Batch(posts=stripped, identities=people, rejected=rejected, source="stream"))


def _concurrent(gov: Governance, engine: Engine, first: str, second: str, shared: Sequence[Post] = ()) -> None:
    """Both operations' streams bound at once, their batches interleaved (overlapping time windows)."""
    bindings = [bind_ingest(gov, ANA, first, "stream:a"), bind_ingest(gov, ANA, second, "stream:b")]
    _write(engine, first, _posts("alphaword", 0, 3, shared), [Rejected("bad", b"alphaword broken", "a:1")])
    _write(engine, second, _posts("betaword", 100, 4, shared), [Rejected("bad", b"betaword broken", "b:1")])
    _write(engine, first, _posts("alphaword", 3, 2))
    for binding in bindings:
        end_ingest(gov, binding)


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_concurrent_operations_each_see_only_their_own_posts(live: Governance, engine: Engine) -> None:
    first, second = operation(live, "First"), operation(live, "Second")
    _concurrent(live, engine, first, second)
    assert {p.text.split()[0] for p in search(live, ANA, first, "bridge")} == {"alphaword"}
    assert len(search(live, ANA, first, "bridge")) == 5
    assert len(search(live, ANA, second, "bridge")) == 4
    assert search(live, ANA, first, "betaword") == []
    assert {r["text"].split()[0] for r in export_posts(live, ANA, second)} == {"betaword"}
    assert len(export_posts(live, ANA, first)) == 5
    beta_author = export_posts(live, ANA, second)[0]["author"]["id"]
    with pytest.raises(UsageError, match="not an author"):
        reveal_identity(live, ANA, first, beta_author, REASON)
    assert reveal_identity(live, ANA, second, beta_author, REASON).handle == "@betaword-acct-0"


def test_retention_of_one_operation_keeps_the_other_s_posts(live: Governance, engine: Engine) -> None:
    first, second = operation(live, "First"), operation(live, "Second", retention_days=30)
    _concurrent(live, engine, first, second)
    close_operation(live, SUE, first)
    report = run_retention(live, ADMIN)
    assert (report.posts, report.identities, report.quarantined) == (5, 3, 1)  # 3 alphaword authors
    assert len(search(live, ANA, second, "betaword")) == 4
    assert _count(engine, posts) == 4
    with engine.connect() as connection:
        assert set(connection.execute(select(post_operations.c.operation_id)).scalars()) == {second}
        assert connection.execute(select(quarantine.c.raw)).scalars().all() == [b"betaword broken"]


def test_a_post_collected_by_both_survives_until_both_have_expired(live: Governance, engine: Engine) -> None:
    first, second = operation(live, "First"), operation(live, "Second")
    shared = [make_post(500, "sharedword seen by both streams", author="both-acct")]
    _concurrent(live, engine, first, second, shared)
    with engine.connect() as connection:
        links = connection.execute(select(post_operations.c.operation_id)
                                   .where(post_operations.c.post_id == "test:500")).scalars().all()
    assert sorted(links) == sorted([first, second])
    assert len(search(live, ANA, first, "sharedword")) == len(search(live, ANA, second, "sharedword")) == 1

    close_operation(live, SUE, first)
    assert run_retention(live, ADMIN).posts == 5
    assert len(search(live, ANA, second, "sharedword")) == 1
    with engine.connect() as connection:
        assert connection.execute(select(identities.c.handle)
                                  .where(identities.c.handle == "@both-acct")).scalar_one_or_none() is not None

    close_operation(live, SUE, second)
    assert run_retention(live, ADMIN).posts == 5
    assert _count(engine, posts) == _count(engine, post_operations) == _count(engine, identities) == 0
    assert _count(engine, quarantine) == _count(engine, quarantine_operations) == 0


def test_re_delivered_batches_add_no_links(live: Governance, engine: Engine) -> None:
    op = operation(live, "Only")
    batch = _posts("againword", 0, 3)
    for _ in range(2):  # a batch re-read after a crash
        _write(engine, op, batch, [Rejected("bad", b"againword broken", "x:1")])
    assert _count(engine, post_operations) == _count(engine, posts) == 3
    assert _count(engine, quarantine_operations) == _count(engine, quarantine) == 1
