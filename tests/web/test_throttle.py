from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from civicpulse.web.throttle import SignInThrottle

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_waits_double_after_the_free_failures_up_to_the_cap() -> None:
    throttle = SignInThrottle(account_free=2, address_free=100, max_wait=timedelta(seconds=5))
    waits = []
    now = T0
    for _ in range(7):
        throttle.failed("ana", "10.0.0.1", now)
        waits.append(throttle.wait("ana", "10.0.0.9", now))
    assert waits == [0, 0, 1, 2, 4, 5, 5]
    assert throttle.wait("ANA ", "10.0.0.9", now) == 5  # names compare as typed, case- and space-folded
    assert throttle.wait("bob", "10.0.0.9", now) == 0


def test_success_clears_the_name_but_not_the_address() -> None:
    throttle = SignInThrottle(account_free=1, address_free=1)
    for _ in range(3):
        throttle.failed("ana", "10.0.0.1", T0)
    throttle.succeeded("ana")
    assert throttle.wait("ana", "10.0.0.2", T0) == 0
    assert throttle.wait("bob", "10.0.0.1", T0) > 0


def test_quiet_keys_are_forgotten_and_memory_is_bounded() -> None:
    throttle = SignInThrottle(account_free=0, address_free=0, forget_after=timedelta(minutes=10), max_keys=100)
    throttle.failed("ana", "10.0.0.1", T0)
    assert throttle.wait("ana", "x", T0) == 1
    assert throttle.wait("ana", "x", T0 + timedelta(minutes=10)) == 0
    for n in range(1000):
        throttle.failed(f"name-{n}", f"10.1.{n // 256}.{n % 256}", T0)
    assert len(throttle._keys) <= 100
    assert throttle.wait("name-999", "y", T0) > 0  # the newest are kept


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=200), st.text(max_size=80), st.integers(0, 10_000)), max_size=60))
def test_any_sequence_of_hostile_names_gives_a_bounded_wait(attempts: list[tuple[str, str, int]]) -> None:
    throttle = SignInThrottle(account_free=3, address_free=5, max_wait=timedelta(minutes=15), max_keys=50)
    for name, address, seconds in attempts:
        now = T0 + timedelta(seconds=seconds)
        assert 0 <= throttle.wait(name, address, now) <= 15 * 60
        throttle.failed(name, address, now)
    assert len(throttle._keys) <= 50
