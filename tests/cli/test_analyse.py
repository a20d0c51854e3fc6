from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from civicpulse.post import encode_jsonl
from civicpulse.testing import make_post


def analyse(args: list[str], stdin: bytes, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "civicpulse", "analyse", *args], input=stdin, cwd=cwd,
                          capture_output=True, timeout=120)


def test_plain_text_lines_come_back_enriched(tmp_path: Path) -> None:
    result = analyse(["--text"], "I love this city, what a wonderful day\n\n<b>مرحبا</b> 😡\n".encode(), tmp_path)
    assert result.returncode == 0, result.stderr
    posts = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(posts) == 2
    assert posts[0]["enrichments"]["sentiment/2"]["label"] == "positive"
    assert {"language/1", "surface/1", "offensive/3", "hate/3", "emotion/2"} <= set(posts[1]["enrichments"])


def test_posts_in_bad_lines_reported_and_skipped(tmp_path: Path) -> None:
    stdin = encode_jsonl([make_post(1, "Road closed #traffic").replace(hashtags=("Traffic",))]) + b"{broken\n"
    result = analyse(["--analyser", "surface"], stdin, tmp_path)
    assert result.returncode == 0
    [post] = [json.loads(line) for line in result.stdout.splitlines()]
    assert post["enrichments"]["surface/1"]["hashtags"] == ["traffic"]
    assert b"line 2 skipped" in result.stderr
