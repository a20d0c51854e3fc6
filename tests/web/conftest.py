from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert

from civicpulse.governance.accounts import add_user
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.operations import approve_operation, bind_ingest, create_operation
from civicpulse.store.database import connect, upgrade
from civicpulse.store.schema import signals
from civicpulse.store.writer import Batch, StoreWriter
from civicpulse.testing import make_post

HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> bold claim'
PASSWORD = "correct horse battery"
ROOT = Actor("root", "administrator")
ANA = Actor("ana", "analyst")
SUE = Actor("sue", "supervisor")
STAFF = (ANA, SUE, Actor("cara", "communications"), Actor("dora", "dpo"), Actor("nick", "analyst"))
#: Written before any stream was bound to the operation: no one may see it on the dashboard.
OUTSIDE = "collected outside any operation"


class ShiftedClock:
    """The real time (the store stamps posts with it) plus an offset a test can move."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class Site:
    gov: Governance
    clock: ShiftedClock
    operation: str

    @property
    def engine(self) -> Engine:
        return self.gov.engine


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Same algorithm (argon2id), tiny cost: the tests sign in many times."""
    from argon2 import PasswordHasher

    from civicpulse.governance import accounts

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """Ana (analyst), Cara (communications) and Dora (dpo) are on an approved, active operation; Nick
    (analyst) is on none. Two posts and three detector signals were collected under it; one post
    before it."""
    engine = connect(f"sqlite:///{tmp_path / 'dash.db'}")
    upgrade(engine)
    clock = ShiftedClock()
    gov = Governance(engine, tmp_path / "data", clock)
    add_user(gov, None, ROOT.username, ROOT.role, PASSWORD)
    for actor in STAFF:
        add_user(gov, ROOT, actor.username, actor.role, PASSWORD)
    now = gov.now()
    operation = create_operation(gov, ANA, name="Riverside flood", purpose="find people asking for rescue",
                                 legal_basis="GDPR Art. 6(1)(d)", area="Riverside", starts_at=now - timedelta(hours=1),
                                 ends_at=now + timedelta(days=1), retention_days=30, members=("cara", "dora")).id
    approve_operation(gov, SUE, operation)
    StoreWriter(engine).write(Batch(posts=[make_post(9, OUTSIDE)]))
    bind_ingest(gov, ANA, operation, "test:flood")
    StoreWriter(engine, operation).write(Batch(posts=[make_post(1, "Calm morning in the park"),
                                                      make_post(2, HOSTILE)]))
    store_signals(engine, operation)
    return Site(gov, clock, operation)


def store_signals(engine: Engine, operation: str) -> None:
    """An event that grew from emerging to active, and a rumour whose title is hostile text."""
    at = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    rows = [("events", "event", "event-1", {"status": "emerging", "title": "fire depot smoke", "posts": 5}),
            ("events", "event", "event-1", {"status": "active", "title": "fire depot smoke", "posts": 40,
                                            "accounts": 31, "first_seen": at.isoformat(),
                                            "location": {"lat": 53.8, "lon": -1.55, "radius_m": 900, "geotagged": 7},
                                            "rate_per_min": 20.0, "growth": 2.0, "languages": {"en": 30, "pl": 10},
                                            "degraded": {"account_capped": 12},
                                            "raised_by": [{"term": "smoke", "rule": "incident_words", "posts": 9,
                                                           "expected": 0.42},
                                                          {"term": HOSTILE, "rule": "burst", "posts": 4,
                                                           "expected": 0.0}]}),
            ("rumours", "rumour", "rumour-1", {"status": "spreading", "title": HOSTILE, "posts": 12,
                                               "stance": {"deny": 2, "comment": 10},
                                               "curve": [{"start": "2026-11-29T17:50:00+00:00", "posts": 4},
                                                         {"start": "2026-11-29T17:55:00+00:00", "posts": 8}]})]
    with engine.begin() as connection:
        for n, (detector, kind, key, details) in enumerate(rows):
            connection.execute(insert(signals).values(
                detector=detector, kind=kind, key=key, at=at + timedelta(minutes=n), summary=key, post_ids="[]",
                details=json.dumps(details), stored_at=datetime.now(UTC), operation_id=operation))


def form_token(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, html
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    page = client.get("/login")
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf": form_token(page.text)}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client


def second_operation(site: Site) -> str:
    """Another approved operation beside the site's own ("Bridge closure"), running now."""
    now = site.gov.now()
    operation = create_operation(site.gov, ANA, name="Bridge closure", purpose="traffic questions",
                                 legal_basis="GDPR Art. 6(1)(e)", area="bridge",
                                 starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(days=1),
                                 retention_days=7).id
    approve_operation(site.gov, SUE, operation)
    return operation
