"""Alerts on the dashboard: the latest alerts as JSON and a live server-sent-event stream.

Each alert is sent once per connection as ``event: alert`` with ``id:`` set to the alert's row id;
a browser that reconnects sends ``Last-Event-ID`` and receives only what it missed. The payload is
the stored alert (rule, operation, post ids, numbers), never post text.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy import Engine, select
from starlette.concurrency import run_in_threadpool

from civicpulse.governance.clock import as_utc
from civicpulse.store.schema import alerts

__all__ = ["alert_routes", "latest_alerts"]

_BATCH = 100


def _view(row: Any) -> dict[str, Any]:
    return {"id": row.id, "at": as_utc(row.at).isoformat(), "rule_id": row.rule_id,
            "operation_id": row.operation_id, "summary": row.summary, "details": json.loads(row.payload)}


def latest_alerts(engine: Engine, limit: int) -> list[dict[str, Any]]:
    """The newest alerts first."""
    with engine.connect() as connection:
        rows = connection.execute(select(alerts).order_by(alerts.c.id.desc()).limit(limit)).all()
    return [_view(r) for r in rows]


def alert_routes(engine: Engine, *, tick_s: float = 1.0, max_stream_s: float = 3600.0) -> APIRouter:
    router = APIRouter()

    def after(last_id: int, limit: int) -> list[dict[str, Any]]:
        with engine.connect() as connection:
            rows = connection.execute(select(alerts).where(alerts.c.id > last_id)
                                      .order_by(alerts.c.id).limit(limit)).all()
        return [_view(r) for r in rows]

    def latest(limit: int) -> list[dict[str, Any]]:
        return latest_alerts(engine, limit)

    @router.get("/api/alerts/latest")
    async def newest_alerts(limit: int = Query(20, ge=1, le=200)) -> JSONResponse:
        return JSONResponse(await run_in_threadpool(latest, limit))

    @router.get("/api/alerts/stream")
    async def stream_alerts(request: Request, last_event_id: str | None = Header(None)) -> StreamingResponse:
        try:
            start = max(0, int(last_event_id or 0))
        except ValueError:
            start = 0

        async def stream() -> AsyncIterator[str]:
            cursor = start
            if cursor == 0:
                # A new viewer starts from now: history is at /api/alerts/latest.
                newest = await run_in_threadpool(latest, 1)
                cursor = newest[0]["id"] if newest else 0
            deadline = time.monotonic() + max_stream_s
            yield "retry: 2000\n\n"
            while time.monotonic() < deadline and not await request.is_disconnected():
                for alert in await run_in_threadpool(after, cursor, _BATCH):
                    cursor = alert["id"]
                    yield f"id: {cursor}\nevent: alert\ndata: {json.dumps(alert)}\n\n"
                await asyncio.sleep(tick_s)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    return router
