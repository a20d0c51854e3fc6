"""The dashboard: one FastAPI app serving a live page, a small JSON API and server-sent events.

Everything that shows personal data needs a signed-in user whose role allows it, inside an active
operation they are a member of (``auth``); what they see is that operation's data only (``data``),
and the read is in the audit log (``access_log``).

Post text is attacker-controlled. The page template auto-escapes, the browser code inserts text
with ``textContent`` only, and a strict Content-Security-Policy forbids inline scripts, so a post
that contains markup is shown as the characters it is.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from civicpulse import __version__
from civicpulse.detectors.area import AreaMap
from civicpulse.errors import AccessDenied
from civicpulse.governance.context import Governance
from civicpulse.governance.redaction import redactor_for
from civicpulse.governance.roles import Action
from civicpulse.web.alerts import ViewerCheck, alert_routes
from civicpulse.web.auth import SESSION_COOKIE, SignInRequired, Viewer, WebAuth, cookie_options
from civicpulse.web.data import Snapshots, StatusProvider, latest_posts
from civicpulse.web.signin import signin_routes
from civicpulse.web.throttle import SignInThrottle
from civicpulse.web.views import post_view

__all__ = ["create_app"]

_HERE = Path(__file__).parent
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")
_NO_STORE = {"Cache-Control": "no-store"}


def _utc_label(iso: str | None) -> str:
    """The same short form the browser code shows: ``2026-08-07 21:59:59 UTC``."""
    return f"{iso[:19].replace('T', ' ')} UTC" if iso and len(iso) >= 19 else "—"


def _is_page(request: Request) -> bool:
    """A browser navigation (answered with HTML and redirects), not an API or stream request."""
    return not request.url.path.startswith("/api/")


def create_app(gov: Governance, status: StatusProvider | None = None, *, tick_s: float = 1.0,
               max_stream_s: float = 3600.0, audit_every: timedelta = timedelta(minutes=10),
               recheck_s: float = 15.0, throttle: SignInThrottle | None = None,
               area: AreaMap | None = None) -> FastAPI:
    """The dashboard app over ``gov``'s database; ``status`` reports a pipeline running in this process.

    ``area``: the districts of the operation's area (the ``area_file`` setting), drawn on the event map
    and naming where each event is.

    ``audit_every``: one audit entry per session, endpoint and operation per this interval.
    ``recheck_s``: a live stream re-checks the session and permission this often and ends when refused.
    """
    app = FastAPI(title="civicpulse", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=str(_HERE / "templates"))
    templates.env.filters["utc"] = _utc_label
    auth = WebAuth(gov, audit_every, throttle)
    app.state.auth = auth  # the demo issues its single-use sign-in link through it
    redactor = redactor_for(gov.data_dir)
    snapshots = Snapshots(gov.engine, status, redactor, area=area)
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = _CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if request.url.scheme == "https":
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, exc: SignInRequired) -> Response:
        response: Response
        if _is_page(request):
            response = RedirectResponse("/login", status_code=303)
        else:
            response = JSONResponse({"error": exc.message, "fix": "sign in at /login"}, status_code=401)
        if SESSION_COOKIE in request.cookies:
            response.delete_cookie(SESSION_COOKIE, **cookie_options(request.url.scheme == "https"))
        return response

    @app.exception_handler(AccessDenied)
    async def access_denied(request: Request, exc: AccessDenied) -> Response:
        if _is_page(request):
            token = request.cookies.get(SESSION_COOKIE, "")
            csrf = auth.csrf_token(auth.session_binding(token)) if token else ""
            return templates.TemplateResponse(request, "refused.html", {
                "message": exc.message, "fix": exc.fix, "csrf": csrf, "version": __version__}, status_code=403)
        return JSONResponse({"error": exc.message, "fix": exc.fix}, status_code=403)

    def needs(action: Action) -> ViewerCheck:
        async def check(request: Request) -> Viewer:
            return await run_in_threadpool(auth.viewer, dict(request.cookies), request.url.path, action)
        return check

    read_posts = needs(Action.READ_POSTS)
    monitor = needs(Action.MONITOR)
    # FastAPI reads these signatures at run time; a local name inside Annotated[] would not resolve.
    reader = Depends(read_posts)

    def snapshot(viewer: Viewer) -> dict[str, object]:
        return snapshots.get(viewer.operation, viewer.may(Action.MONITOR))

    @app.get("/", response_class=HTMLResponse)
    async def dashboard(request: Request, viewer: Viewer = reader) -> Response:
        data = await run_in_threadpool(snapshot, viewer)
        return templates.TemplateResponse(request, "dashboard.html",
                                          {"data": data, "viewer": viewer, "version": __version__})

    @app.get("/api/summary")
    async def summary(viewer: Viewer = reader) -> JSONResponse:
        return JSONResponse(await run_in_threadpool(snapshot, viewer), headers=_NO_STORE)

    @app.get("/api/posts/latest")
    async def latest(limit: int = Query(20, ge=1, le=200), viewer: Viewer = reader) -> JSONResponse:
        found = await run_in_threadpool(latest_posts, gov.engine, viewer.operation, limit)
        return JSONResponse([post_view(p, redactor, area) for p in found], headers=_NO_STORE)

    @app.get("/api/events")
    async def events(request: Request, viewer: Viewer = reader) -> StreamingResponse:
        async def stream() -> AsyncIterator[str]:
            # Bounded: a forgotten browser tab does not hold a connection forever; EventSource
            # reconnects by itself (and is then checked afresh).
            current = viewer
            deadline = time.monotonic() + max_stream_s
            checked = time.monotonic()
            yield "retry: 2000\n\n"
            # The first update goes out at once, however slow the start: a client always gets the
            # current state before the stream can end.
            first = True
            while first or (time.monotonic() < deadline and not await request.is_disconnected()):
                first = False
                if time.monotonic() - checked >= recheck_s:
                    # Signed out, session expired, role changed or operation ended: stop sending.
                    try:
                        current = await read_posts(request)
                    except (SignInRequired, AccessDenied):
                        return
                    checked = time.monotonic()
                data = await run_in_threadpool(snapshot, current)
                yield f"event: update\ndata: {json.dumps(data)}\n\n"
                await asyncio.sleep(tick_s)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    app.include_router(alert_routes(gov.engine, monitor, tick_s=tick_s, max_stream_s=max_stream_s,
                                    recheck_s=recheck_s))
    app.include_router(signin_routes(auth, templates))

    @app.get("/healthz")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
