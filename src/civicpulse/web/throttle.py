"""Brute-force protection for the sign-in form: growing waits per account name and per client address.

Each key (an account name as typed, or a client address) may fail ``free`` times; after that every
further failure doubles the wait before the next attempt is even checked (1 s, 2 s, 4 s … up to
``max_wait``). While a key waits, sign-in is refused without looking at the password, so guessing
costs the attacker time, not the server argon2 work. Names are throttled whether or not such an
account exists, and the refusal reads the same for both, so the throttle reveals no account names.
A key that stays quiet for ``forget_after`` is forgotten; a successful sign-in clears its account
name (not its address: one valid account must not reset an address that guesses at others).

State is in memory, per process, bounded to ``max_keys`` keys (the stalest are dropped first).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["SignInThrottle"]


@dataclass
class _Failures:
    count: int
    last: datetime
    blocked_until: datetime


class SignInThrottle:
    def __init__(self, *, account_free: int = 5, address_free: int = 20, max_wait: timedelta = timedelta(minutes=15),
                 forget_after: timedelta = timedelta(hours=1), max_keys: int = 50_000) -> None:
        self.account_free = account_free
        self.address_free = address_free
        self.max_wait = max_wait
        self.forget_after = forget_after
        self.max_keys = max_keys
        self._keys: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _account(username: str) -> str:
        return "account:" + username.strip().lower()[:64]

    @staticmethod
    def _address(address: str) -> str:
        return "address:" + address[:64]

    def wait(self, username: str, address: str, now: datetime) -> float:
        """Seconds before this name or address may try again (0: go ahead)."""
        with self._lock:
            waits = [self._wait(key, now) for key in (self._account(username), self._address(address))]
        return max(waits)

    def _wait(self, key: str, now: datetime) -> float:
        entry = self._keys.get(key)
        if entry is None:
            return 0.0
        if now - entry.last >= self.forget_after:
            del self._keys[key]
            return 0.0
        # Clamped: a clock stepped back must not turn a short wait into a long lock-out.
        return max(0.0, min((entry.blocked_until - now).total_seconds(), self.max_wait.total_seconds()))

    def failed(self, username: str, address: str, now: datetime) -> None:
        with self._lock:
            self._fail(self._account(username), self.account_free, now)
            self._fail(self._address(address), self.address_free, now)

    def _fail(self, key: str, free: int, now: datetime) -> None:
        entry = self._keys.pop(key, None)
        if entry is None or now - entry.last >= self.forget_after:
            entry = _Failures(0, now, now)
        entry.count += 1
        entry.last = now
        over = entry.count - free
        if over > 0:
            entry.blocked_until = now + min(self.max_wait, timedelta(seconds=2 ** min(over - 1, 30)))
        self._keys[key] = entry  # most recently failed last: eviction drops the stalest
        while len(self._keys) > self.max_keys:
            self._keys.popitem(last=False)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._keys.pop(self._account(username), None)
