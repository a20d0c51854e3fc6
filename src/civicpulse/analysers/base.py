"""The analyser contract: ``analyse_many(posts) -> list[dict]``.

An analyser reads a batch of posts and returns, for each post, the enrichment it produced (any
JSON-compatible value), in order. The pipeline stores each result under the analyser's versioned
name (``name/version``), so outputs always say what produced them. Analysers never edit posts.

``requires`` names the enrichments (versionless analyser names) that must be present before this
analyser runs; the pipeline checks the order when it is built, not at post 10,000.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, Self

from civicpulse.config import Settings
from civicpulse.post import Post

__all__ = ["Analyser"]


class Analyser(ABC):
    #: Registered name, e.g. ``"sentiment"``.
    name: ClassVar[str]
    #: Bumped whenever outputs can change for the same input (new model, new rules).
    version: ClassVar[int] = 1
    #: Names of analysers whose enrichments this one reads.
    requires: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def key(cls) -> str:
        """The enrichment key this analyser writes: ``name/version``."""
        return f"{cls.name}/{cls.version}"

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """Build from the deployment's settings; analysers with settings of their own override this."""
        return cls()

    @abstractmethod
    def analyse_many(self, posts: Sequence[Post]) -> list[Any]:
        """One result per post, in the same order. Must not mutate the posts."""

    def analyse_one(self, post: Post) -> Any:
        return self.analyse_many([post])[0]
