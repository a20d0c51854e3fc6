from __future__ import annotations

import subprocess
import sys

import pytest

import civicpulse.alerts
import civicpulse.channels


@pytest.mark.parametrize("module", ["civicpulse.detectors.alerts", "civicpulse.alerts.sink",
                                    "civicpulse.channels.webhook", "civicpulse.alerts"])
def test_each_module_imports_first_without_a_cycle(module: str) -> None:
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_public_api() -> None:
    assert set(civicpulse.alerts.__all__) == {"Geofence", "QueryError", "Rule", "add_rule", "build_rule",
                                              "disable_rule", "format_query", "list_rules", "parse_geofence",
                                              "parse_query"}
    assert set(civicpulse.channels.__all__) == {"Channel", "DeliveryError", "Message", "Receipt"}
