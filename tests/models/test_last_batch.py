"""The shared last-batch result: computed once per batch of texts, recomputed for another batch."""

from __future__ import annotations

from civicpulse.models.last_batch import LastBatch


def test_the_same_texts_are_computed_once_and_others_again() -> None:
    calls: list[list[str]] = []

    def compute(texts: list[str]) -> int:
        calls.append(texts)
        return len(calls)

    cache: LastBatch[int] = LastBatch()
    assert cache.get(["a", "b"], compute) == 1
    assert cache.get(["a", "b"], compute) == 1
    assert cache.get(["a"], compute) == 2
    cache.clear()
    assert cache.get(["a"], compute) == 3
    assert calls == [["a", "b"], ["a"], ["a"]]
