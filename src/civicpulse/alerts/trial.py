"""Trying a rule before switching it on: which posts would it have matched?

``civicpulse rule test`` runs a rule (stored, or written on the command line) over a JSON Lines file
or over the operation's stored posts. Reading stored posts is a governed read inside the rule's
operation (the *read posts* permission) and is audit-logged with the number of posts read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from pathlib import Path

import msgspec
from sqlalchemy import select

from civicpulse.alerts.rules import Rule
from civicpulse.detectors.alerts import AlertDetector
from civicpulse.errors import UsageError
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.events import PostsRead
from civicpulse.governance.operations import require
from civicpulse.governance.roles import Action
from civicpulse.governance.scope import post_collected_by
from civicpulse.post import Post, decode_post
from civicpulse.store.schema import posts

__all__ = ["Trial", "operation_posts", "posts_from_jsonl", "try_rule"]

_decode = msgspec.json.Decoder(Post).decode
MAX_TRIAL_POSTS = 100_000


class Trial(msgspec.Struct):
    read: int
    unreadable: int
    matched: list[Post]


def try_rule(rule: Rule, candidates: Iterable[Post], unreadable: int = 0) -> Trial:
    """The posts ``rule`` matches among ``candidates`` (no throttling: the analyst sees them all)."""
    if rule.kind != "posts":
        raise UsageError(f"a {rule.kind} rule watches {rule.kind} signals, not posts",
                         fix="test a posts rule, or replay a scenario to see event and rumour alerts")
    detector = AlertDetector([rule], per_window=MAX_TRIAL_POSTS + 1, window=timedelta(days=36500))
    read, matched = 0, []
    batch: list[Post] = []
    by_id: dict[str, Post] = {}
    for post in candidates:
        read += 1
        batch.append(post)
        if len(batch) == 2000:
            matched += _run(detector, batch, by_id)
            batch = []
    matched += _run(detector, batch, by_id)
    return Trial(read, unreadable, matched)


def _run(detector: AlertDetector, batch: list[Post], by_id: dict[str, Post]) -> list[Post]:
    if not batch:
        return []
    by_id.clear()
    by_id.update((p.id, p) for p in batch)
    now = max(p.created_at for p in batch)
    return [by_id[s.post_ids[0]] for s in detector.update_many(batch, now) if s.post_ids]


def posts_from_jsonl(path: Path) -> tuple[Iterator[Post], list[int]]:
    """Posts in civicpulse's JSON Lines format; unreadable lines are counted in the returned list."""
    if not path.is_file():
        raise UsageError(f"no file {path}", fix="give a JSON Lines file of posts (see docs/post-format.md)")
    bad = [0]

    def read() -> Iterator[Post]:
        with path.open("rb") as handle:
            for n, line in enumerate(handle):
                if n >= MAX_TRIAL_POSTS:
                    return
                if not line.strip():
                    continue
                try:
                    yield decode_post(line)
                except (msgspec.ValidationError, msgspec.DecodeError):
                    bad[0] += 1

    return read(), bad


def operation_posts(gov: Governance, actor: Actor, operation_id: str, limit: int) -> list[Post]:
    """The operation's latest ``limit`` stored posts, read under governance and audit-logged."""
    operation = require(gov, actor, Action.READ_POSTS, operation_id)
    assert operation is not None
    limit = max(1, min(limit, MAX_TRIAL_POSTS))
    with gov.transaction() as (connection, now):
        rows = connection.execute(select(posts.c.record).where(post_collected_by(operation.id))
                                  .order_by(posts.c.created_at.desc()).limit(limit)).scalars()
        found = [_decode(row) for row in rows]
        gov.log(connection, PostsRead(count=len(found)), actor.username, now, operation.id)
    return found
