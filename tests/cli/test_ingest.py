"""``civicpulse ingest`` stores posts and runs the configured detectors, whose state it saves."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from civicpulse.cli.ingest import ingest_command
from civicpulse.errors import ConfigError
from civicpulse.post import encode_post
from civicpulse.store.schema import detector_state
from civicpulse.testing import make_post

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


def test_the_summary_says_how_many_posts_were_dated_ahead_of_the_stream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    posts = [make_post(n, "ordinary day", author=f"acct-{n % 3}") for n in range(50)]
    posts[10] = make_post(10, "wrong clock", at=posts[10].created_at + timedelta(hours=3))
    export = tmp_path / "export.jsonl"
    export.write_bytes(b"".join(encode_post(p) + b"\n" for p in posts))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CIVICPULSE_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("CIVICPULSE_DETECTORS", "events")
    ingest_command(kind="jsonl", target=str(export), format=None, mapping=None, seed=None, speed=None,
                   resume=True, operation=None, config=None)
    summary = " ".join(capsys.readouterr().out.replace("│", " ").split())
    assert "posts dated ahead of the stream (wrong clock?) 1" in summary
    assert "of which the detectors saw before their date 1" in summary
