"""The built-in scenarios (YAML files in ``builtin/``) and loading any scenario by name or path."""

from __future__ import annotations

from pathlib import Path

from civicpulse.errors import ScenarioError
from civicpulse.scenarios.loader import load_file
from civicpulse.scenarios.spec import Scenario

__all__ = ["BUILTIN_DIR", "builtin_names", "list_scenarios", "load_scenario"]

BUILTIN_DIR = Path(__file__).parent / "builtin"


def builtin_names() -> list[str]:
    return sorted(path.stem for path in BUILTIN_DIR.glob("*.yaml"))


def list_scenarios() -> list[Scenario]:
    """The built-in scenarios, sorted by name."""
    return sorted((load_file(BUILTIN_DIR / f"{name}.yaml") for name in builtin_names()), key=lambda s: s.name)


def load_scenario(name_or_path: str) -> Scenario:
    """A built-in scenario by name (``city-riot``) or a scenario file by path."""
    if name_or_path in builtin_names():
        return load_file(BUILTIN_DIR / f"{name_or_path}.yaml")
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise ScenarioError(f"no such scenario file: {path}", fix="check the path")
        return load_file(path)
    raise ScenarioError(f"no scenario called {name_or_path!r}",
                        fix=f"choose one of: {', '.join(builtin_names())}, or give a YAML file")
