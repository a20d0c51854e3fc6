"""The dashboard: one FastAPI app serving a live page, a small JSON API and server-sent events.

Post text is attacker-controlled. The page template auto-escapes, the browser code inserts text
with ``textContent`` only, and a strict Content-Security-Policy forbids inline scripts, so a post
that contains markup is shown as the characters it is.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from civicpulse import __version__
from civicpulse.detectors.base import Signal
from civicpulse.detectors.storage import current_signals
from civicpulse.pipeline.runner import PipelineStats
from civicpulse.post import Post
from civicpulse.store.queries import Reader
from civicpulse.web.alerts import alert_routes, latest_alerts

__all__ = ["create_app", "post_view", "signal_view"]

_HERE = Path(__file__).parent
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")

StatusProvider = Callable[[], PipelineStats | None]


def post_view(post: Post) -> dict[str, Any]:
    """What the dashboard shows of a post: pseudonymised author, no raw payload."""
    return {
        "id": post.id,
        "created_at": post.created_at.isoformat(),
        "author": post.author.id,
        "official": bool(post.author.official),
        "text": post.text,
        "language": post.language,
        "hashtags": list(post.hashtags),
        "place": post.geo.place_name if post.geo else None,
    }


def signal_view(signal: Signal) -> dict[str, Any]:
    """An event or rumour as the dashboard lists it: its title and numbers, never post text beyond the
    title (which quotes posts and is attacker-controlled: shown as text only)."""
    details = signal.details
    accounts = details.get("accounts")
    return {
        "kind": signal.kind,
        "key": signal.key,
        "status": str(details.get("status", "for review" if signal.kind == "coordination" else "")),
        "title": str(details.get("title") or details.get("example") or signal.summary)[:200],
        "first_seen": details.get("first_seen") or signal.at.isoformat(),
        "at": signal.at.isoformat(),
        "posts": details.get("posts"),
        # Coordination flags list the accounts (pseudonyms); the dashboard shows only how many.
        "accounts": accounts if isinstance(accounts, int) else details.get("account_count"),
    }


def _utc_label(iso: str | None) -> str:
    """The same short form the browser code shows: ``2026-08-07 21:59:59 UTC``."""
    return f"{iso[:19].replace('T', ' ')} UTC" if iso and len(iso) >= 19 else "—"


def _pipeline_view(stats: PipelineStats | None) -> dict[str, Any] | None:
    if stats is None:
        return None
    return {
        "running": not stats.done,
        "read": stats.read,
        "stored": stats.stored,
        "quarantined": stats.quarantined,
        "duplicates": stats.duplicates,
        "posts_per_s": round(stats.posts_per_s),
        "stream_time": stats.stream_time.isoformat() if stats.stream_time else None,
    }


class _Snapshot:
    """Summary and latest posts, cached for a second so many viewers cost one query set."""

    def __init__(self, engine: Engine, status: StatusProvider | None, ttl_s: float = 1.0) -> None:
        self.engine = engine
        self.reader = Reader(engine)
        self.status = status
        self.ttl_s = ttl_s
        self._value: dict[str, Any] | None = None
        self._at = 0.0

    def get(self) -> dict[str, Any]:
        now = time.monotonic()
        if self._value is None or now - self._at >= self.ttl_s:
            self._value = self._build()
            self._at = now
        return self._value

    def _build(self) -> dict[str, Any]:
        counts = self.reader.counts()
        latest: datetime | None = counts.latest_post_at
        return {
            "posts": counts.posts,
            "authors": counts.authors,
            "quarantined": counts.quarantined,
            "latest_post_at": latest.isoformat() if latest else None,
            "pipeline": _pipeline_view(self.status() if self.status else None),
            "latest": [post_view(p) for p in self.reader.latest(15)],
            "signals": [signal_view(s) for s in current_signals(self.engine, ("event", "rumour", "coordination"))],
            "alerts": latest_alerts(self.engine, 5),
        }


def create_app(engine: Engine, status: StatusProvider | None = None, *, tick_s: float = 1.0,
               max_stream_s: float = 3600.0) -> FastAPI:
    """The dashboard app for ``engine``; ``status`` reports a pipeline running in this process."""
    app = FastAPI(title="civicpulse", version=__version__, docs_url="/api/docs", redoc_url=None)
    templates = Jinja2Templates(directory=str(_HERE / "templates"))
    templates.env.filters["utc"] = _utc_label
    snapshot = _Snapshot(engine, status)
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = _CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.get("/", response_class=HTMLResponse)
    async def dashboard(request: Request) -> Response:
        data = await run_in_threadpool(snapshot.get)
        return templates.TemplateResponse(request, "dashboard.html", {"data": data, "version": __version__})

    @app.get("/api/summary")
    async def summary() -> JSONResponse:
        return JSONResponse(await run_in_threadpool(snapshot.get))

    @app.get("/api/posts/latest")
    async def latest(limit: int = Query(20, ge=1, le=200)) -> JSONResponse:
        posts = await run_in_threadpool(snapshot.reader.latest, limit)
        return JSONResponse([post_view(p) for p in posts])

    @app.get("/api/events")
    async def events(request: Request) -> StreamingResponse:
        async def stream() -> AsyncIterator[str]:
            # Bounded: a forgotten browser tab does not hold a connection forever; EventSource
            # reconnects by itself.
            deadline = time.monotonic() + max_stream_s
            yield "retry: 2000\n\n"
            while time.monotonic() < deadline and not await request.is_disconnected():
                data = await run_in_threadpool(snapshot.get)
                yield f"event: update\ndata: {json.dumps(data)}\n\n"
                await asyncio.sleep(tick_s)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    app.include_router(alert_routes(engine, tick_s=tick_s, max_stream_s=max_stream_s))

    @app.get("/healthz")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
