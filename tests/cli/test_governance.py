"""The governance commands as a user runs them: bootstrap, sign in, operations, audit, reports."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

PASSWORD = "correct horse battery\n"


def civicpulse(cwd: Path, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "civicpulse", *args], cwd=cwd, env=env, input=password,
                          capture_output=True, text=True, timeout=120)


def ok(cwd: Path, *args: str, password: str | None = None) -> str:
    done = civicpulse(cwd, *args, password=password)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


def login(cwd: Path, user: str) -> None:
    ok(cwd, "login", user, "--password-stdin", password=PASSWORD)


@pytest.mark.slow
def test_the_governance_commands_end_to_end(tmp_path: Path) -> None:
    ok(tmp_path, "user", "add", "root", "--role", "administrator", "--password-stdin", password=PASSWORD)
    login(tmp_path, "root")
    token = tmp_path / "civicpulse-data" / "session.token"
    assert token.stat().st_mode & 0o777 == 0o600
    for name, role in (("ana", "analyst"), ("sue", "supervisor"), ("dora", "dpo")):
        ok(tmp_path, "user", "add", name, "--role", role, "--password-stdin", password=PASSWORD)
    stolen = token.read_text()

    login(tmp_path, "ana")
    created = ok(tmp_path, "operation", "create", "--name", "Flood", "--purpose", "rescue requests",
                 "--legal-basis", "GDPR Art. 6(1)(d)", "--area", "Riverside", "--start", "2026-01-01",
                 "--end", "2030-01-01")
    op = created.split("operation ")[1].split()[0]
    refused = civicpulse(tmp_path, "operation", "approve", op)
    assert refused.returncode == 2
    assert "an analyst may not approve operation" in refused.stderr
    assert "fix:" in refused.stderr
    refused = civicpulse(tmp_path, "export", "--operation", op)
    assert "an analyst may not export" in refused.stderr

    login(tmp_path, "sue")
    ok(tmp_path, "operation", "approve", op)

    login(tmp_path, "ana")
    (tmp_path / "posts.jsonl").write_text(json.dumps({"id": "1", "text": "water rising on Mill Lane",
                                                      "created_at": "2026-11-30T10:00:00Z",
                                                      "author": {"id": "42", "handle": "@mill"}}) + "\n")
    refused = civicpulse(tmp_path, "ingest", "jsonl", "posts.jsonl")
    assert "must happen inside an operation" in refused.stderr
    assert "posts stored this run" in ok(tmp_path, "ingest", "jsonl", "posts.jsonl", "--operation", op)
    login(tmp_path, "sue")
    refused = civicpulse(tmp_path, "export", "--operation", op)
    assert "sue is not a member" in refused.stderr

    # Signing in as someone else revoked root's session: a stolen copy of its token is refused.
    token.write_text(stolen)
    token.chmod(0o600)
    refused = civicpulse(tmp_path, "user", "list")
    assert "ended by logout" in refused.stderr
    token.write_text(stolen[:-3] + "AAA")
    assert "signature is invalid" in civicpulse(tmp_path, "user", "list").stderr

    assert civicpulse(tmp_path, "special", "check", "#BlackLivesMatter").returncode == 1
    login(tmp_path, "sue")
    ok(tmp_path, "special", "approve", "--operation", op, "--subject", "manifestation Leeds",
       "--justification", "credible threat of violence against the counter-protest")

    login(tmp_path, "dora")
    assert "audit log intact" in ok(tmp_path, "audit", "verify")
    lines = ok(tmp_path, "audit", "export", "--from", "2000-01-01", "--to", "2100-01-01").splitlines()
    assert {"user_added", "operation_approved", "ingest_bound", "special_category_approved"} <= {
        json.loads(x)["event"] for x in lines}
    report = json.loads(ok(tmp_path, "transparency", "--period", "2026", "--format", "json"))
    assert report["period"] == "2026"
    assert report["classifier fairness (bias audit)"]["classifiers (profile)"].endswith("(fast)")
    assert "Data-protection impact assessment" in ok(tmp_path, "dpia")
    ok(tmp_path, "logout")
    assert "nobody is signed in" in civicpulse(tmp_path, "dpia").stderr

    database = sqlite3.connect(tmp_path / "civicpulse-data" / "civicpulse.db")
    database.execute("UPDATE audit_log SET actor = 'nobody' WHERE seq = 3")
    database.commit()
    database.close()
    tampered = civicpulse(tmp_path, "audit", "verify")
    assert tampered.returncode == 1
    assert "first bad entry: #3" in tampered.stdout
    assert not any(p.stat().st_mode & 0o077 for p in (tmp_path / "civicpulse-data").glob("*.key"))
    assert os.path.exists(tmp_path / "civicpulse-data" / "audit-signing.pub")
