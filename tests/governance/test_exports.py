from __future__ import annotations

import civicpulse.governance as governance


def test_public_api() -> None:
    assert sorted(governance.__all__) == sorted(
        ["MATRIX", "AccessDenied", "Action", "Actor", "Finding", "Governance", "OperationView", "Role",
         "authorise", "check_terms", "require_approval"])
    for name in governance.__all__:
        assert getattr(governance, name) is not None
