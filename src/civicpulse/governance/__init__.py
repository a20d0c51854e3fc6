"""Governance: roles and permissions, accounts and sessions, operations (purpose binding), the
tamper-evident audit log, reveals, retention, the special-category guard and the public reports.

The CLI and the web API call :func:`authorise` (through ``operations.require`` for acts inside an
operation) before every act; see ``docs/governance.md``.
"""

from civicpulse.errors import AccessDenied
from civicpulse.governance.access import OperationView, authorise
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.roles import MATRIX, Action, Role
from civicpulse.governance.special import Finding, check_terms, require_approval

__all__ = ["MATRIX", "AccessDenied", "Action", "Actor", "Finding", "Governance", "OperationView", "Role",
           "authorise", "check_terms", "require_approval"]
