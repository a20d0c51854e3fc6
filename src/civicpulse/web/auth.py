"""Who is looking, and under which operation: sign-in, sign-out and the check every data endpoint makes.

- The session is the governance session token (``governance.sessions``: signed, expiring, revocable)
  in an HttpOnly, SameSite=Strict cookie, marked Secure when the page is served over https.
- Every form is CSRF-protected: the token is an HMAC (with the deployment's ``session.key``) of the
  session, or, before sign-in, of a random value in a cookie of its own; an ``Origin`` header from
  another site is refused too.
- :meth:`WebAuth.viewer` resolves the user from the session, finds the operation they work in (one
  they are a member of that is active now; the one they chose if they are on several), checks the
  permission with ``access.authorise`` and logs the read (aggregated, see ``access_log``). Refusals
  are logged through ``operations.require``, aggregated the same way.
- Sign-in failures back off per account name and per client address (``throttle``), and every
  failure reads the same, so the form tells no one which account names exist.
- ``civicpulse demo`` signs its user in with a single-use, short-lived link (:class:`SignInLinks`).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property, partial
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from civicpulse.errors import AccessDenied
from civicpulse.governance.access import authorise
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.events import AccessRefused
from civicpulse.governance.keys import read_or_create_secret
from civicpulse.governance.operations import Operation, get_operation, require
from civicpulse.governance.roles import Action, Role, allowed
from civicpulse.governance.sessions import authenticate, session_id
from civicpulse.store.schema import operation_members, users
from civicpulse.web.access_log import AccessLog
from civicpulse.web.throttle import SignInThrottle

__all__ = ["OPERATION_COOKIE", "SESSION_COOKIE", "SIGNIN_COOKIE", "SignInLinks", "SignInRequired", "Viewer",
           "WebAuth", "parse_form"]

SESSION_COOKIE = "civicpulse_session"
SIGNIN_COOKIE = "civicpulse_signin"
OPERATION_COOKIE = "civicpulse_operation"
MAX_FORM_BYTES = 4096
_MAX_TOKEN = 1024


class SignInRequired(Exception):
    """No valid session: 401 for the API, a redirect to the sign-in page for the page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Viewer:
    """A request that may read personal data: who, under which operation, in which session."""

    actor: Actor
    operation: Operation
    #: The operations the user may switch to (active, and they are a member).
    operations: tuple[Operation, ...]
    session: str
    csrf: str

    def may(self, action: Action) -> bool:
        try:
            authorise(self.actor, action, self.operation.view)
        except AccessDenied:
            return False
        return True


