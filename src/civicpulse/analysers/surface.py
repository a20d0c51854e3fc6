"""The cheap surface features: normalised hashtags, mentions, and links with their domains.

Sources fill ``Post.hashtags``/``mentions``/``links`` from platform entities where they exist; this
analyser normalises them (case-folded tags, lower-cased handles, registrable host of each link) so
that counting and matching treat ``#Riot`` and ``#riot`` alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from civicpulse.analysers.base import Analyser
from civicpulse.post import Post
from civicpulse.registry import analysers

__all__ = ["SurfaceAnalyser", "link_domain"]


def link_domain(url: str) -> str | None:
    """The lower-cased host of ``url`` without ``www.``; ``None`` when it has none."""
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


@analysers.register("surface")
class SurfaceAnalyser(Analyser):
    name = "surface"
    version = 1

    def analyse_many(self, posts: Sequence[Post]) -> list[Any]:
        results: list[Any] = []
        for post in posts:
            domains = sorted({d for d in map(link_domain, post.links) if d})
            results.append({
                "hashtags": sorted({tag.lstrip("#").casefold() for tag in post.hashtags if tag.strip("#")}),
                "mentions": sorted({m.lstrip("@").lower() for m in post.mentions if m.strip("@")}),
                "domains": domains,
            })
        return results
