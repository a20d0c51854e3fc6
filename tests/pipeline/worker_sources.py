"""Sources for the worker-process tests, registered at import time (the child imports this module),
and the checks on child processes that those tests share."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from civicpulse.errors import UsageError
from civicpulse.post import Author, Post
from civicpulse.registry import sources
from civicpulse.sources.base import Page, Rejected, Source, SourceSpec
from civicpulse.testing import make_post


class _Spec(Source):
    """Rebuilt in the child from its name and the options given here."""

    def __init__(self, total: int = 10, mode: str = "") -> None:
        self.total = total
        self.mode = mode

    def spec(self) -> SourceSpec:
        return SourceSpec(name=self.name, module=__name__, options={"total": self.total, "mode": self.mode})


@sources.register("test-worker-numbers")
class Numbers(_Spec):
    """Posts 0..total-1 in pages of at most 7; a parse rejection every 5th item; ``mode`` adds trouble."""

    name: ClassVar[str] = "test-worker-numbers"

    def fetch(self, cursor: str | None, limit: int) -> Page:
        start = int(cursor or 0)
        end = min(self.total, start + min(limit, 7))
        if self.mode == "fail" and start >= 14:
            raise UsageError("the test feed went away", fix="reconnect the test feed")
        if self.mode == "bug" and start >= 14:
            raise ZeroDivisionError("division by zero in a plug-in")
        if self.mode == "crash" and start >= 14:
            os.kill(os.getpid(), signal.SIGKILL)
        if self.mode == "slow":
            time.sleep(0.2)
        posts: list[Post] = []
        rejected: list[Rejected] = []
        for n in range(start, end):
            if n % 5 == 4:
                rejected.append(Rejected.of("not a post", f"garbage {n}", location=f"item {n}"))
            elif self.mode == "naive" and n == 3:
                # Struct construction does not validate; the parent's decoder does, and quarantines it.
                posts.append(Post(id=f"test:{n}", platform="test", created_at=datetime(2026, 1, 1),
                                  author=Author(id="acct-1"), text="no time zone"))
            else:
                posts.append(make_post(n, f"post number {n}", author=f"acct-{n % 3}"))
        print("plug-ins may print; it must not corrupt the pages", flush=True)
        return Page(posts=posts, rejected=rejected, cursor=str(end), done=end >= self.total)


@sources.register("test-worker-impostor")
class Impostor(_Spec):
    """Claims a spec under another source's name: must not be run in a worker."""

    name: ClassVar[str] = "test-worker-impostor"

    def spec(self) -> SourceSpec:
        return SourceSpec(name="test-worker-numbers", module=__name__)

    def fetch(self, cursor: str | None, limit: int) -> Page:
        return Page(done=True)


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited


def wait_gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


def child_outlives_killed_parent(script: str) -> bool:
    """Run ``script`` (which starts a worker child and prints its pid) in a parent process, SIGKILL
    the parent, and say whether the child is still there 10 s later."""
    root = Path(__file__).parents[2]
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=root, stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert alive(child)
    parent.kill()
    parent.wait()
    return not wait_gone(child)
