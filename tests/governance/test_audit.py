"""The audit chain catches each of the five kinds of tampering, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update

from civicpulse.governance import audit
from civicpulse.governance.context import Governance
from civicpulse.governance.events import PostsRead, SearchRun
from civicpulse.governance.keys import audit_public_key
from civicpulse.store.schema import audit_checkpoints, audit_log
from civicpulse.testing import FrozenClock


def fill(gov: Governance, clock: FrozenClock, count: int) -> None:
    for n in range(count):
        with gov.transaction() as (connection, now):
            gov.log(connection, SearchRun(query=f"flood {n}", results=n), "alice", now, "op-1")
        clock.advance(1)


def check(gov: Governance) -> audit.Verification:
    return audit.verify(gov.engine, audit_public_key(gov.data_dir))


def test_an_intact_log_verifies_with_signed_checkpoints(any_gov: Governance, clock: FrozenClock) -> None:
    fill(any_gov, clock, audit.CHECKPOINT_EVERY + 5)
    result = check(any_gov)
    assert result.ok, result.problem
    assert result.entries == audit.CHECKPOINT_EVERY + 5
    assert result.checkpoints == 1


def test_an_altered_row_is_named(any_gov: Governance, clock: FrozenClock) -> None:
    fill(any_gov, clock, 10)
    with any_gov.engine.begin() as connection:
        connection.execute(update(audit_log).where(audit_log.c.seq == 4)
                           .values(details='{"query":"innocent","results":0}'))
    result = check(any_gov)
    assert (result.first_bad, result.ok) == (4, False)
    assert "altered" in (result.problem or "")


def test_a_deleted_row_is_named(any_gov: Governance, clock: FrozenClock) -> None:
    fill(any_gov, clock, 10)
    with any_gov.engine.begin() as connection:
        connection.execute(delete(audit_log).where(audit_log.c.seq == 6))
    result = check(any_gov)
    assert result.first_bad == 6
    assert "missing" in (result.problem or "")


def test_an_inserted_row_is_named(any_gov: Governance, clock: FrozenClock) -> None:
    """A forged entry slipped in after #3, later entries renumbered to make room."""
    fill(any_gov, clock, 8)
    with any_gov.engine.begin() as connection:
        rows = connection.execute(select(audit_log).where(audit_log.c.seq > 3).order_by(audit_log.c.seq.desc()))
        for row in rows.all():
            connection.execute(update(audit_log).where(audit_log.c.seq == row.seq).values(seq=row.seq + 1))
        forged = dict(connection.execute(select(audit_log).where(audit_log.c.seq == 3)).one()._mapping)
        details = '{"query":"nothing to see","results":0}'
        forged.update(seq=4, details=details, prev_hash=forged["hash"])
        forged["hash"] = audit.entry_hash(4, forged["at"], forged["actor"], forged["event"],
                                          forged["operation_id"], details, forged["prev_hash"])
        connection.execute(audit_log.insert().values(**forged))
    result = check(any_gov)
    assert result.first_bad == 5
    assert not result.ok


def test_reordered_rows_are_named(any_gov: Governance, clock: FrozenClock) -> None:
    fill(any_gov, clock, 8)
    with any_gov.engine.begin() as connection:
        connection.execute(update(audit_log).where(audit_log.c.seq == 5).values(seq=-1))
        connection.execute(update(audit_log).where(audit_log.c.seq == 6).values(seq=5))
        connection.execute(update(audit_log).where(audit_log.c.seq == -1).values(seq=6))
    result = check(any_gov)
    assert result.first_bad == 5
    assert not result.ok


def test_a_tail_cut_after_a_signed_checkpoint_is_named(any_gov: Governance, clock: FrozenClock) -> None:
    fill(any_gov, clock, 12)
    seq = audit.checkpoint(any_gov.engine, any_gov.signer, clock())
    assert seq == 12
    with any_gov.engine.begin() as connection:
        connection.execute(delete(audit_log).where(audit_log.c.seq > 9))
    result = check(any_gov)
    assert result.first_bad == 10
    assert "cut off" in (result.problem or "")


def test_a_forged_checkpoint_is_refused(gov: Governance, clock: FrozenClock) -> None:
    fill(gov, clock, 3)
    audit.checkpoint(gov.engine, gov.signer, clock())
    with gov.engine.begin() as connection:
        connection.execute(update(audit_checkpoints).values(signature="00" * 64))
    result = check(gov)
    assert result.first_bad == 3
    assert "signature" in (result.problem or "")


def test_the_act_and_its_entry_commit_or_roll_back_together(gov: Governance) -> None:
    def act() -> None:
        with gov.transaction() as (connection, now):
            gov.log(connection, PostsRead(count=3), "alice", now, "op-1")
            raise RuntimeError("the act failed")

    with pytest.raises(RuntimeError):
        act()
    with gov.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == 0


def test_export_reads_a_period(gov: Governance, clock: FrozenClock) -> None:
    fill(gov, clock, 5)
    start = audit.entries(gov.engine)
    first = next(start)
    window = list(audit.entries(gov.engine, first.at.replace(second=2), first.at.replace(second=4)))
    assert [e.seq for e in window] == [3, 4]
    assert window[0].to_json()["details"] == {"query": "flood 2", "results": 2}
