"""Governed full-text search: inside an operation, over that operation's posts, audit-logged.

The query must pass the special-category guard (or have an approval in the operation), and the
query text and result count are logged in the same transaction as the read. Like the store's reader,
the query is reduced to plain words, so user input can never inject full-text syntax.
"""

from __future__ import annotations

import re

import msgspec
from sqlalchemy import column, func, literal_column, select, table

from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.events import SearchRun
from civicpulse.governance.operations import require
from civicpulse.governance.roles import Action
from civicpulse.governance.scope import post_collected_by
from civicpulse.governance.special import require_approval
from civicpulse.post import Post
from civicpulse.store.schema import posts

__all__ = ["search"]

_WORD = re.compile(r"\w+", re.UNICODE)
_decode = msgspec.json.Decoder(Post).decode
_fts = table("posts_fts", column("rowid"))


def search(gov: Governance, actor: Actor, operation_id: str, query: str, limit: int = 50) -> list[Post]:
    operation = require(gov, actor, Action.SEARCH, operation_id)
    assert operation is not None
    require_approval(gov, operation.id, "search", [query])
    words = _WORD.findall(query)[:16]
    with gov.transaction() as (connection, now):
        found: list[Post] = []
        if words:
            scope = post_collected_by(operation.id)
            if connection.dialect.name == "postgresql":
                match = literal_column("posts.search").op("@@")(func.to_tsquery("simple", " & ".join(words)))
                statement = select(posts.c.record).where(match)
            else:
                terms = " AND ".join('"' + w.replace('"', '""') + '"' for w in words)
                statement = (select(posts.c.record)
                             .select_from(posts.join(_fts, _fts.c.rowid == literal_column("posts.rowid")))
                             .where(literal_column("posts_fts").op("MATCH")(terms)))
            rows = connection.execute(statement.where(scope).order_by(posts.c.created_at.desc()).limit(limit))
            found = [_decode(row) for row in rows.scalars()]
        gov.log(connection, SearchRun(query=query[:500], results=len(found)), actor.username, now, operation.id)
    return found
