"""The sign-in page (form POST), single-use sign-in links, sign-out and the operation switch.

Every refusal of a sign-in reads the same whatever was wrong (no such account, wrong password,
disabled), and waits grow per account name and per address after repeated failures (``throttle``).
"""

from __future__ import annotations

import contextlib
import math
import re
import secrets

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from civicpulse import __version__
from civicpulse.errors import AccessDenied, UsageError
from civicpulse.governance.context import Actor
from civicpulse.governance.operations import require
from civicpulse.governance.roles import Action
from civicpulse.governance.sessions import login, logout, open_session
from civicpulse.web.auth import (
    MAX_FORM_BYTES,
    OPERATION_COOKIE,
    SESSION_COOKIE,
    SIGNIN_COOKIE,
    SignInRequired,
    WebAuth,
    cookie_options,
    parse_form,
)

__all__ = ["signin_routes"]

_BINDING = re.compile(r"[0-9a-f]{32}")
_WRONG = "Wrong username or password, or the account is disabled."
_EXPIRED_FORM = "This form has expired or was sent from another site. Please sign in again on this page."


async def _form(request: Request) -> dict[str, str] | None:
    """The posted urlencoded form, read up to a small bound; ``None`` if too big or not a form."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    return parse_form(body, request.headers.get("content-type", ""))


def signin_routes(auth: WebAuth, templates: Jinja2Templates) -> APIRouter:
    router = APIRouter()
    gov = auth.gov

    def secure(request: Request) -> bool:
        return request.url.scheme == "https"

    def signed_in(response: Response, request: Request, token: str) -> Response:
        response.set_cookie(SESSION_COOKIE, token,
                            **cookie_options(secure(request), int(gov.session_ttl.total_seconds())))
        response.delete_cookie(SIGNIN_COOKIE, **cookie_options(secure(request)))
        return response

    def csrf_ok(request: Request, binding: str | None, given: str | None) -> bool:
        return auth.csrf_ok(binding, given, request.headers.get("origin"), request.headers.get("host"))

    async def page(request: Request, error: str | None = None, status: int = 200,
                   headers: dict[str, str] | None = None) -> Response:
        """The sign-in form, bound to a random value in its own cookie (CSRF before there is a session)."""
        binding = request.cookies.get(SIGNIN_COOKIE, "")
        if not _BINDING.fullmatch(binding):
            binding = secrets.token_hex(16)
        has_users = await run_in_threadpool(auth.has_users)
        response = templates.TemplateResponse(request, "login.html", {
            "csrf": auth.csrf_token(f"signin:{binding}"), "error": error, "no_users": not has_users,
            "version": __version__}, status_code=status, headers=headers)
        response.set_cookie(SIGNIN_COOKIE, binding, **cookie_options(secure(request), 3600))
        return response

    @router.get("/login")
    async def sign_in_page(request: Request) -> Response:
        try:
            await run_in_threadpool(auth.signed_in, dict(request.cookies))
        except SignInRequired:
            return await page(request)
        return RedirectResponse("/", status_code=303)

    @router.post("/login")
    async def sign_in(request: Request) -> Response:
        form = await _form(request)
        if form is None:
            return await page(request, "The form could not be read. Please try again.", 400)
        binding = request.cookies.get(SIGNIN_COOKIE)
        if not csrf_ok(request, f"signin:{binding}" if binding else None, form.get("csrf")):
            return await page(request, _EXPIRED_FORM, 403)
        username, password = form.get("username", "").strip()[:64], form.get("password", "")[:1024]
        address = request.client.host if request.client else "unknown"
        wait = auth.throttle.wait(username, address, gov.now())
        if wait > 0:
            seconds = math.ceil(wait)
            return await page(request, f"Too many failed sign-ins. Wait {seconds} seconds, then try again.", 429,
                              {"Retry-After": str(seconds)})
        try:
            token = await run_in_threadpool(login, gov, username, password)
        except AccessDenied:
            auth.throttle.failed(username, address, gov.now())
            return await page(request, _WRONG, 401)
        auth.throttle.succeeded(username)
        return signed_in(RedirectResponse("/", status_code=303), request, token)

    @router.get("/login/link")
    async def sign_in_link(request: Request, token: str = Query("", max_length=256)) -> Response:
        username = auth.links.redeem(token, gov.now())
        if username is not None:
            try:
                session = await run_in_threadpool(open_session, gov, username, "link")
            except AccessDenied:
                username = None
        if username is None:
            return await page(request, "This sign-in link was already used or has expired. Sign in with "
                                       "your username and password, or run the demo again for a new link.", 401)
        return signed_in(RedirectResponse("/", status_code=303), request, session)

    @router.post("/logout")
    async def sign_out(request: Request) -> Response:
        form = await _form(request) or {}
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            if not csrf_ok(request, auth.session_binding(token), form.get("csrf")):
                raise AccessDenied("this sign-out form has expired or was sent from another site",
                                   fix="reload the dashboard and sign out from there")
            with contextlib.suppress(AccessDenied):  # already expired or ended: the cookie goes anyway
                await run_in_threadpool(logout, gov, token)
        response = RedirectResponse("/login", status_code=303)
        for name in (SESSION_COOKIE, OPERATION_COOKIE):
            response.delete_cookie(name, **cookie_options(secure(request)))
        return response

    @router.post("/operation")
    async def choose_operation(request: Request) -> Response:
        actor, token = await run_in_threadpool(auth.signed_in, dict(request.cookies))
        form = await _form(request) or {}
        if not csrf_ok(request, auth.session_binding(token), form.get("csrf")):
            raise AccessDenied("this form has expired or was sent from another site",
                               fix="reload the dashboard and choose the operation again")
        wanted = form.get("operation", "")[:32]
        mine = await run_in_threadpool(auth.active_operations, actor)
        if wanted not in {op.id for op in mine}:
            # The same check as everywhere, for its audit entry (e.g. another team's operation).
            await run_in_threadpool(log_refusal, wanted, actor)
            raise AccessDenied(f"{actor.username} cannot work in operation {wanted!r} now",
                               fix="choose one of the active operations you are a member of")
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(OPERATION_COOKIE, wanted,
                            **cookie_options(secure(request), int(gov.session_ttl.total_seconds())))
        return response

    def log_refusal(operation_id: str, actor: Actor) -> None:
        with contextlib.suppress(AccessDenied, UsageError):  # UsageError: no such operation
            require(gov, actor, Action.READ_POSTS, operation_id)

    return router
