from __future__ import annotations

import msgspec
import pytest

from civicpulse.post import Post
from civicpulse.scenarios import MemoryTruthSink, Scenario, ScenarioRun, load_scenario


def small(name: str, duration: str = "4h", scale: float = 0.1) -> Scenario:
    """A built-in scenario, shortened and thinned so tests run in a fraction of a second."""
    return msgspec.structs.replace(load_scenario(name), duration=duration).scaled(scale)


class Generated:
    """One run's posts (in order), their index by id, the labels and the run (for its summary)."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.scenario = scenario
        self.sink = MemoryTruthSink()
        self.run = ScenarioRun(scenario, seed, self.sink)
        self.posts: list[Post] = list(self.run.posts())
        self.by_id = {post.id: post for post in self.posts}
        self.index = {post.id: i for i, post in enumerate(self.posts)}

    def labelled(self, kind: str, label_id: str | None = None) -> set[str]:
        return {pid for pid, k, lid in self.sink.labels if k == kind and (label_id is None or lid == label_id)}


@pytest.fixture(scope="session")
def riot() -> Scenario:
    return small("city-riot")


@pytest.fixture(scope="session")
def riot_run(riot: Scenario) -> Generated:
    return Generated(riot, 2)


@pytest.fixture(scope="session")
def missing_child_run() -> Generated:
    return Generated(small("missing-child", duration="6h", scale=0.2), 0)
