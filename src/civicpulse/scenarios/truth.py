"""Ground truth written beside the stream, so that detectors can be scored.

Labels never travel inside a post (that would leak the answer to the detectors): they go to
``truth.jsonl`` as posts are generated — one ``{"post_id", "label_kind", "label_id"}`` line per label,
so a post that carries two labels (a coordinated post pushing a rumour) has two lines — and a summary
of every inject (ids, onsets, true locations, denial times, post counts) goes to ``truth.json``.

``label_kind`` is one of :data:`LABEL_KINDS`; ``label_id`` is the id of the inject in the scenario
file (a tip's and a denial's ``label_id`` is the appeal's and the rumour's id).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

import msgspec

from civicpulse.post import encode_jsonl

if TYPE_CHECKING:
    from civicpulse.scenarios.spec import Scenario

__all__ = [
    "LABEL_KINDS", "GenerationResult", "InjectTruth", "MemoryTruthSink", "TruthSink", "TruthSummary",
    "write_scenario",
]

NO_LABEL, L_INCIDENT, L_RUMOUR, L_HATE, L_APPEAL, L_TIP, L_DENIAL, L_COORDINATED = range(8)
#: Label codes (the index) -> the ``label_kind`` written to ``truth.jsonl``.
LABEL_NAMES = ("", "incident", "rumour", "hate_wave", "appeal", "tip", "denial", "coordinated")
LABEL_KINDS = LABEL_NAMES[1:]


class InjectTruth(msgspec.Struct, kw_only=True):
    id: str
    kind: str
    title: str
    onset: datetime
    #: Seconds from the scenario's start.
    onset_s: float
    district: str | None = None
    #: The true location (incidents: where it happens; appeals: where the person was last seen).
    lat: float | None = None
    lon: float | None = None
    #: Rumours: who denied it, when, and the denial post.
    denied_by: str | None = None
    denial_at: datetime | None = None
    denial_s: float | None = None
    denial_post_id: str | None = None
    #: Appeals: the official appeal post that replies and tips answer; when the person was found.
    post_id: str | None = None
    resolved_at: datetime | None = None
    #: Hate waves: the group targeted. Coordinated campaigns: what they amplify, and their accounts.
    target: str | None = None
    amplifies: str | None = None
    members: list[str] = msgspec.field(default_factory=list)
    #: Posts carrying this inject's id, in all, and by label kind.
    posts: int = 0
    labels: dict[str, int] = msgspec.field(default_factory=dict)


class TruthSummary(msgspec.Struct, kw_only=True):
    scenario: str
    seed: int
    start: datetime
    end: datetime
    duration_s: float = 0.0
    scale: float = 1.0
    posts: int = 0
    #: Labelled posts by label kind.
    labels: dict[str, int] = msgspec.field(default_factory=dict)
    incidents: list[InjectTruth] = msgspec.field(default_factory=list)
    rumours: list[InjectTruth] = msgspec.field(default_factory=list)
    hate_waves: list[InjectTruth] = msgspec.field(default_factory=list)
    appeals: list[InjectTruth] = msgspec.field(default_factory=list)
    coordinated: list[InjectTruth] = msgspec.field(default_factory=list)
    #: Account ids (``acct-N``, before pseudonymisation) of the bots, officials and coordinated network.
    bots: list[str] = msgspec.field(default_factory=list)
    officials: list[str] = msgspec.field(default_factory=list)
    coordinated_accounts: list[str] = msgspec.field(default_factory=list)

    def all(self) -> list[InjectTruth]:
        return [*self.incidents, *self.rumours, *self.hate_waves, *self.appeals, *self.coordinated]


class TruthSink:
    """Receives (post id, label kind, label id) as posts are generated; streams them to a file."""

    def __init__(self, out: IO[bytes] | None = None) -> None:
        self._out = out

    def label(self, post_id: str, kind: str, label_id: str) -> None:
        if self._out is not None:
            # Ids are [a-z0-9_:-] (the scenario schema enforces it), so no JSON escaping is needed.
            self._out.write(f'{{"post_id":"{post_id}","label_kind":"{kind}","label_id":"{label_id}"}}\n'.encode())


class MemoryTruthSink(TruthSink):
    """Keeps the labels in a list (tests, notebooks)."""

    def __init__(self) -> None:
        super().__init__(None)
        self.labels: list[tuple[str, str, str]] = []

    def label(self, post_id: str, kind: str, label_id: str) -> None:
        self.labels.append((post_id, kind, label_id))


@dataclass(frozen=True)
class GenerationResult:
    posts: int
    seconds: float
    posts_path: Path
    truth_path: Path
    summary_path: Path

    @property
    def paths(self) -> tuple[Path, Path, Path]:
        return self.posts_path, self.truth_path, self.summary_path

    @property
    def posts_per_second(self) -> float:
        return self.posts / self.seconds if self.seconds > 0 else 0.0


def encode_summary(summary: TruthSummary) -> bytes:
    return msgspec.json.format(msgspec.json.encode(summary)) + b"\n"


def write_scenario(scenario: Scenario, seed: int, out_dir: Path, *, batch: int = 5000) -> GenerationResult:
    """Write ``posts.jsonl``, ``truth.jsonl`` and ``truth.json`` for ``scenario`` into ``out_dir``.

    Posts and labels are streamed to disk as they are generated, so memory stays flat however long
    the scenario.
    """
    # Imported here: the generator writes to truth sinks, so this module cannot import it at the top.
    from civicpulse.scenarios.generator import ScenarioRun

    out_dir.mkdir(parents=True, exist_ok=True)
    posts_path, truth_path, summary_path = out_dir / "posts.jsonl", out_dir / "truth.jsonl", out_dir / "truth.json"
    started = time.perf_counter()
    count = 0
    with posts_path.open("wb") as posts_out, truth_path.open("wb") as truth_out:
        run = ScenarioRun(scenario, seed, TruthSink(truth_out))
        chunk = []
        for post in run.posts():
            chunk.append(post)
            if len(chunk) == batch:
                posts_out.write(encode_jsonl(chunk))
                count += len(chunk)
                chunk.clear()
        posts_out.write(encode_jsonl(chunk))
        count += len(chunk)
    summary_path.write_bytes(encode_summary(run.summary()))
    return GenerationResult(count, time.perf_counter() - started, posts_path, truth_path, summary_path)
