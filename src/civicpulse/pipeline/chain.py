"""Building the analyser and detector chain, and checking its order before the first post.

Each component declares the analysers whose output it ``requires``; a chain in which a component
comes before what it needs fails here, with the order that would work, rather than at post 10,000.
"""

from __future__ import annotations

from collections.abc import Sequence

from civicpulse.analysers.base import Analyser
from civicpulse.config import Settings
from civicpulse.detectors.base import Detector
from civicpulse.errors import PipelineError
from civicpulse.post import Post, with_results
from civicpulse.registry import analysers as analyser_registry

__all__ = ["build_analysers", "check_order", "enrich"]


def build_analysers(names: Sequence[str], settings: Settings) -> list[Analyser]:
    """Instantiate registered analysers by name, in the given order, and check that order."""
    chain = [analyser_registry.get(name).from_settings(settings) for name in names]
    check_order(chain, [])
    return chain


def enrich(posts: Sequence[Post], chain: Sequence[Analyser]) -> list[Post]:
    """``posts`` with each analyser's result stored on them, in chain order, each analyser seeing
    the earlier ones' results (as the pipeline runs them, without its quarantine of bad records:
    for evaluations, tools and replays)."""
    enriched = list(posts)
    for analyser in chain:
        if not enriched:
            break
        enriched = with_results(enriched, analyser.key(), analyser.analyse_many(enriched))
    return enriched


def check_order(chain: Sequence[Analyser], detectors: Sequence[Detector]) -> None:
    available: set[str] = set()
    for analyser in chain:
        _require(analyser.name, analyser.requires, available, "analyser")
        if analyser.name in available:
            raise PipelineError(f"the analyser {analyser.name!r} appears twice",
                                fix="list each analyser once")
        available.add(analyser.name)
    for detector in detectors:
        _require(detector.name, detector.requires, available, "detector")


def _require(name: str, requires: Sequence[str], available: set[str], kind: str) -> None:
    missing = [r for r in requires if r not in available]
    if missing:
        raise PipelineError(
            f"the {kind} {name!r} needs {', '.join(repr(m) for m in missing)} to run before it",
            fix=f"add {', '.join(missing)} earlier in the analyser list",
        )
