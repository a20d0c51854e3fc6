from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from civicpulse.detectors.events import EventDetector
from civicpulse.detectors.seasonal import DAY_HOURS, DailyShares
from civicpulse.post import Author, Post

SEVEN = 7  # an hour of the day: 07:00


def add(shares: DailyShares, hour: int, counts: dict[str, int], total: int) -> None:
    shares.add(hour, counts, total, keep_words=50, days=7)


def usual(shares: DailyShares, hour: int) -> dict[str, float]:
    return shares.expected(hour, days=7, min_days=3, min_total=100.0)


def day_of_hours(shares: DailyShares, day: int, words_at_seven: dict[str, int]) -> None:
    """One day: 1,000 posts an hour, "rain" in 10 of them every hour, ``words_at_seven`` at 07:00."""
    for hour in range(DAY_HOURS):
        counts = {"rain": 10, "cell:53.80,-1.55": 500}
        if hour == SEVEN:
            counts |= words_at_seven
        add(shares, day * DAY_HOURS + hour, counts, 1000)


def test_a_word_high_at_the_same_hour_on_most_days_is_usual_then() -> None:
    shares = DailyShares()
    for day, extra in enumerate([{"morning": 40, "riot": 90}, {"morning": 30}, {"morning": 50, "riot": 80}]):
        assert usual(shares, day * DAY_HOURS + SEVEN) == {}  # fewer than three days known
        day_of_hours(shares, day, extra)
    at_seven = usual(shares, 3 * DAY_HOURS + SEVEN)
    assert at_seven["morning"] == 0.04  # the median of 4 %, 3 % and 5 %
    assert at_seven["rain"] == 0.01
    assert "cell:53.80,-1.55" not in at_seven  # places never become usual
    assert at_seven["riot"] == 0.08  # two nights of three: in the first days, that is usual
    day_of_hours(shares, 3, {})
    day_of_hours(shares, 4, {})
    assert "riot" not in usual(shares, 5 * DAY_HOURS + SEVEN)  # two nights of five: not usual
    assert "morning" in usual(shares, 5 * DAY_HOURS + SEVEN + 1)  # the hour either side
    assert "morning" not in usual(shares, 5 * DAY_HOURS + SEVEN + 3)


def test_memory_is_a_week_of_hours_each_with_its_most_frequent_words() -> None:
    shares = DailyShares()
    for hour in range(10 * DAY_HOURS):
        add(shares, hour, {f"w{hour}-{n}": n + 1 for n in range(300)}, 1000)
    assert len(shares.hours) == 7 * DAY_HOURS
    assert min(shares.hours) == 3 * DAY_HOURS
    older = [slot for hour, slot in shares.hours.items() if hour < 10 * DAY_HOURS - 1]
    assert max(len(slot.counts) for slot in older) == 50
    assert "w239-299" in shares.hours[239].counts  # the most frequent kept


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400), st.dictionaries(st.text(max_size=12), st.integers(0, 50), max_size=20),
                          st.integers(0, 2000)), max_size=60))
def test_any_counts_give_shares_between_zero_and_one_and_survive_a_snapshot(
        adds: list[tuple[int, dict[str, int], int]]) -> None:
    shares = DailyShares()
    for hour, counts, total in sorted(adds, key=lambda a: a[0]):
        add(shares, hour, counts, max(total, sum(counts.values())))
    for hour in (0, 100, 400):
        assert all(0.0 < share <= 1.0 for share in usual(shares, hour).values())
    again = msgspec.msgpack.decode(msgspec.msgpack.encode(shares), type=DailyShares)
    assert again == shares


T0 = datetime(2026, 3, 5, 6, 30, tzinfo=UTC)


def chatter(start: datetime, minutes: int, with_morning: bool) -> list[Post]:
    posts = []
    for n in range(minutes * 60 // 2):  # a post every 2 s
        words = ["weather", "bus", "coffee", "work", "lunch", "train", "football", "shop"]
        text = " ".join(words[(n + k) % 8] for k in range(3))
        if with_morning and n % 3 == 0:
            text += " morning"
        posts.append(Post(id=f"t:{start:%d%H%M}:{n}", platform="test", created_at=start + timedelta(seconds=2 * n),
                          author=Author(id=f"acct-{n % 400}"), text=text, language="en"))
    return posts


def run(detector: EventDetector, posts: list[Post]) -> set[str]:
    titles: set[str] = set()
    for i in range(0, len(posts), 5):
        step = posts[i:i + 5]
        for signal in detector.update_many(step, step[-1].created_at + timedelta(seconds=1)):
            titles.add(str(signal.details.get("title", signal.summary)))
    return titles


def test_the_events_detector_does_not_open_an_event_for_a_word_at_its_usual_hour() -> None:
    """Forty minutes of quiet chatter, then "morning" in a third of the posts at 07:10: an event,
    unless the detector knows that at 07:00 "morning" is in a third of the posts on most days."""
    quiet, peak = chatter(T0, 40, False), chatter(T0 + timedelta(minutes=40), 10, True)
    assert any("morning" in title for title in run(EventDetector(), quiet + peak))
    knowing = EventDetector()
    for day in range(1, 4):
        for hour in (6, 7, 8):
            stamp = int((T0 - timedelta(days=day)).timestamp() // 3600) + hour - 6
            knowing._s.daily.add(stamp, {"morning": 330, "weather": 300}, 1000, keep_words=500, days=7)
    assert not any("morning" in title for title in run(knowing, quiet + peak))
