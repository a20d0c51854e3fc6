from __future__ import annotations

import msgspec
import pytest

from civicpulse.scenarios.library import load_scenario
from civicpulse.scenarios.spec import Scenario


def small(name: str, duration: str = "4h", scale: float = 0.1) -> Scenario:
    """A built-in scenario, shortened and thinned so tests run in a second."""
    return msgspec.structs.replace(load_scenario(name), duration=duration).scaled(scale)


@pytest.fixture
def riot() -> Scenario:
    return small("city-riot")
