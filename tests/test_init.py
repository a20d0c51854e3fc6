"""The package's import-time settings."""

from __future__ import annotations

import os
import subprocess
import sys


def _blas_threads(environment: dict[str, str]) -> str:
    code = "import civicpulse, os; print(os.environ['OPENBLAS_NUM_THREADS'])"
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_blas_runs_one_thread_per_process_unless_told_otherwise() -> None:
    clean = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                                               "MKL_NUM_THREADS")}
    assert _blas_threads(clean) == "1"
    assert _blas_threads({**clean, "OPENBLAS_NUM_THREADS": "4"}) == "4"
