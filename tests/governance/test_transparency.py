from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert

from civicpulse.config import Settings
from civicpulse.errors import AccessDenied, UsageError
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.dpia import draft_dpia
from civicpulse.governance.events import RuleCreated, SearchRun
from civicpulse.governance.special import approve
from civicpulse.governance.transparency import build_report, parse_period, render
from civicpulse.store.schema import alerts

from .seeding import ADMIN, SUE, operation, staff

DORA = Actor("dora", "dpo")


@pytest.fixture
def busy(gov: Governance) -> Governance:
    gov.legal_bases = ("<script>alert(1)</script> Art. 1", *gov.legal_bases)
    staff(gov)
    op = operation(gov, "Watch on Jane Citizen")
    approve(gov, SUE, op, "term", "mosque Leeds", "specific credible threat against the building this week")
    with gov.transaction() as (connection, now):
        gov.log(connection, SearchRun(query="jane citizen", results=3), "ana", now, op)
        gov.log(connection, RuleCreated(rule_id="r1", title="Jane", kind="posts", query="jane", geofence=False,
                                        channels=[]), "ana", now, op)
        connection.execute(insert(alerts).values(key="k1", rule_id="r1", operation_id=op, at=now,
                                                 summary="Jane Citizen seen", payload="{}"))
    return gov


def test_periods() -> None:
    assert parse_period("2026-Q4") == (datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert parse_period("2026-12")[1] == datetime(2027, 1, 1, tzinfo=UTC)
    assert parse_period("2026") == (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    for bad in ("Q4", "2026-13", "2026-Q5; drop table"):
        with pytest.raises(UsageError):
            parse_period(bad)


def test_the_report_counts_and_holds_no_personal_data(busy: Governance) -> None:
    report = build_report(busy, DORA, "2026-Q4")
    assert report["operations by legal basis"] == {"LED Art. 8 (processing necessary for a law-enforcement task)": 1}
    assert report["activity"]["searches"] == 1
    assert report["activity"]["alert rules created"] == 1
    assert report["activity"]["alerts raised"] == 1
    assert report["special-category approvals by category"] == {"religion": 1}
    for fmt in ("json", "html", "pdf"):
        body = render(report, fmt)
        for secret in (b"Jane", b"jane", b"ana", b"sue", b"mosque", b"credible threat"):
            assert secret not in body, (fmt, secret)
    assert json.loads(render(report, "json"))["activity"]["identities revealed"] == 0
    assert render(report, "pdf").startswith(b"%PDF")


def test_the_report_publishes_the_bias_audit_of_the_classifiers_in_use(busy: Governance) -> None:
    from civicpulse.evaluation.bias import public_summary

    report = build_report(busy, DORA, "2026-Q4", public_summary)
    fairness = report["classifier fairness (bias audit)"]
    assert fairness["classifiers (profile)"].startswith("offensive/")
    assert fairness["neutral sentences labelled offensive"].endswith(" %")
    assert "420 neutral and 420 abusive" in fairness["how it is measured"]
    assert "abusive sentences not labelled offensive" in render(report, "html").decode()
    assert render(report, "pdf").startswith(b"%PDF")
    assert "classifier fairness" not in build_report(busy, DORA, "2026-Q4")


def test_the_audit_runs_only_for_someone_allowed_to_publish(busy: Governance) -> None:
    ran: list[bool] = []
    with pytest.raises(AccessDenied):
        build_report(busy, ADMIN, "2026-Q4", lambda: ran.append(True) or {})
    assert not ran


def test_html_is_escaped(busy: Governance) -> None:
    from civicpulse.governance.operations import approve_operation, create_operation

    op = create_operation(busy, Actor("ana", "investigator"), name="x", purpose="p", legal_basis="<script>",
                          area="a", starts_at=busy.now(), ends_at=datetime(2026, 12, 1, tzinfo=UTC),
                          retention_days=1)
    approve_operation(busy, SUE, op.id)
    body = render(build_report(busy, DORA, "2026-Q4"), "html").decode()
    assert "<script>" not in body
    assert "&lt;script&gt;" in body


def test_only_the_dpo_and_communications_publish(busy: Governance) -> None:
    with pytest.raises(AccessDenied):
        build_report(busy, ADMIN, "2026-Q4")


def test_the_dpia_draft_describes_the_live_configuration(busy: Governance) -> None:
    text = draft_dpia(busy, DORA, Settings(analysers=("surface", "sentiment")))
    assert "surface, sentiment" in text
    assert "| supervisor | 1 |" in text
    assert "To complete" in text
    assert "Watch on Jane Citizen" in text  # internal document: operations are named
