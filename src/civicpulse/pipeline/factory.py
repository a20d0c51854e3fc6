"""Assembling a ready-to-run pipeline from settings: the one place the CLI and the web app call."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from civicpulse.config import Settings
from civicpulse.detectors.base import Detector
from civicpulse.pipeline.chain import build_analysers
from civicpulse.pipeline.runner import Pipeline, Sink
from civicpulse.pipeline.store_worker import store_writer
from civicpulse.pipeline.worker import in_worker
from civicpulse.sources.base import Source
from civicpulse.store.database import connect, upgrade
from civicpulse.store.pseudonym import Pseudonymiser

__all__ = ["build_pipeline", "open_database"]


def open_database(settings: Settings, migrate: bool = True) -> Engine:
    """Connect to the configured database and bring its schema up to date."""
    engine = connect(settings.resolved_database_url)
    if migrate:
        upgrade(engine)
    return engine


def build_pipeline(
    settings: Settings,
    source: Source,
    engine: Engine,
    *,
    analysers: Sequence[str] | None = None,
    detectors: Sequence[Detector] = (),
    sinks: Sequence[Sink] = (),
    cursor_name: str | None = None,
    operation_id: str | None = None,
) -> Pipeline:
    """``operation_id``: the operation the stored records are collected for (docs/governance.md)."""
    return Pipeline(
        in_worker(source) if settings.source_worker else source,
        store_writer(engine, settings.store_worker, operation_id),
        Pseudonymiser(settings.resolved_pseudonym_key()),
        analysers=build_analysers(settings.analysers if analysers is None else analysers, settings),
        detectors=detectors,
        sinks=sinks,
        batch_size=settings.batch_size,
        max_latency_s=settings.max_latency_s,
        queue_batches=settings.queue_batches,
        cursor_name=cursor_name,
    )
