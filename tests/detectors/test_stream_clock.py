from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from civicpulse.detectors.stream_clock import Step, StreamClock, replay_steps, steps_of
from civicpulse.post import Post
from civicpulse.testing import make_post

T0 = datetime(2026, 5, 1, 12, tzinfo=UTC)


def stream(gaps: list[float], accounts: list[int]) -> list[Post]:
    posts, at = [], T0
    for n, (gap, account) in enumerate(zip(gaps, accounts, strict=False)):
        at += timedelta(seconds=gap)
        posts.append(make_post(n, author=f"acct-{account}", at=at))
    return posts


def cut_and_feed(posts: list[Post], cuts: list[int]) -> tuple[list[Step], StreamClock]:
    clock, out, start = StreamClock(), [], 0
    for end in sorted(set(cuts)):
        out += clock.feed(posts[start:end])
        start = max(start, end)
    out += clock.feed(posts[start:])
    return out + clock.flush(), clock


def shown(steps: list[Step]) -> list[tuple[str, datetime]]:
    return [(post.id, now) for posts, now in steps for post in posts]


gap = st.one_of(st.floats(0, 3), st.floats(0, 3), st.floats(0, 3), st.floats(50, 5000))


@settings(max_examples=200, deadline=None)
@given(st.lists(gap, min_size=1, max_size=120), st.lists(st.integers(0, 4), min_size=120, max_size=120),
       st.lists(st.integers(0, 120), max_size=10))
def test_the_steps_do_not_depend_on_where_the_stream_was_cut(gaps: list[float], accounts: list[int],
                                                            cuts: list[int]) -> None:
    posts = stream(gaps, accounts)
    whole, clock = cut_and_feed(posts, [])
    assert cut_and_feed(posts, cuts)[0] == whole
    assert list(replay_steps(posts)) == whole == steps_of(posts)
    assert sorted(post_id for post_id, _ in shown(whole)) == sorted(p.id for p in posts)  # each once
    nows = [now for _, now in whole]
    assert nows == sorted(set(nows))
    dates = {p.id: p.created_at for p in posts}
    early = [post_id for post_id, now in shown(whole) if now <= dates[post_id]]
    assert len(early) == clock.counters["shown_ahead"]
    assert all(dates[post_id] < now <= dates[post_id] + timedelta(seconds=2)
               for post_id, now in shown(whole) if post_id not in early)


def busy(seconds: int, accounts: int = 7) -> list[Post]:
    return [make_post(n, author=f"acct-{n % accounts}", at=T0 + timedelta(seconds=n)) for n in range(seconds)]


def test_a_post_dated_hours_ahead_waits_until_the_stream_reaches_its_time() -> None:
    posts = busy(3 * 3600 + 60)
    wrong = make_post(10**6, author="wrong-clock", at=T0 + timedelta(hours=3))
    posts.insert(100, wrong)
    clock = StreamClock()
    steps = clock.feed(posts[:200])
    assert clock.held == 1
    assert max(now for _, now in steps) < T0 + timedelta(seconds=201)
    steps += clock.feed(posts[200:]) + clock.flush()
    (at,) = [now for step, now in steps if wrong in step]
    assert at == T0 + timedelta(hours=3, seconds=2)  # in its own step, as if it came on time
    assert clock.counters == {"held_ahead": 1, "shown_ahead": 0}


def test_when_three_accounts_are_ahead_the_stream_has_moved_on() -> None:
    """A quiet night ends: the morning's posts, from three accounts, are not one wrong clock."""
    morning = T0 + timedelta(hours=8)
    posts = busy(60) + [make_post(1000 + n, author=f"early-{n}", at=morning + timedelta(seconds=n)) for n in range(3)]
    clock = StreamClock()
    steps = clock.feed(posts)
    assert clock.held == 0
    assert [p.id for p in clock.flush()[0][0]] == ["test:1002"]
    assert [p.id for p in steps[-1][0]] == ["test:1000", "test:1001"]
    quiet_calls = [now for step, now in steps if not step]
    assert 8 * 60 - 2 <= len(quiet_calls) <= 8 * 60 + 1  # one a minute, not one every two seconds


def test_one_account_alone_moves_on_after_three_posts_and_nothing_between() -> None:
    """A small deployment with one feed: after a gap, its next posts are the stream."""
    posts = busy(30, accounts=1) + [make_post(100 + n, at=T0 + timedelta(hours=1, minutes=n)) for n in range(3)]
    clock = StreamClock()
    clock.feed(posts[:-1])
    assert clock.held == 2
    clock.feed(posts[-1:])
    assert clock.held == 0


def test_posts_beyond_the_bound_are_shown_early_and_counted() -> None:
    clock, regular, steps = StreamClock(max_held=2), busy(100), []
    for n in range(3):  # the stream goes on between them: they are not a jump of the stream
        steps += clock.feed([*regular[n * 30:(n + 1) * 30],
                             make_post(100 + n, author="wrong-clock", at=T0 + timedelta(days=1, seconds=n))])
    assert (clock.held, clock.counters) == (2, {"held_ahead": 3, "shown_ahead": 1})
    steps += clock.feed(regular[90:]) + clock.flush()
    assert clock.held == 0
    assert clock.counters == {"held_ahead": 3, "shown_ahead": 3}
    assert all(now < T0 + timedelta(seconds=102) for _, now in steps)
    assert sum(len(step) for step, _ in steps) == 103


def test_late_posts_join_the_current_step() -> None:
    clock = StreamClock()
    steps = clock.feed(busy(10)) + clock.feed([make_post(99, at=T0 - timedelta(minutes=5))]) + clock.flush()
    assert steps[-1][0][-1].id == "test:99"
    assert steps[-1][1] == T0 + timedelta(seconds=10)


def test_a_first_post_with_a_wrong_clock_does_not_set_the_grid() -> None:
    """A live stream whose very first post is dated three hours ahead: the grid starts with the
    stream's own posts, and that post waits like any other dated ahead."""
    wrong = make_post(99, author="wrong-clock", at=T0 + timedelta(hours=3))
    clock, steps = StreamClock(), []
    for post in [wrong, *busy(120)]:  # read one at a time
        steps += clock.feed([post])
    assert clock.held == 1
    assert steps[0][1] == T0 + timedelta(seconds=2)
    assert max(now for _, now in steps) < T0 + timedelta(seconds=121)


def test_a_stream_shorter_than_the_opening_is_still_shown() -> None:
    clock = StreamClock()
    assert clock.feed([make_post(0, at=T0), make_post(1, at=T0 + timedelta(seconds=3))]) == []
    assert [(len(step), now) for step, now in clock.flush()] == [(1, T0 + timedelta(seconds=2)),
                                                                  (1, T0 + timedelta(seconds=4))]
