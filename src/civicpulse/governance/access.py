"""``authorise``: the one permission check that the CLI and the web API call before every act.

It is a pure function of who acts, what they want to do, the operation they name and the time, so
it is the same everywhere and testable without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from civicpulse.errors import AccessDenied
from civicpulse.governance.context import Actor
from civicpulse.governance.roles import OPERATION_SCOPED, Action, Role, allowed, roles_allowed

__all__ = ["OperationView", "authorise"]


@dataclass(frozen=True, slots=True)
class OperationView:
    """What authorisation needs to know about an operation."""

    id: str
    name: str
    approved: bool
    starts_at: datetime
    ends_at: datetime
    closed: bool
    members: frozenset[str]

    def active_at(self, now: datetime) -> bool:
        return self.approved and not self.closed and self.starts_at <= now < self.ends_at


def authorise(actor: Actor, action: Action, operation: OperationView | None = None,
              now: datetime | None = None) -> None:
    """Raise :class:`AccessDenied` (saying the fix) unless ``actor`` may do ``action`` now."""
    try:
        role = Role(actor.role)
    except ValueError:
        raise AccessDenied(f"{actor.username} has no valid role", fix="ask an administrator to set one") from None
    if not allowed(role, action):
        who = ", ".join(r.value for r in roles_allowed(action)) or "nobody"
        article = "an" if role.value[0] in "aeiou" else "a"
        raise AccessDenied(f"{article} {role.value} may not {action.value}",
                           fix=f"ask a user with one of these roles: {who}")
    if action not in OPERATION_SCOPED:
        return
    if operation is None:
        raise AccessDenied(f"'{action.value}' must happen inside an operation with a purpose and a legal basis",
                           fix="name an active operation with --operation (see 'civicpulse operation list')")
    if actor.username not in operation.members:
        raise AccessDenied(f"{actor.username} is not a member of operation {operation.id}",
                           fix="work in your own operations, or ask its supervisor to add you")
    if not operation.approved:
        raise AccessDenied(f"operation {operation.id} ({operation.name}) is not approved yet",
                           fix=f"ask a supervisor to run 'civicpulse operation approve {operation.id}'")
    if operation.closed:
        raise AccessDenied(f"operation {operation.id} ({operation.name}) is closed",
                           fix="create a new operation for new work")
    if now is not None and not operation.active_at(now):
        state = "has not started" if now < operation.starts_at else "has expired"
        raise AccessDenied(
            f"operation {operation.id} ({operation.name}) {state} "
            f"(runs {operation.starts_at:%Y-%m-%d %H:%M} to {operation.ends_at:%Y-%m-%d %H:%M} UTC)",
            fix="create and get approval for a new operation to continue")
