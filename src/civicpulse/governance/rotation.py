"""Rotating the pseudonymisation key: re-key ``posts.author_id`` (and the copy inside each stored
record) and ``identities`` consistently, in resumable batches.

The new key is written first to ``pseudonym.key.next`` (0600). Each batch re-keys some identities
and all their posts in one transaction; an identity whose pseudonym already is the new key's is
skipped, so a run killed halfway simply continues. When every identity is done the new key
replaces the old one, which is destroyed (rotation usually follows a suspected leak). Stop ingest
while rotating: a stream still hashing with the old key would write pseudonyms nobody can re-key.
Pseudonyms quoted in past audit entries keep their old value; the log is immutable.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, tuple_, update

from civicpulse.config import Settings
from civicpulse.errors import UsageError
from civicpulse.governance.access import authorise
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.events import KeyRotated
from civicpulse.governance.keys import write_private
from civicpulse.governance.roles import Action
from civicpulse.store.pseudonym import Pseudonymiser
from civicpulse.store.schema import identities, posts

__all__ = ["RotationReport", "rotate_pseudonym_key"]


@dataclass
class RotationReport:
    identities: int = 0
    posts: int = 0
    batches: int = 0


def rotate_pseudonym_key(gov: Governance, actor: Actor, settings: Settings, batch_size: int = 200,
                         on_batch: Callable[[int], None] | None = None) -> RotationReport:
    authorise(actor, Action.ROTATE_KEYS)
    if settings.pseudonym_key:
        raise UsageError("the pseudonym key is set in the configuration, so civicpulse cannot replace it",
                         fix="remove the pseudonym_key setting (the key file is then used) and rotate again")
    current = Path(settings.data_dir) / "pseudonym.key"
    settings.resolved_pseudonym_key()  # make sure a current key exists
    pending = current.with_name("pseudonym.key.next")
    if not pending.exists():
        write_private(pending, secrets.token_hex(32).encode())
    new = Pseudonymiser(pending.read_bytes().strip())
    report = RotationReport()
    last: tuple[str, str] = ("", "")
    while True:
        with gov.transaction() as (connection, _now):
            rows = connection.execute(
                select(identities.c.pseudonym, identities.c.platform, identities.c.account_id)
                .where(tuple_(identities.c.platform, identities.c.account_id) > tuple_(*last))
                .order_by(identities.c.platform, identities.c.account_id).limit(batch_size)).all()
            if not rows:
                break
            for row in rows:
                fresh = new.pseudonym(row.platform, row.account_id)
                if fresh == row.pseudonym:
                    continue
                moved = connection.execute(update(posts).where(posts.c.author_id == row.pseudonym).values(
                    author_id=fresh, record=func.replace(posts.c.record, row.pseudonym, fresh))).rowcount
                connection.execute(update(identities).where(identities.c.pseudonym == row.pseudonym)
                                   .values(pseudonym=fresh))
                report.identities += 1
                report.posts += moved
            last = (rows[-1].platform, rows[-1].account_id)
            report.batches += 1
            if on_batch is not None:
                on_batch(report.batches)
    with gov.transaction() as (connection, now):
        gov.log(connection, KeyRotated(identities=report.identities), actor.username, now)
    os.replace(pending, current)  # atomic: the old key is gone, the new one in place
    return report
