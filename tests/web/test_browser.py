"""The dashboard in a real headless Chromium: live updates arrive, hostile post text stays inert."""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import insert

from civicpulse.detectors.area import AreaMap, DistrictShape
from civicpulse.store.schema import signals
from civicpulse.store.writer import Batch, StoreWriter
from civicpulse.testing import make_post
from civicpulse.web.app import create_app
from tests.web.conftest import HOSTILE, OUTSIDE, PASSWORD, Site

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def chromium_path() -> str:
    if CHROMIUM is None:
        message = "Chromium not found: install the 'chromium' package to run browser tests (.ci/run does)"
        if os.environ.get("CIVICPULSE_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


#: The operation's area: the located event is in the first district; the second's name is hostile.
AREA = AreaMap([DistrictShape(name="City Centre", lat=53.7997, lon=-1.5492, radius_km=1.2),
                DistrictShape(name=HOSTILE, lat=53.81, lon=-1.53)])


@pytest.fixture
def app(site: Site) -> FastAPI:
    return create_app(site.gov, tick_s=0.2, area=AREA)


@pytest.fixture
def served(app: FastAPI) -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


def test_dashboard_signs_in_updates_live_and_keeps_hostile_text_inert(
    served: str, site: Site, chromium_path: str
) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            blocked: list[str] = []
            page.on("console", lambda message: blocked.append(message.text) if message.type == "error" else None)
            page.goto(served)
            assert page.url.endswith("/login")  # not signed in: sent to the sign-in page
            page.fill("input[name=username]", "ana")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_selector("body[data-live='true']", timeout=15_000)
            assert page.inner_text("#user") == "ana"
            assert page.inner_text("#posts") == "2"
            read = {"offensive/3": {"label": "offensive", "probs": {"not-offensive": 0.13, "offensive": 0.87}},
                    "emotion/2": {"label": HOSTILE, "probs": {HOSTILE: 0.9}}}  # as a crafted import could hold
            StoreWriter(site.engine, site.operation).write(Batch(posts=[
                make_post(3, "New report from the bridge").replace(enrichments=read)]))
            expect(page.locator("#posts")).to_have_text("3", timeout=15_000)
            assert page.locator("#latest .badge.flag").all_inner_texts() == ["offensive 87%"]
            assert page.locator("#latest .badge.flag").first.get_attribute("title") == (
                "offensive/3: a model's guess, for a person to read; never a finding")
            assert HOSTILE[:30] in page.locator("#latest .badge.info").all_inner_texts()
            texts = page.locator("#latest .text").all_inner_texts()
            assert "New report from the bridge" in texts
            assert HOSTILE in texts
            assert page.locator("#signals .text").all_inner_texts() == [HOSTILE, "fire depot smoke"]
            # The rumour's spread, drawn by the live update (not only by the first render).
            assert page.locator("#signals svg.spark polyline").count() == 1
            # The located event is on the map, numbered as in the list, over the districts around it.
            assert page.locator("#map svg circle:not(.district)").count() == 1
            assert page.locator("#map svg text.district").all_text_contents() == ["City Centre", HOSTILE[:31] + "…"]
            assert page.locator("#signals .badge.pin").all_inner_texts() == ["1"]
            assert "deny 2 · comment 10" in page.locator("#signals .spread").inner_text()
            # How fast the event goes, in which languages, and what the detector had to leave out.
            event_line = page.locator("#signals li.event .meta").inner_text()
            assert "20 posts a minute, ×2.0 on the 2 minutes before · languages en 75 % · pl 25 %" in event_line
            # Why it was raised, hostile words and all, as text.
            raised = page.locator("#signals li.event .hint").last.inner_text()
            assert raised.startswith("raised on: “smoke” (incident vocabulary) in 9 posts in 2 min, where about 0.4")
            assert HOSTILE[:40] in raised
            assert page.locator("#limits").is_visible()
            assert "events: 12 posts over an account's per-minute cap not counted" in page.inner_text("#limits")
            assert page.locator("#signals-more").is_hidden()  # both items are listed
            # Two wordings of one claim, denied by one official post: one row, naming the other.
            with site.engine.begin() as connection:
                connection.execute(insert(signals), [
                    {"detector": "rumours", "kind": "rumour", "key": f"dam-{n}", "at": datetime.now(UTC),
                     "summary": "dam", "post_ids": "[]", "stored_at": datetime.now(UTC), "operation_id": site.operation,
                     "details": json.dumps({"status": "denied", "title": title, "verdict_post": "p:denial"})}
                    for n, title in enumerate(["Apparently the dam failed", HOSTILE])])
            expect(page.locator("#signals")).to_contain_text(
                "answered by the same official post as 1 other wording of the claim, not listed: “", timeout=15_000)
            assert page.evaluate("window.__pwned") is None
            assert page.locator("#latest img").count() == 0
            assert OUTSIDE not in texts
            # Nothing the page needs is blocked by its Content-Security-Policy (a missing favicon is fine).
            assert not [m for m in blocked if "Content Security Policy" in m]
            page.click("#signout")
            page.wait_for_url("**/login")
            page.goto(served)
            assert page.url.endswith("/login")
        finally:
            browser.close()


def test_the_single_use_link_signs_the_browser_in(served: str, app: FastAPI, site: Site, chromium_path: str) -> None:
    from playwright.sync_api import sync_playwright

    link = f"{served}/login/link?token={app.state.auth.links.issue('ana', site.gov.now())}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            page.goto(link)  # as when clicked in the terminal: the SameSite=Strict cookie is kept
            page.wait_for_selector("body[data-live='true']", timeout=15_000)
            assert page.inner_text("#operation") == "Riverside flood"
            other = browser.new_context().new_page()
            other.goto(link)
            assert "already used or has expired" in other.inner_text(".error")
        finally:
            browser.close()
