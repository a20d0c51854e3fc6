from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from civicpulse.store.database import connect, upgrade
from civicpulse.store.schema import signals
from civicpulse.store.writer import Batch, StoreWriter
from civicpulse.testing import make_post

HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> bold claim'


@pytest.fixture
def dashboard_engine(tmp_path: Path) -> Engine:
    engine = connect(f"sqlite:///{tmp_path / 'dash.db'}")
    upgrade(engine)
    StoreWriter(engine).write(Batch(posts=[make_post(1, "Calm morning in the park"), make_post(2, HOSTILE)]))
    store_signals(engine)
    return engine


def store_signals(engine: Engine) -> None:
    """An event that grew from emerging to active, and a rumour whose title is hostile text."""
    at = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    rows = [("events", "event", "event-1", {"status": "emerging", "title": "fire depot smoke", "posts": 5}),
            ("events", "event", "event-1", {"status": "active", "title": "fire depot smoke", "posts": 40,
                                            "accounts": 31, "first_seen": at.isoformat()}),
            ("rumours", "rumour", "rumour-1", {"status": "spreading", "title": HOSTILE, "posts": 12})]
    with engine.begin() as connection:
        for n, (detector, kind, key, details) in enumerate(rows):
            connection.execute(insert(signals).values(
                detector=detector, kind=kind, key=key, at=at + timedelta(minutes=n), summary=key, post_ids="[]",
                details=json.dumps(details), stored_at=at))
