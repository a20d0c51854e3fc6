from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from civicpulse.errors import StoreError
from civicpulse.store.database import connect, current_revision, head_revision, upgrade


def test_upgrade_is_idempotent_and_reaches_head(database_url: str) -> None:
    engine = connect(database_url)
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert {"posts", "identities", "raw_payloads", "quarantine", "cursors"} <= set(inspect(engine).get_table_names())


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    engine = connect(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


@pytest.mark.parametrize("url", ["not a url", "mysqlx://nobody/db"])
def test_bad_urls_say_how_to_fix_them(url: str) -> None:
    with pytest.raises(StoreError) as caught:
        connect(url)
    assert caught.value.fix


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    engine = connect(f"postgresql://nobody@/db?host={tmp_path}&port=1")
    with pytest.raises(StoreError, match="cannot reach the database"):
        upgrade(engine)
