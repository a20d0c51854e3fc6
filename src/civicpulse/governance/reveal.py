"""Revealing who is behind a pseudonym, and exporting an operation's posts.

A reveal needs the investigator role, an active operation the actor is on, a pseudonym that
actually appears in that operation's posts, and a typed reason; the reason and the pseudonym go to
the audit log in the same transaction as the read. Exports are pseudonymised unless the export is
itself an authorised reveal: the authors are pseudonyms and the people the posts name are hidden
(``governance.redaction``: mentions, personal data, links).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import select

from civicpulse.errors import UsageError
from civicpulse.governance.access import authorise
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.events import IdentityRevealed, PostsExported
from civicpulse.governance.operations import require
from civicpulse.governance.redaction import redactor_for
from civicpulse.governance.roles import Action
from civicpulse.governance.scope import post_collected_by
from civicpulse.store.schema import identities, posts

__all__ = ["MIN_REASON", "RevealedIdentity", "export_posts", "reveal_identity"]

MIN_REASON = 20
MAX_EXPORT = 1_000_000


@dataclass(frozen=True, slots=True)
class RevealedIdentity:
    pseudonym: str
    platform: str
    account_id: str
    handle: str | None
    display_name: str | None


def _check_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON:
        raise UsageError(f"a reveal needs a written reason of at least {MIN_REASON} characters",
                         fix="say why, e.g. 'threat to life in post 123, case 2026/456' with --reason")
    return reason[:2000]


def reveal_identity(gov: Governance, actor: Actor, operation_id: str, pseudonym: str, reason: str) -> RevealedIdentity:
    operation = require(gov, actor, Action.REVEAL_IDENTITY, operation_id)
    assert operation is not None
    reason = _check_reason(reason)
    with gov.transaction() as (connection, now):
        seen = connection.execute(select(posts.c.id).where(posts.c.author_id == pseudonym)
                                  .where(post_collected_by(operation.id)).limit(1)).first()
        row = connection.execute(select(identities).where(identities.c.pseudonym == pseudonym)).first()
        if seen is None or row is None:
            raise UsageError(f"{pseudonym} is not an author in operation {operation.id}'s data",
                             fix="reveal only authors of posts collected under your operation")
        gov.log(connection, IdentityRevealed(pseudonym=pseudonym, reason=reason), actor.username, now, operation.id)
    return RevealedIdentity(row.pseudonym, row.platform, row.account_id, row.handle, row.display_name)


def export_posts(gov: Governance, actor: Actor, operation_id: str, reveal_reason: str | None = None,
                 limit: int = MAX_EXPORT) -> list[dict[str, Any]]:
    """The operation's posts as JSON-ready records; clear authors only with an authorised reveal."""
    operation = require(gov, actor, Action.EXPORT, operation_id)
    assert operation is not None
    reason = None
    if reveal_reason is not None:
        authorise(actor, Action.REVEAL_IDENTITY, operation.view, gov.now())
        reason = _check_reason(reveal_reason)
    with gov.transaction() as (connection, now):
        rows = connection.execute(select(posts.c.record).where(post_collected_by(operation.id))
                                  .order_by(posts.c.created_at).limit(limit)).scalars().all()
        records = [msgspec.json.decode(row) for row in rows]
        if reason is None:
            redactor = redactor_for(gov.data_dir)
            records = [redactor.record(record) for record in records]
        else:
            authors = sorted({r["author"]["id"] for r in records})
            found = {i.pseudonym: i for i in connection.execute(
                select(identities).where(identities.c.pseudonym.in_(authors))).all()} if authors else {}
            for record in records:
                clear = found.get(record["author"]["id"])
                if clear is not None:
                    record["author"]["handle"] = clear.handle
                    record["author"]["display_name"] = clear.display_name
            for pseudonym in authors:
                gov.log(connection, IdentityRevealed(pseudonym=pseudonym, reason=reason), actor.username, now,
                        operation.id)
        gov.log(connection, PostsExported(rows=len(records), pseudonymised=reason is None), actor.username, now,
                operation.id)
    return records
