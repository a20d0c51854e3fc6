"""Account features from the normalised author fields and the raw platform payload."""

from __future__ import annotations

from datetime import UTC, datetime

from civicpulse.analysers.account import profile_flags
from civicpulse.post import Author, Post
from civicpulse.registry import analysers

AT = datetime(2026, 1, 11, tzinfo=UTC)


def post(author: Author, raw: dict[str, object] | None = None) -> Post:
    return Post(id="t:1", platform="test", created_at=AT, author=author, text="hi", raw=raw)


def test_features_from_author_fields() -> None:
    author = Author(id="a", created_at=datetime(2026, 1, 1, tzinfo=UTC), followers=10, following=40,
                    posts_count=500, verified=True)
    out = analysers.get("account")().analyse_one(post(author))
    assert out["age_days"] == 10.0
    assert out["posts_per_day"] == 50.0
    assert out["follower_ratio"] == 0.25
    assert out["verified"] is True
    assert out["default_profile"] is None  # not provided: not applicable, never guessed


def test_missing_fields_are_not_applicable() -> None:
    out = analysers.get("account")().analyse_one(post(Author(id="a")))
    assert out == {"age_days": None, "posts_per_day": None, "follower_ratio": None, "followers": None,
                   "following": None, "verified": None, "default_profile": None,
                   "default_profile_image": None, "declared_bot": None}


def test_young_account_rate_is_floored_at_one_day_and_bad_dates_refused() -> None:
    young = Author(id="a", created_at=datetime(2026, 1, 10, 22, tzinfo=UTC), posts_count=5, followers=3,
                   following=0)
    out = analysers.get("account")().analyse_one(post(young))
    assert out["posts_per_day"] == 5.0
    assert out["follower_ratio"] == 3.0
    future = Author(id="a", created_at=datetime(2027, 1, 1, tzinfo=UTC), posts_count=5)
    assert analysers.get("account")().analyse_one(post(future))["age_days"] is None


def test_profile_flags_per_platform() -> None:
    assert profile_flags({"user": {"default_profile": True, "default_profile_image": False}}) == {
        "default_profile": True, "default_profile_image": False, "declared_bot": None}
    twarc = {"author": {"profile_image_url": "https://pbs.twimg.com/sticky/default_profile_images/x.png"}}
    assert profile_flags(twarc)["default_profile_image"] is True
    mastodon = {"account": {"bot": True, "avatar": "https://s.example/avatars/original/missing.png",
                            "header": "https://s.example/headers/original/missing.png"}}
    assert profile_flags(mastodon) == {"default_profile": True, "default_profile_image": True, "declared_bot": True}
    assert profile_flags({"account": "not an object", "user": ["x"]})["default_profile"] is None
    assert profile_flags(None)["declared_bot"] is None
