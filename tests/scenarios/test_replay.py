from __future__ import annotations

import pytest

from civicpulse.scenarios.replay import replay
from civicpulse.testing import make_post


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


@pytest.mark.parametrize(("speed", "expected"), [(1.0, 30.0), (60.0, 0.5), (None, 0.0)])
def test_replay_paces_by_stream_time(speed: float | None, expected: float) -> None:
    clock = FakeTime()
    posts = [make_post(0), make_post(10), make_post(30)]
    assert list(replay(posts, speed, sleep=clock.sleep, monotonic=clock.monotonic)) == posts
    assert sum(clock.slept) == pytest.approx(expected)
