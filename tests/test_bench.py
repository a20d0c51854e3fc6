from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from civicpulse.config import Settings


def test_bench_json_prints_every_documented_key(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "civicpulse", "bench", "--json", "--posts", "3000"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)
    for key in ("scenario_generate_posts_per_s", "ingest_store_posts_per_s", "pipeline_default_posts_per_s",
                "peak_rss_mb", "posts", "post_build_serialise_100k_s", "detectors_posts_per_s"):
        assert results[key] > 0, key
    assert results["posts"] == 3000
    # The pipeline's rate is the default analyser chain's, and the report says which chain that was.
    assert results["default_analysers"] == list(Settings().analysers)
    assert set(results["detectors_cpu_us_per_post"]) == {"alerts", "coordination", "events", "rumours"}
    assert all(us > 0 for us in results["detectors_cpu_us_per_post"].values())
