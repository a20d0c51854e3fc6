"""Roles, actions and the one permission matrix that every way in (CLI, web API) asks.

Separation of duties is the point: the administrator manages accounts but reads no personal data;
the data-protection officer reads the audit log but no posts; only an investigator may reveal who is
behind a pseudonym; only a supervisor approves operations and special-category monitoring.
``docs/governance.md`` shows this matrix as a table, and a test keeps the two identical.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["MATRIX", "OPERATION_SCOPED", "Action", "Role", "allowed", "roles_allowed"]


class Role(StrEnum):
    ANALYST = "analyst"
    SUPERVISOR = "supervisor"
    COMMUNICATIONS = "communications"
    INVESTIGATOR = "investigator"
    DPO = "dpo"
    ADMINISTRATOR = "administrator"


class Action(StrEnum):
    READ_POSTS = "read posts"
    SEARCH = "search"
    MONITOR = "monitor"
    EXPORT = "export"
    REVEAL_IDENTITY = "reveal identity"
    MANAGE_RULES = "manage rules"
    CREATE_OPERATION = "create operation"
    APPROVE_OPERATION = "approve operation"
    CLOSE_OPERATION = "close operation"
    APPROVE_SPECIAL_CATEGORY = "approve special category"
    MANAGE_USERS = "manage users"
    READ_AUDIT = "read audit"
    RUN_RETENTION = "run retention"
    ROTATE_KEYS = "rotate keys"
    PUBLISH_TRANSPARENCY = "publish transparency"
    DRAFT_DPIA = "draft dpia"


#: Actions on personal data: they need an active, approved operation the actor is a member of.
OPERATION_SCOPED = frozenset({Action.READ_POSTS, Action.SEARCH, Action.MONITOR, Action.EXPORT,
                              Action.REVEAL_IDENTITY, Action.MANAGE_RULES})

_A = Action
MATRIX: dict[Role, frozenset[Action]] = {
    Role.ANALYST: frozenset({_A.READ_POSTS, _A.SEARCH, _A.MONITOR, _A.MANAGE_RULES, _A.CREATE_OPERATION}),
    Role.SUPERVISOR: frozenset({_A.READ_POSTS, _A.SEARCH, _A.MONITOR, _A.EXPORT, _A.MANAGE_RULES,
                                _A.CREATE_OPERATION, _A.APPROVE_OPERATION, _A.CLOSE_OPERATION,
                                _A.APPROVE_SPECIAL_CATEGORY}),
    Role.COMMUNICATIONS: frozenset({_A.READ_POSTS, _A.SEARCH, _A.PUBLISH_TRANSPARENCY}),
    Role.INVESTIGATOR: frozenset({_A.READ_POSTS, _A.SEARCH, _A.MONITOR, _A.EXPORT, _A.REVEAL_IDENTITY,
                                  _A.MANAGE_RULES, _A.CREATE_OPERATION}),
    Role.DPO: frozenset({_A.READ_AUDIT, _A.RUN_RETENTION, _A.PUBLISH_TRANSPARENCY, _A.DRAFT_DPIA}),
    Role.ADMINISTRATOR: frozenset({_A.MANAGE_USERS, _A.RUN_RETENTION, _A.ROTATE_KEYS, _A.DRAFT_DPIA}),
}


def allowed(role: Role, action: Action) -> bool:
    return action in MATRIX[role]


def roles_allowed(action: Action) -> list[Role]:
    return [role for role in Role if action in MATRIX[role]]
