"""A real, throwaway PostgreSQL server for tests, started from initdb/pg_ctl in a temporary folder.

It listens on a Unix socket only (no TCP port), so tests never touch the network. As root (CI),
the server runs as the ``postgres`` system user, because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SKIP_REASON = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found: install the 'postgresql' package "
    "to run the PostgreSQL storage tests (.ci/run installs it)"
)


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for root in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (root / name).exists():
            return str(root / name)
    return None


def available() -> bool:
    return _binary("initdb") is not None and _binary("pg_ctl") is not None


@contextmanager
def throwaway_server() -> Iterator[str]:
    """Start a server; yield its SQLAlchemy URL; stop it and delete everything afterwards."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    assert initdb, SKIP_REASON
    assert pg_ctl, SKIP_REASON
    base = Path(tempfile.mkdtemp(prefix="civicpulse-pg-"))
    data, sockets = base / "data", base / "sock"
    sockets.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    try:
        subprocess.run([*prefix, initdb, "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                        "--no-sync"], check=True, capture_output=True)
        options = f"-c listen_addresses='' -k {sockets} -c fsync=off -c full_page_writes=off"
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-o", options, "-w", "-l", str(base / "log"),
                        "start"], check=True, capture_output=True)
        try:
            yield f"postgresql+psycopg://postgres@/postgres?host={sockets}"
        finally:
            subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)
