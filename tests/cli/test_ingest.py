"""``civicpulse ingest`` stores posts and runs the configured detectors, whose state it saves."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from civicpulse.cli.ingest import ingest_command
from civicpulse.errors import ConfigError
from civicpulse.store.schema import detector_state

FIXTURE = Path(__file__).parent.parent / "fixtures" / "civicpulse_posts.jsonl"


def test_ingest_runs_the_configured_detectors_and_saves_their_state(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    database = tmp_path / "store.db"
    monkeypatch.setenv("CIVICPULSE_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("CIVICPULSE_DETECTORS", "events,rumours")
    ingest_command(kind="jsonl", target=str(FIXTURE), format=None, mapping=None, seed=None, speed=None,
                   resume=True, operation=None, config=None)
    with create_engine(f"sqlite:///{database}").connect() as connection:
        saved = set(connection.execute(select(detector_state.c.name)).scalars())
    assert saved == {"events", "rumours"}


def test_a_wrong_area_file_stops_the_ingest_before_anything_is_stored(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    database = tmp_path / "store.db"
    monkeypatch.setenv("CIVICPULSE_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("CIVICPULSE_AREA_FILE", str(tmp_path / "leeds.yaml"))
    with pytest.raises(ConfigError, match=r"leeds\.yaml: cannot be read"):
        ingest_command(kind="jsonl", target=str(FIXTURE), format=None, mapping=None, seed=None, speed=None,
                       resume=True, operation=None, config=None)
    assert not database.exists()
