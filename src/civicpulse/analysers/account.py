"""Account features: how old the account was when it posted, how fast it posts, its follower ratio,
and the platform's default-profile and self-declared-bot flags.

These feed bot-likeness and coordination checks; none of them identifies a person. Every feature is
a number or a flag when the source provided what it needs, and ``null`` ("not applicable") when it did
not: a missing field is never guessed as zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from civicpulse.analysers.base import Analyser
from civicpulse.post import Post
from civicpulse.registry import analysers

__all__ = ["AccountAnalyser", "profile_flags"]

_DAY_S = 86_400.0
#: Twitter's placeholder avatars live under this path; Mastodon's is ``.../missing.png``.
_TWITTER_DEFAULT_IMAGE = "default_profile_images"
_MASTODON_MISSING = "/missing.png"


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _user_payload(raw: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The account object inside a platform payload: Mastodon ``account``, Twitter v1.1 ``user``,
    twarc2's inlined ``author``."""
    for key in ("account", "user", "author"):
        user = raw.get(key)
        if isinstance(user, Mapping):
            return user
    return None


def profile_flags(raw: Mapping[str, Any] | None) -> dict[str, bool | None]:
    """``default_profile``, ``default_profile_image`` and ``declared_bot`` from the raw payload;
    ``None`` for each one the platform did not report."""
    flags: dict[str, bool | None] = {"default_profile": None, "default_profile_image": None, "declared_bot": None}
    user = _user_payload(raw) if isinstance(raw, Mapping) else None
    if user is None:
        return flags
    flags["default_profile"] = _flag(user.get("default_profile"))
    flags["default_profile_image"] = _flag(user.get("default_profile_image"))
    image = user.get("profile_image_url") or user.get("profile_image_url_https")
    if flags["default_profile_image"] is None and isinstance(image, str):
        flags["default_profile_image"] = _TWITTER_DEFAULT_IMAGE in image
    avatar = user.get("avatar")
    if flags["default_profile_image"] is None and isinstance(avatar, str):
        flags["default_profile_image"] = avatar.endswith(_MASTODON_MISSING)
    header = user.get("header")
    if flags["default_profile"] is None and isinstance(avatar, str) and isinstance(header, str):
        flags["default_profile"] = avatar.endswith(_MASTODON_MISSING) and header.endswith(_MASTODON_MISSING)
    flags["declared_bot"] = _flag(user.get("bot"))
    return flags


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def features(post: Post) -> dict[str, Any]:
    author = post.author
    age_days: float | None = None
    if author.created_at is not None:
        age = (post.created_at - author.created_at).total_seconds() / _DAY_S
        # An account created after its own post is bad data, not a young account.
        age_days = age if age >= 0 else None
    rate: float | None = None
    if author.posts_count is not None and age_days is not None:
        # Floor at one day: a two-hour-old account with 5 posts posts 5/day, not 60/day.
        rate = author.posts_count / max(age_days, 1.0)
    ratio: float | None = None
    if author.followers is not None and author.following is not None:
        ratio = author.followers / max(author.following, 1)
    return {
        "age_days": _round(age_days),
        "posts_per_day": _round(rate),
        "follower_ratio": _round(ratio),
        "followers": author.followers,
        "following": author.following,
        "verified": author.verified,
        **profile_flags(post.raw),
    }


@analysers.register("account")
class AccountAnalyser(Analyser):
    """Per post: ``age_days``, ``posts_per_day``, ``follower_ratio`` (followers / max(following, 1)),
    the counts they came from, ``verified``, and the default-profile and declared-bot flags; ``null``
    where the source did not provide the fields."""

    name = "account"
    version = 1

    def analyse_many(self, posts: Sequence[Post]) -> list[Any]:
        return [features(post) for post in posts]
