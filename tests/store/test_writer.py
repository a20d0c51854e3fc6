from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, func, select

from civicpulse.post import Geo, GeoSource, Post
from civicpulse.sources.base import Rejected
from civicpulse.store.pseudonym import Pseudonymiser
from civicpulse.store.queries import Reader
from civicpulse.store.schema import identities, raw_payloads
from civicpulse.store.writer import Batch, StoreWriter
from civicpulse.testing import make_post

KEY = b"k" * 32


def test_round_trip_keeps_every_field(engine: Engine) -> None:
    post = make_post(1, "Fire near the station #Fire").replace(
        language="en", hashtags=("fire",), links=("https://example.org/a",),
        geo=Geo(source=GeoSource.GEOTAG, lat=51.5, lon=-0.12, place_name="Soho"),
        enrichments={"surface/1": {"hashtags": ["fire"]}},
    )
    StoreWriter(engine).write(Batch(posts=[post]))
    assert Reader(engine).get(post.id) == post


def test_writes_are_idempotent_and_count_duplicates(engine: Engine) -> None:
    writer = StoreWriter(engine)
    posts = [make_post(i) for i in range(5)]
    first = writer.write(Batch(posts=posts))
    again = writer.write(Batch(posts=[*posts[3:], make_post(5), make_post(5)]))
    assert (first.inserted, first.duplicates) == (5, 0)
    assert (again.inserted, again.duplicates) == (1, 3)
    assert Reader(engine).post_count() == 6


def test_raw_payload_and_identity_live_apart_from_the_post(engine: Engine) -> None:
    post = make_post(7, author="12345").replace(raw={"id": "7", "user": {"screen_name": "alice"}})
    pseudonymised, found = Pseudonymiser(KEY).apply([post])
    StoreWriter(engine).write(Batch(posts=pseudonymised, identities=found))
    stored = Reader(engine).get(post.id)
    assert stored is not None
    assert stored.raw is None
    assert stored.author.id.startswith("ps:")
    assert stored.author.handle is None
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(raw_payloads)).scalar_one() == 1
        row = connection.execute(select(identities)).one()
    assert (row.account_id, row.handle) == ("12345", "@12345")


def test_cursor_is_committed_with_the_batch(engine: Engine) -> None:
    writer = StoreWriter(engine)
    writer.write(Batch(posts=[make_post(1)], cursor_name="src", cursor="10"))
    writer.write(Batch(posts=[make_post(2)], cursor_name="src", cursor="20"))
    assert Reader(engine).cursor("src") == "20"


def test_quarantine_keeps_reason_and_payload_once(engine: Engine) -> None:
    writer = StoreWriter(engine)
    bad = Rejected.of("malformed JSON", b"{not json", location="in.jsonl:3")
    writer.write(Batch(rejected=[bad], source="jsonl"))
    writer.write(Batch(rejected=[bad], source="jsonl"))  # re-delivered after a crash
    [record] = Reader(engine).quarantined()
    assert (record.reason, record.raw, record.location) == ("malformed JSON", b"{not json", "in.jsonl:3")


def test_full_text_search_finds_words_and_ignores_query_syntax(engine: Engine) -> None:
    posts = [make_post(1, "Smoke over the old bridge"), make_post(2, "Quiet evening in the park"),
             make_post(3, "Bridge closed after the smoke")]
    StoreWriter(engine).write(Batch(posts=posts))
    reader = Reader(engine)
    assert [p.id for p in reader.search("smoke bridge")] == ["test:3", "test:1"]
    assert reader.search('park" * (') == [posts[1]]
    assert reader.search("!!!") == []


def test_latest_orders_by_stream_time(engine: Engine) -> None:
    early = make_post(1, at=datetime(2026, 1, 1, tzinfo=UTC))
    late = make_post(2, at=datetime(2026, 1, 2, tzinfo=UTC))
    StoreWriter(engine).write(Batch(posts=[late, early]))
    assert [p.id for p in Reader(engine).latest(2)] == ["test:2", "test:1"]
    counts = Reader(engine).counts()
    assert counts.posts == 2
    assert counts.latest_post_at == datetime(2026, 1, 2, tzinfo=UTC)


def test_unicode_survives(engine: Engine) -> None:
    post: Post = make_post(1, "مرحبا 👩‍👩‍👧 straße")
    StoreWriter(engine).write(Batch(posts=[post]))
    assert Reader(engine).get(post.id) == post
