"""The built-in scenarios (YAML files in ``builtin/``) and loading any scenario by name or path."""

from __future__ import annotations

from pathlib import Path

from civicpulse.errors import ScenarioError
from civicpulse.scenarios.spec import Scenario, load_file

__all__ = ["BUILTIN_DIR", "list_scenarios", "load_scenario"]

BUILTIN_DIR = Path(__file__).parent / "builtin"


def list_scenarios() -> list[Scenario]:
    return sorted((load_file(path) for path in BUILTIN_DIR.glob("*.yaml")), key=lambda s: s.name)


def load_scenario(name_or_path: str) -> Scenario:
    """A built-in scenario by name (``city-riot``) or a scenario file by path."""
    builtin = BUILTIN_DIR / f"{name_or_path}.yaml"
    if builtin.exists():
        return load_file(builtin)
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.exists():
            raise ScenarioError(f"no such scenario file: {path}", fix="check the path")
        return load_file(path)
    known = ", ".join(s.stem for s in sorted(BUILTIN_DIR.glob("*.yaml")))
    raise ScenarioError(f"no scenario called {name_or_path!r}", fix=f"choose one of: {known}, or give a YAML file")
