"""Migration 0005 links the records an upgraded database already holds by the old ingest time windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import insert, inspect, select

from civicpulse.store.database import _alembic_config, connect, upgrade
from civicpulse.store.schema import (
    detector_state,
    operation_ingests,
    operations,
    post_operations,
    posts,
    quarantine,
    quarantine_operations,
    signals,
)

T = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T + timedelta(hours=hours)


def test_upgrade_backfills_links_from_the_ingest_windows(database_url: str) -> None:
    engine = connect(database_url)
    upgrade(engine, "0004_alerts")
    with engine.begin() as connection:
        for op, closed in (("op-a", None), ("op-b", at(5))):
            connection.execute(insert(operations).values(
                id=op, name=op, purpose="p", legal_basis="LED Art. 8", area="here", starts_at=T, ends_at=at(48),
                retention_days=1, created_by="ana", created_at=T, closed_at=closed))
        # A ran 1h..3h; B started at 2h and never ended, so it covers until B was closed (5h).
        connection.execute(insert(operation_ingests), [
            {"operation_id": "op-a", "cursor_name": "a", "started_at": at(1), "ended_at": at(3)},
            {"operation_id": "op-b", "cursor_name": "b", "started_at": at(2), "ended_at": None}])
        connection.execute(insert(posts), [
            {"id": f"p{n}", "platform": "test", "created_at": T, "ingested_at": at(hours), "author_id": "x",
             "text": "t", "record": "{}"}
            for n, hours in enumerate((0, 1.5, 2.5, 4, 6))])
        connection.execute(insert(quarantine).values(fingerprint="f" * 64, received_at=at(4), source="s",
                                                     location="l", stage="parse", reason="r", raw=b"x"))
        connection.execute(insert(signals).values(detector="events", kind="event", key="e", at=T, summary="s",
                                                  post_ids="[]", details="{}", stored_at=at(2.5)))
        connection.execute(insert(detector_state).values(name="events", version=1, state=b"s", updated_at=at(1.5)))

    upgrade(engine)

    with engine.connect() as connection:
        link = select(post_operations.c.post_id, post_operations.c.operation_id)
        links = {tuple(r) for r in connection.execute(link)}
        assert links == {("p1", "op-a"), ("p2", "op-a"), ("p2", "op-b"), ("p3", "op-b")}
        assert connection.execute(select(quarantine_operations.c.operation_id)).scalars().all() == ["op-b"]
        # One operation per signal: in two windows, the run that started last.
        assert connection.execute(select(signals.c.operation_id)).scalar_one() == "op-b"
        assert connection.execute(select(detector_state.c.operation_id)).scalar_one() == "op-a"
    engine.dispose()


def test_downgrade_removes_the_links(database_url: str) -> None:
    engine = connect(database_url)
    upgrade(engine)
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004_alerts")
    inspector = inspect(engine)
    assert "post_operations" not in inspector.get_table_names()
    assert "operation_id" not in {c["name"] for c in inspector.get_columns("signals")}
    upgrade(engine)
    engine.dispose()
