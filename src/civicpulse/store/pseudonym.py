"""Pseudonymisation of authors at ingest with a keyed hash (HMAC-SHA256, per-deployment secret).

Only the pseudonym travels with the post; the clear account id, handle and display name go to the
``identities`` table, which governance gates. A keyed hash (not a plain hash) means that nobody
without the deployment's secret can recompute a pseudonym from a known handle.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import OrderedDict
from dataclasses import dataclass

from civicpulse.post import Author, Post

__all__ = ["PSEUDONYM_PREFIX", "Identity", "Pseudonymiser"]

PSEUDONYM_PREFIX = "ps:"


@dataclass(frozen=True, slots=True)
class Identity:
    pseudonym: str
    platform: str
    account_id: str
    handle: str | None
    display_name: str | None


class Pseudonymiser:
    """Maps platform account ids to pseudonyms; remembers which identities it has already reported."""

    def __init__(self, key: bytes, cache_size: int = 200_000) -> None:
        if len(key) < 16:
            raise ValueError("the pseudonymisation key must be at least 16 bytes")
        self._key = key
        self._cache: OrderedDict[str, str] = OrderedDict()
        self._cache_size = cache_size
        # Sources often reuse one Author object for an account's posts; remembering the stripped
        # copy per pseudonym (checked by identity, so never stale) saves rebuilding it every post.
        self._stripped: dict[str, tuple[Author, Author]] = {}

    def pseudonym(self, platform: str, account_id: str) -> str:
        qualified = f"{platform}:{account_id}"
        cached = self._cache.get(qualified)
        if cached is not None:
            return cached
        digest = hmac.new(self._key, qualified.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
        value = PSEUDONYM_PREFIX + digest[:32]
        self._cache[qualified] = value
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return value

    def apply(self, posts: list[Post]) -> tuple[list[Post], list[Identity]]:
        """Pseudonymise a batch; returns the posts and the identities first seen in this batch.

        Posts whose author id already is a pseudonym (re-ingested exports) pass through unchanged.
        """
        out: list[Post] = []
        seen: dict[str, Identity] = {}
        for post in posts:
            author = post.author
            if author.id.startswith(PSEUDONYM_PREFIX):
                out.append(post)
                continue
            pseudonym = self.pseudonym(post.platform, author.id)
            if pseudonym not in seen:
                seen[pseudonym] = Identity(pseudonym, post.platform, author.id, author.handle,
                                           author.display_name)
            memo = self._stripped.get(pseudonym)
            if memo is None or memo[0] is not author:
                memo = (author, _strip(author, pseudonym))
                if len(self._stripped) >= self._cache_size:
                    self._stripped.clear()
                self._stripped[pseudonym] = memo
            out.append(post.replace(author=memo[1]))
        return out, list(seen.values())


def _strip(author: Author, pseudonym: str) -> Author:
    return Author(
        id=pseudonym,
        profile_location=author.profile_location,
        created_at=author.created_at,
        followers=author.followers,
        following=author.following,
        posts_count=author.posts_count,
        verified=author.verified,
        official=author.official,
    )
