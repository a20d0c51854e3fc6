"""Audit events: one typed class per action, so that what is logged is checked, not free text.

Each event's fields are its ``details``; the actor, time and operation are recorded beside them.
Details never hold post text; reveal reasons and search terms are kept because the data-protection
officer must be able to judge them.
"""

from __future__ import annotations

from typing import ClassVar

import msgspec

__all__ = [
    "AccessRefused", "AuditEvent", "AuditExported", "IdentityRevealed", "IngestBound", "KeyRotated",
    "OperationApproved", "OperationClosed", "OperationCreated", "PostsExported", "PostsRead",
    "RetentionDeleted", "RoleChanged", "SearchRun", "SignInFailed", "SignedIn", "SignedOut",
    "SpecialCategoryApproved", "TransparencyPublished", "UserAdded", "UserDisabled", "event_types",
]


class AuditEvent(msgspec.Struct, frozen=True, kw_only=True):
    name: ClassVar[str]


class SignedIn(AuditEvent, frozen=True, kw_only=True):
    name = "signed_in"
    #: How the user proved who they are: ``password``, or ``link`` (a single-use sign-in link).
    via: str = "password"


class SignedOut(AuditEvent, frozen=True, kw_only=True):
    name = "signed_out"


class SignInFailed(AuditEvent, frozen=True, kw_only=True):
    name = "sign_in_failed"
    username: str


class UserAdded(AuditEvent, frozen=True, kw_only=True):
    name = "user_added"
    username: str
    role: str


class UserDisabled(AuditEvent, frozen=True, kw_only=True):
    name = "user_disabled"
    username: str


class RoleChanged(AuditEvent, frozen=True, kw_only=True):
    name = "role_changed"
    username: str
    old_role: str
    new_role: str


class OperationCreated(AuditEvent, frozen=True, kw_only=True):
    name = "operation_created"
    title: str
    legal_basis: str
    members: list[str]


class OperationApproved(AuditEvent, frozen=True, kw_only=True):
    name = "operation_approved"


class OperationClosed(AuditEvent, frozen=True, kw_only=True):
    name = "operation_closed"


class IngestBound(AuditEvent, frozen=True, kw_only=True):
    name = "ingest_bound"
    cursor_name: str


class PostsRead(AuditEvent, frozen=True, kw_only=True):
    name = "posts_read"
    count: int


class SearchRun(AuditEvent, frozen=True, kw_only=True):
    name = "search_run"
    query: str
    results: int


class PostsExported(AuditEvent, frozen=True, kw_only=True):
    name = "posts_exported"
    rows: int
    pseudonymised: bool


class IdentityRevealed(AuditEvent, frozen=True, kw_only=True):
    name = "identity_revealed"
    pseudonym: str
    reason: str


class SpecialCategoryApproved(AuditEvent, frozen=True, kw_only=True):
    name = "special_category_approved"
    kind: str
    subject: str
    categories: list[str]
    justification: str


class RetentionDeleted(AuditEvent, frozen=True, kw_only=True):
    name = "retention_deleted"
    posts: int
    raw_payloads: int
    identities: int
    quarantined: int
    #: Detector signals and snapshots (derived from the posts).
    derived: int = 0


class KeyRotated(AuditEvent, frozen=True, kw_only=True):
    name = "key_rotated"
    identities: int


class AuditExported(AuditEvent, frozen=True, kw_only=True):
    name = "audit_exported"
    start: str
    end: str
    entries: int


class TransparencyPublished(AuditEvent, frozen=True, kw_only=True):
    name = "transparency_published"
    period: str


class AccessRefused(AuditEvent, frozen=True, kw_only=True):
    name = "access_refused"
    action: str
    reason: str


__all__ += ["RuleCreated", "RuleDisabled"]


class RuleCreated(AuditEvent, frozen=True, kw_only=True):
    name = "rule_created"
    rule_id: str
    title: str
    kind: str
    query: str
    geofence: bool
    channels: list[str]


class RuleDisabled(AuditEvent, frozen=True, kw_only=True):
    name = "rule_disabled"
    rule_id: str


__all__ += ["DataViewed"]


class DataViewed(AuditEvent, frozen=True, kw_only=True):
    """Personal data shown on the dashboard: one entry per session, endpoint and operation per
    ``every_minutes`` (not one per request or per live update)."""

    name = "data_viewed"
    endpoint: str
    session: str
    every_minutes: float


def event_types() -> dict[str, type[AuditEvent]]:
    return {cls.name: cls for cls in AuditEvent.__subclasses__()}
