from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicpulse.post import (
    Author,
    Geo,
    GeoSource,
    Media,
    MediaKind,
    Metrics,
    Post,
    decode_post,
    encode_jsonl,
    with_results,
)

TEXT = st.text(max_size=200)


@st.composite
def posts(draw: st.DrawFn) -> Post:
    return Post(
        id=draw(st.text(min_size=1, max_size=40)),
        platform=draw(st.sampled_from(["mastodon", "bluesky", "twitter", "scenario"])),
        created_at=draw(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                                     timezones=st.just(UTC))),
        author=Author(id=draw(st.text(min_size=1, max_size=20)), followers=draw(st.none() | st.integers(0, 10**9))),
        text=draw(TEXT),
        hashtags=tuple(draw(st.lists(st.text(max_size=10), max_size=3))),
        geo=draw(st.none() | st.builds(Geo, source=st.sampled_from(GeoSource),
                                       lat=st.floats(-90, 90), lon=st.floats(-180, 180))),
        media=tuple(draw(st.lists(st.builds(Media, kind=st.sampled_from(MediaKind), url=TEXT), max_size=2))),
        metrics=draw(st.none() | st.builds(Metrics, likes=st.none() | st.integers(0, 10**6))),
        enrichments=draw(st.dictionaries(st.text(max_size=10), st.integers() | TEXT, max_size=3)),
    )


@given(st.lists(posts(), max_size=5))
def test_jsonl_round_trip_is_lossless(items: list[Post]) -> None:
    lines = encode_jsonl(items).splitlines()
    assert [decode_post(line) for line in lines] == items


def test_naive_timestamps_are_refused() -> None:
    line = b'{"id":"x:1","platform":"x","created_at":"2026-01-01T00:00:00","author":{"id":"a"},"text":""}'
    with pytest.raises(msgspec.ValidationError, match="timezone"):
        decode_post(line)


def test_out_of_range_coordinates_are_refused() -> None:
    with pytest.raises(msgspec.ValidationError):
        decode_post(b'{"id":"x","platform":"x","created_at":"2026-01-01T00:00:00Z","author":{"id":"a"},'
                    b'"text":"","geo":{"source":"geotag","lat":91,"lon":0}}')


def test_unknown_fields_are_ignored() -> None:
    post = decode_post(b'{"id":"x:1","platform":"x","created_at":"2026-01-01T01:00:00+01:00",'
                       b'"author":{"id":"a","shoe_size":44},"text":"hi","mood":"ok"}')
    assert post.created_at == datetime(2026, 1, 1, tzinfo=UTC)


def test_enrichments_are_added_never_overwritten() -> None:
    post = Post(id="x:1", platform="x", created_at=datetime(2026, 1, 1, tzinfo=UTC), author=Author(id="a"),
                text="hi")
    enriched = post.with_enrichments({"sentiment/1": {"label": "neutral"}})
    assert post.enrichments == {}
    assert enriched.enrichments == {"sentiment/1": {"label": "neutral"}}
    with pytest.raises(ValueError, match="already present"):
        enriched.with_enrichments({"sentiment/1": {}})


def test_a_batch_of_results_is_stored_as_one_post_at_a_time_would_be() -> None:
    posts = [Post(id=f"x:{i}", platform="x", created_at=datetime(2026, 1, 1, tzinfo=UTC), author=Author(id="a"),
                  text="hi", enrichments={"language/1": {"label": "en"}}) for i in range(3)]
    results = [{"label": "neutral"}, {"label": "negative"}, None]
    stored = with_results(posts, "sentiment/1", results)
    assert stored == [p.with_enrichments({"sentiment/1": r}) for p, r in zip(posts, results, strict=True)]
    assert all(p.enrichments == {"language/1": {"label": "en"}} for p in posts)  # the inputs are untouched
    with pytest.raises(ValueError, match="already present"):
        with_results(stored, "sentiment/1", results)
    with pytest.raises(ValueError, match=r"shorter|longer"):
        with_results(posts, "sentiment/1", results[:2])


def test_posts_are_immutable() -> None:
    post = Post(id="x:1", platform="x", created_at=datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=2))),
                author=Author(id="a"), text="hi")
    with pytest.raises(AttributeError):
        post.text = "changed"  # type: ignore[misc]
