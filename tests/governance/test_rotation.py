"""Key rotation re-keys posts and identities together, and a run stopped halfway resumes."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from sqlalchemy import Engine, select

from civicpulse.config import Settings
from civicpulse.errors import AccessDenied, UsageError
from civicpulse.governance.context import Governance
from civicpulse.governance.rotation import rotate_pseudonym_key
from civicpulse.post import Post
from civicpulse.store.pseudonym import Pseudonymiser
from civicpulse.store.queries import Reader
from civicpulse.store.schema import identities, posts

from .seeding import ADMIN, ANA, ingest, operation, staff


@pytest.fixture
def seeded(engine: Engine, tmp_path: Path) -> tuple[Governance, Settings]:
    gov = Governance(engine, tmp_path / "data")
    staff(gov)
    ingest(gov, engine, operation(gov, "Bridge"), "rotateword", 30)
    return gov, Settings(data_dir=str(tmp_path / "data"))


def consistent(engine: Engine, key: bytes) -> set[str]:
    """Every post's author is its identity's pseudonym under ``key``, in the column and the record."""
    hasher = Pseudonymiser(key)
    with engine.connect() as connection:
        people = {r.pseudonym: hasher.pseudonym(r.platform, r.account_id)
                  for r in connection.execute(select(identities)).all()}
        assert all(stored == expected for stored, expected in people.items())
        for author_id, record in connection.execute(select(posts.c.author_id, posts.c.record)).all():
            assert author_id in people
            assert msgspec.json.decode(record, type=Post).author.id == author_id
    return set(people)


def test_rotation_rekeys_everything_consistently(seeded: tuple[Governance, Settings]) -> None:
    gov, settings = seeded
    before = settings.resolved_pseudonym_key()
    report = rotate_pseudonym_key(gov, ADMIN, settings, batch_size=4)
    after = settings.resolved_pseudonym_key()
    assert after != before
    assert (report.identities, report.posts) == (15, 30)
    consistent(gov.engine, after)
    assert len(Reader(gov.engine).search("rotateword")) == 30
    assert not (Path(settings.data_dir) / "pseudonym.key.next").exists()


def test_a_rotation_stopped_halfway_resumes(seeded: tuple[Governance, Settings]) -> None:
    gov, settings = seeded

    def crash(batch: int) -> None:
        if batch == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotate_pseudonym_key(gov, ADMIN, settings, batch_size=4, on_batch=crash)
    pending = (Path(settings.data_dir) / "pseudonym.key.next").read_bytes().strip()
    report = rotate_pseudonym_key(gov, ADMIN, settings, batch_size=4)
    assert report.identities == 15 - 4  # the first batch committed; the second rolled back and was redone
    assert settings.resolved_pseudonym_key() == pending
    consistent(gov.engine, pending)


def test_only_an_administrator_rotates_and_not_a_configured_key(seeded: tuple[Governance, Settings]) -> None:
    gov, settings = seeded
    with pytest.raises(AccessDenied):
        rotate_pseudonym_key(gov, ANA, settings)
    with pytest.raises(UsageError, match="set in the configuration"):
        rotate_pseudonym_key(gov, ADMIN, msgspec.structs.replace(settings, pseudonym_key="x" * 32))
