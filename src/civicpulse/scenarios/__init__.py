"""Synthetic exercise scenarios: the built-in demo data and the trainers' exercise tool.

A scenario is a YAML file (``docs/scenarios.md``): a real city's districts, a population of accounts,
background chatter and timed injects (incidents, rumours, hate-speech waves, appeals, coordinated
campaigns). :class:`ScenarioRun` turns it into a deterministic, time-ordered stream of posts with the
ground truth kept beside it, never inside it.
"""

from civicpulse.scenarios.generator import ScenarioRun
from civicpulse.scenarios.library import BUILTIN_DIR, list_scenarios, load_scenario
from civicpulse.scenarios.loader import parse_scenario
from civicpulse.scenarios.replay import Pacer, replay
from civicpulse.scenarios.spec import Scenario, parse_duration
from civicpulse.scenarios.truth import (
    LABEL_KINDS,
    GenerationResult,
    InjectTruth,
    MemoryTruthSink,
    TruthSink,
    TruthSummary,
    write_scenario,
)

__all__ = [
    "BUILTIN_DIR",
    "LABEL_KINDS",
    "GenerationResult",
    "InjectTruth",
    "MemoryTruthSink",
    "Pacer",
    "Scenario",
    "ScenarioRun",
    "TruthSink",
    "TruthSummary",
    "list_scenarios",
    "load_scenario",
    "parse_duration",
    "parse_scenario",
    "replay",
    "write_scenario",
]
