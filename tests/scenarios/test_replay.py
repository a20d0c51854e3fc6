from __future__ import annotations

import pytest

from civicpulse.errors import UsageError
from civicpulse.scenarios.replay import MIN_SLEEP_S, Pacer, replay
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


def test_time_spent_by_the_consumer_counts_towards_the_wait() -> None:
    clock = FakeTime()
    for _ in replay([make_post(0), make_post(10)], 1.0, sleep=clock.sleep, monotonic=clock.monotonic):
        clock.now += 4  # the consumer takes 4 s per post
    assert clock.slept == [pytest.approx(6.0)]


def test_tiny_waits_are_merged_instead_of_sleeping_per_post() -> None:
    clock = FakeTime()
    posts = [make_post(0)] * 1000 + [make_post(1)]
    assert len(list(replay(posts, 1000.0, sleep=clock.sleep, monotonic=clock.monotonic))) == 1001
    assert all(s >= MIN_SLEEP_S for s in clock.slept)
    assert len(clock.slept) <= 1


def test_a_late_consumer_gets_posts_at_once() -> None:
    clock = FakeTime()
    stream = replay([make_post(0), make_post(1), make_post(2)], 1.0, sleep=clock.sleep, monotonic=clock.monotonic)
    next(stream)
    clock.now += 60
    assert len(list(stream)) == 2
    assert clock.slept == []


@pytest.mark.parametrize("speed", [0.0, -1.0, float("nan")])
def test_speed_must_be_positive(speed: float) -> None:
    with pytest.raises(UsageError, match="speed"):
        list(replay([make_post(0)], speed))
    with pytest.raises(UsageError):
        Pacer(speed)
