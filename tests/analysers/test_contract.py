"""The contract every registered analyser keeps, generated from the registry (like river's checks):
it does not mutate its input, returns one JSON-compatible result per post in order, survives hostile
text and missing fields, is deterministic, and writes under ``name/version``."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import msgspec
import pytest

from civicpulse.analysers.base import Analyser
from civicpulse.post import Author, Geo, GeoSource, Metrics, Post
from civicpulse.registry import analysers

NAMES = analysers.names()
AT = datetime(2026, 8, 7, 18, tzinfo=UTC)
HOSTILE_TEXTS = [
    "",
    "😂😂😂🔥👮‍♀️🏳️‍🌈",
    "x" * 100_000,
    "mixed Ελληνικά, русский, 中文, हिन्दी and English in Leeds",
    "مرحبا بكم في المدينة، الشرطة هنا للمساعدة",  # right-to-left
    "שלום לכולם ‏RLM‎ mark ‮override‬",
    "lone surrogates \ud83d and \udc00 here",
    "zero\u200bwidth\u200c join\u200d\ufeff chars\u2060",
    "   \n\t  \r\n ",
    "\x00\x01 control \x7f chars",
    "https://example.org @someone #tag",
    "Call +44 20 7946 0018, IBAN GB82 WEST 1234 5698 7654 32, Officer Smith, 12 Harehills Lane, Leeds",
]


def hostile_posts() -> list[Post]:
    posts = [Post(id=f"c:{i}", platform="test", created_at=AT, author=Author(id="a"), text=text)
             for i, text in enumerate(HOSTILE_TEXTS)]
    full = Author(id="b", handle="@b", display_name="B", profile_location="Paris 🇫🇷", created_at=AT,
                  followers=0, following=0, posts_count=0, verified=False, official=False)
    posts.append(Post(id="c:full", platform="test", created_at=AT, author=full, text="Road closed in Leeds",
                      language="en", hashtags=("Leeds",), mentions=("@x",), links=("https://x.org/a",),
                      geo=Geo(source=GeoSource.GEOTAG, lat=53.8, lon=-1.55), metrics=Metrics(likes=1),
                      raw={"user": {"default_profile": "yes?"}, "account": None}))
    posts.append(Post(id="c:odd", platform="test", created_at=AT, author=Author(id="c", profile_location=""),
                      text="odd", geo=Geo(source=GeoSource.TEXT, place_name=""), raw={}, repost_of="c:full"))
    return posts


@pytest.fixture(scope="module")
def results() -> dict[str, list[object]]:
    posts = hostile_posts()
    return {name: analysers.get(name)().analyse_many(posts) for name in NAMES}


def test_builtins_are_registered() -> None:
    assert {"surface", "language", "account", "personal_data", "near_duplicates", "places"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_key_is_name_slash_version(name: str) -> None:
    cls = analysers.get(name)
    assert issubclass(cls, Analyser)
    assert cls.name == name
    assert isinstance(cls.version, int)
    assert cls.key() == f"{name}/{cls.version}"


@pytest.mark.parametrize("name", NAMES)
def test_one_json_result_per_post_and_input_untouched(name: str, results: dict[str, list[object]]) -> None:
    posts = hostile_posts()
    before = copy.deepcopy(posts)
    out = analysers.get(name)().analyse_many(posts)
    assert posts == before
    assert len(out) == len(posts)
    for result in out:
        msgspec.json.encode(result)  # storable as it is
    assert out == results[name]  # deterministic: a fresh instance gives the same answers


@pytest.mark.parametrize("name", NAMES)
def test_results_are_in_order(name: str, results: dict[str, list[object]]) -> None:
    one_by_one = analysers.get(name)()
    assert [one_by_one.analyse_one(p) for p in hostile_posts()] == results[name]
    assert analysers.get(name)().analyse_many([]) == []


@pytest.mark.parametrize("name", NAMES)
def test_results_survive_being_stored_on_the_post(name: str, results: dict[str, list[object]]) -> None:
    cls = analysers.get(name)
    for post, result in zip(hostile_posts(), results[name], strict=True):
        enriched = post.with_enrichments({cls.key(): result})
        assert msgspec.json.decode(msgspec.json.encode(enriched.enrichments[cls.key()])) == \
            msgspec.json.decode(msgspec.json.encode(result))
