"""A user's mistake gets one clear line that says the fix, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def civicpulse(*args: str, cwd: Path, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "civicpulse", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("ingest", "jsonl", "does-not-exist.jsonl"), {}, "no such file"),
        (("db", "upgrade"), {"CIVICPULSE_DATABASE_URL": "nonsense://"}, "database"),
        (("db", "upgrade"), {"CIVICPULSE_BATCH_SIZE": "zero"}, "invalid setting"),
        (("ingest", "carrier-pigeon", "x"), {}, "no source called 'carrier-pigeon'"),
        (("scenario", "describe", "no-such-scenario"), {}, "no-such-scenario"),
        (("serve",), {"CIVICPULSE_AREA_FILE": "leeds.yaml"}, "area_file leeds.yaml: cannot be read"),
    ],
)
def test_mistakes_print_the_fix_without_a_traceback(tmp_path: Path, args: tuple[str, ...], env: dict[str, str],
                                                    message: str) -> None:
    result = civicpulse(*args, cwd=tmp_path, env_extra=env)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert message in result.stderr
    assert "fix:" in result.stderr


@pytest.mark.parametrize("args", [("ingest", "scenario", "city-riot", "--no-such-option"), ("operation", "approve")])
def test_usage_mistakes_show_usage_without_a_traceback(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = civicpulse(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "Usage:" in result.stderr


def test_exit_codes_of_commands_reach_the_shell(tmp_path: Path) -> None:
    assert civicpulse("special", "check", "mosque", cwd=tmp_path).returncode == 1
    assert civicpulse("special", "check", "football", cwd=tmp_path).returncode == 0


def test_bad_scenario_yaml(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    result = civicpulse("scenario", "describe", str(bad), cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "bad.yaml" in result.stderr


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = civicpulse("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("demo", "ingest", "scenario", "db", "bench", "serve"):
        assert command in result.stdout
