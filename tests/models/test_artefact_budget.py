"""The shipped model artefacts stay within the size budget: each ≤ 25 MB, all together ≤ 60 MB."""

from __future__ import annotations

from pathlib import Path

from civicpulse.models.text import MODELS_DIR

MB = 1_000_000


def _artefacts() -> list[Path]:
    return sorted(p for p in MODELS_DIR.iterdir() if p.suffix in {".npz", ".xz", ".gz", ".json"})


def test_every_artefact_is_at_most_25_mb() -> None:
    too_big = {p.name: p.stat().st_size / MB for p in _artefacts() if p.stat().st_size > 25 * MB}
    assert not too_big


def test_all_artefacts_together_are_at_most_60_mb() -> None:
    artefacts = _artefacts()
    assert any(p.name == "encoder.onnx.xz" for p in artefacts)  # the largest is counted
    assert sum(p.stat().st_size for p in artefacts) <= 60 * MB
