"""Alerts on the dashboard: the latest alerts of the viewer's operation as JSON and a live stream.

Each alert is sent once per connection as ``event: alert`` with ``id:`` set to the alert's row id;
a browser that reconnects sends ``Last-Event-ID`` and receives only what it missed. The payload is
the stored alert (rule, operation, post ids, numbers), never post text (the dashboard's summary adds the
post's redacted text for its own viewers, who may read posts). Reading alerts is
monitoring, so it needs the ``monitor`` permission inside the operation the alerts were raised for.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy import Engine, select
from starlette.concurrency import run_in_threadpool

from civicpulse.errors import AccessDenied
from civicpulse.governance.clock import as_utc
from civicpulse.store.schema import alerts
from civicpulse.web.auth import SignInRequired, Viewer

__all__ = ["alert_routes", "latest_alerts"]

_BATCH = 100

#: Resolves (and re-checks, during a stream) the viewer of a request; raises when refused.
ViewerCheck = Callable[[Request], Awaitable[Viewer]]


def _view(row: Any) -> dict[str, Any]:
    return {"id": row.id, "at": as_utc(row.at).isoformat(), "rule_id": row.rule_id,
            "operation_id": row.operation_id, "summary": row.summary, "details": json.loads(row.payload)}


def latest_alerts(engine: Engine, limit: int, operation_id: str | None = None) -> list[dict[str, Any]]:
    """The newest alerts first; only those raised for ``operation_id`` when given."""
    query = select(alerts)
    if operation_id is not None:
        query = query.where(alerts.c.operation_id == operation_id)
    with engine.connect() as connection:
        rows = connection.execute(query.order_by(alerts.c.id.desc()).limit(limit)).all()
    return [_view(r) for r in rows]


def alert_routes(engine: Engine, monitor: ViewerCheck, *, tick_s: float = 1.0, max_stream_s: float = 3600.0,
                 recheck_s: float = 15.0) -> APIRouter:
    router = APIRouter()

    def after(operation_id: str, last_id: int, limit: int) -> list[dict[str, Any]]:
        with engine.connect() as connection:
            rows = connection.execute(select(alerts).where(alerts.c.id > last_id)
                                      .where(alerts.c.operation_id == operation_id)
                                      .order_by(alerts.c.id).limit(limit)).all()
        return [_view(r) for r in rows]

    @router.get("/api/alerts/latest")
    async def newest_alerts(limit: int = Query(20, ge=1, le=200),
                            viewer: Viewer = Depends(monitor)) -> JSONResponse:  # noqa: B008
        return JSONResponse(await run_in_threadpool(latest_alerts, engine, limit, viewer.operation.id),
                            headers={"Cache-Control": "no-store"})

    @router.get("/api/alerts/stream")
    async def stream_alerts(request: Request, last_event_id: str | None = Header(None),
                            viewer: Viewer = Depends(monitor)) -> StreamingResponse:  # noqa: B008
        try:
            start = max(0, int(last_event_id or 0))
        except ValueError:
            start = 0
        operation_id = viewer.operation.id

        async def stream() -> AsyncIterator[str]:
            cursor = start
            if cursor == 0:
                # A new viewer starts from now: history is at /api/alerts/latest.
                newest = await run_in_threadpool(latest_alerts, engine, 1, operation_id)
                cursor = newest[0]["id"] if newest else 0
            deadline = time.monotonic() + max_stream_s
            checked = time.monotonic()
            yield "retry: 2000\n\n"
            while time.monotonic() < deadline and not await request.is_disconnected():
                if time.monotonic() - checked >= recheck_s:
                    # Signed out, session expired, role changed, operation ended or switched: stop.
                    try:
                        if (await monitor(request)).operation.id != operation_id:
                            return
                    except (SignInRequired, AccessDenied):
                        return  # the reconnect is refused, with the reason
                    checked = time.monotonic()
                for alert in await run_in_threadpool(after, operation_id, cursor, _BATCH):
                    cursor = alert["id"]
                    yield f"id: {cursor}\nevent: alert\ndata: {json.dumps(alert)}\n\n"
                await asyncio.sleep(tick_s)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    return router
