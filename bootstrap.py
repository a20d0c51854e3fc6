#!/usr/bin/env python3
"""Set up civicpulse in ./.venv and run it: the README's two quick-start commands.

    python3 bootstrap.py demo [demo options]   install, then replay the demo scenario and serve it
    python3 bootstrap.py test [pytest options] install with dev tools, then lint, type-check and test

Needs only Python 3.11+ (standard library). Re-installs only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _run(*command: str | Path) -> None:
    result = subprocess.run([str(c) for c in command], cwd=ROOT)
    if result.returncode != 0:
        sys.exit(result.returncode)


def ensure_installed(extra: str) -> None:
    """Create the virtualenv and install the package (with ``extra``) unless already current."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this script must run on old Pythons to say so
        sys.exit(f"civicpulse needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        print("creating the virtual environment in .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extra.encode()).hexdigest()
    stamp = VENV / f".installed-{extra or 'core'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"installing civicpulse{'[' + extra + ']' if extra else ''} (first run only) …", flush=True)
    _run(BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip")
    _run(BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e",
         f".[{extra}]" if extra else ".")
    stamp.write_text(digest)


def test(args: list[str]) -> None:
    ensure_installed("dev")
    print("ruff …", flush=True)
    _run(BIN / "ruff", "check", "src", "tests", "training", "tools", "bootstrap.py")
    print("mypy (strict) …", flush=True)
    _run(BIN / "mypy")
    print("pytest …", flush=True)
    _run(BIN / "python", "-m", "pytest", *args)


def demo(args: list[str]) -> None:
    ensure_installed("")
    os.execv(BIN / "civicpulse", [str(BIN / "civicpulse"), "demo", *args])  # noqa: S606 - fixed program


def main() -> None:
    commands = {"demo": demo, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
