"""Which stored records belong to an operation: those its ingests collected (purpose binding).

The store writer links each post (``post_operations``) and quarantined record
(``quarantine_operations``) to the operation it was collected for, in the same transaction as the
record; detector signals carry the operation's id. A record collected by two operations belongs to
both, so two operations ingesting at the same time never see each other's records.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from civicpulse.store.schema import post_operations, posts, quarantine, quarantine_operations, signals

__all__ = ["post_collected_by", "quarantine_collected_by", "signal_raised_for"]


def post_collected_by(operation_id: str) -> ColumnElement[bool]:
    """SQL: the post (``posts`` row) was collected by the operation."""
    return posts.c.id.in_(select(post_operations.c.post_id).where(post_operations.c.operation_id == operation_id))


def quarantine_collected_by(operation_id: str) -> ColumnElement[bool]:
    """SQL: the quarantined record was received by an ingest of the operation."""
    return quarantine.c.fingerprint.in_(select(quarantine_operations.c.fingerprint)
                                        .where(quarantine_operations.c.operation_id == operation_id))


def signal_raised_for(operation_id: str) -> ColumnElement[bool]:
    """SQL: the detector signal was raised by an ingest of the operation."""
    return signals.c.operation_id == operation_id
