"""Which stored records belong to an operation: those ingested while a stream was bound to it.

A binding (``operation_ingests``) covers ``started_at``..``ended_at``; a run that never finished
(crashed, still going) is covered until the operation ended, which is when monitoring had to stop.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Connection, and_, false, or_, select

from civicpulse.governance.clock import as_utc
from civicpulse.store.schema import operation_ingests

__all__ = ["Window", "covered", "windows"]

Window = tuple[datetime, datetime]


def windows(connection: Connection, operation_id: str, operation_end: datetime) -> list[Window]:
    rows = connection.execute(select(operation_ingests.c.started_at, operation_ingests.c.ended_at)
                              .where(operation_ingests.c.operation_id == operation_id)).all()
    return [(as_utc(r.started_at), as_utc(r.ended_at) if r.ended_at is not None else operation_end) for r in rows]


def covered(column: ColumnElement[datetime], spans: list[Window]) -> ColumnElement[bool]:
    """SQL: ``column`` falls in any of ``spans``."""
    if not spans:
        return false()
    return or_(*(and_(column >= start, column <= end) for start, end in spans))