class SignInLinks:
    """Single-use, short-lived sign-in links, kept in memory (only their hashes)."""

    def __init__(self, ttl: timedelta = timedelta(minutes=10)) -> None:
        self.ttl = ttl
        self._links: dict[str, tuple[str, datetime]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def issue(self, username: str, now: datetime) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._links = {k: v for k, v in self._links.items() if v[1] > now}
            self._links[self._digest(token)] = (username, now + self.ttl)
        return token

    def redeem(self, token: str, now: datetime) -> str | None:
        """The user the link was for, once; ``None`` when unknown, used or expired."""
        with self._lock:
            found = self._links.pop(self._digest(token[:_MAX_TOKEN]), None)
        if found is None or now >= found[1]:
            return None
        return found[0]


def parse_form(body: bytes, content_type: str) -> dict[str, str] | None:
    """A small urlencoded form's fields (first value each); ``None`` if it is not one."""
    if len(body) > MAX_FORM_BYTES or content_type.split(";")[0].strip() != "application/x-www-form-urlencoded":
        return None
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=10, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        return None
    return {name: values[0] for name, values in fields.items()}


class WebAuth:
    def __init__(self, gov: Governance, audit_every: timedelta, throttle: SignInThrottle | None = None) -> None:
        self.gov = gov
        self.access_log = AccessLog(gov, audit_every)
        self.throttle = throttle or SignInThrottle()
        self.links = SignInLinks()

    @cached_property
    def _key(self) -> bytes:
        return read_or_create_secret(self.gov.data_dir, "session.key")

    def csrf_token(self, binding: str) -> str:
        return hmac.new(self._key, f"csrf:{binding}".encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, binding: str | None, given: str | None, origin: str | None, host: str | None) -> bool:
        """The form came from this site: its token matches the binding and no foreign Origin sent it."""
        if origin is not None and origin != "null" and urlsplit(origin).netloc != (host or ""):
            return False
        if not binding or not given:
            return False
        return hmac.compare_digest(self.csrf_token(binding), given)

    def session_binding(self, token: str) -> str:
        return "session:" + session_id(token)

    def has_users(self) -> bool:
        with self.gov.engine.connect() as connection:
            return bool(connection.execute(select(func.count()).select_from(users)).scalar_one())

    def signed_in(self, cookies: dict[str, str]) -> tuple[Actor, str]:
        """The actor and token behind the session cookie; :class:`SignInRequired` otherwise."""
        token = cookies.get(SESSION_COOKIE)
        if not token:
            raise SignInRequired("you are not signed in")
        if len(token) > _MAX_TOKEN:
            raise SignInRequired("the session cookie is malformed")
        try:
            return authenticate(self.gov, token), token
        except AccessDenied as refusal:
            raise SignInRequired(refusal.message) from None

    def active_operations(self, actor: Actor) -> list[Operation]:
        """The operations ``actor`` is a member of that are active now, the most recently started first."""
        with self.gov.engine.connect() as connection:
            ids = list(connection.execute(select(operation_members.c.operation_id)
                                          .where(operation_members.c.username == actor.username)).scalars())
        now = self.gov.now()
        mine = [op for op in map(partial(get_operation, self.gov), ids) if op.view.active_at(now)]
        return sorted(mine, key=lambda op: op.starts_at, reverse=True)

    def viewer(self, cookies: dict[str, str], endpoint: str, action: Action) -> Viewer:
        """Authorise ``action`` at ``endpoint`` for the signed-in user inside their operation, and log it."""
        actor, token = self.signed_in(cookies)
        session = session_id(token)
        operations = self.active_operations(actor)
        chosen = cookies.get(OPERATION_COOKIE)
        operation = next((op for op in operations if op.id == chosen), operations[0] if operations else None)
        try:
            if operation is None and _role_allows(actor, action):
                raise AccessDenied(f"{actor.username} is not a member of any active operation, and "
                                   f"'{action.value}' happens only inside one (purpose binding)",
                                   fix="ask a colleague to create an operation with you as --member and a "
                                       "supervisor to approve it (see docs/governance.md)")
            authorise(actor, action, None if operation is None else operation.view, self.gov.now())
        except AccessDenied as refusal:
            self._refused(actor, action, operation, session, endpoint, refusal)
            raise
        assert operation is not None  # authorise refuses scoped actions without one
        self.access_log.viewed(actor, session, endpoint, operation.id)
        return Viewer(actor, operation, tuple(operations), session, self.csrf_token(self.session_binding(token)))

    def _refused(self, actor: Actor, action: Action, operation: Operation | None, session: str, endpoint: str,
                 refusal: AccessDenied) -> None:
        """Log the refusal once per session and endpoint per interval."""
        if not self.access_log.due(("refused", session, endpoint), self.gov.now()):
            return
        if operation is None:
            self.gov.log_alone(AccessRefused(action=action.value, reason=refusal.message), actor.username)
            return
        with contextlib.suppress(AccessDenied):
            require(self.gov, actor, action, operation.id)  # the same check; it logs the refusal


def _role_allows(actor: Actor, action: Action) -> bool:
    try:
        return allowed(Role(actor.role), action)
    except ValueError:
        return False


def cookie_options(secure: bool, max_age: int | None = None) -> dict[str, Any]:
    """HttpOnly (no script reads it), SameSite=Strict (no other site's request carries it)."""
    options: dict[str, Any] = {"httponly": True, "samesite": "strict", "secure": secure, "path": "/"}
    if max_age is not None:
        options["max_age"] = max_age
    return options
