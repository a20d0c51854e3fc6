"""The public transparency report: aggregates for a period, with no personal data.

Only counts leave this module: no user names, no operation names (they may name a target), no
terms, reasons or justifications. Formats: JSON, HTML (every value escaped) and PDF (fpdf2).
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, select

from civicpulse.errors import UsageError
from civicpulse.governance.access import authorise
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.events import TransparencyPublished
from civicpulse.governance.roles import Action
from civicpulse.store.schema import alerts, audit_log, operations, special_category_approvals

__all__ = ["FORMATS", "build_report", "parse_period", "render"]

FORMATS = ("json", "html", "pdf")
_PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4])|-(\d{2}))?$")

#: Audit events counted in the report, by the label the public reads.
_COUNTED = {
    "ingest_bound": "monitoring streams started",
    "rule_created": "alert rules created",
    "search_run": "searches",
    "posts_exported": "exports",
    "identity_revealed": "identities revealed",
    "access_refused": "requests refused",
    "sign_in_failed": "failed sign-ins",
}


def parse_period(period: str) -> tuple[datetime, datetime]:
    """``2026-Q4``, ``2026-11`` or ``2026`` as [start, end) in UTC."""
    match = _PERIOD.match(period.strip())
    if not match:
        raise UsageError(f"unknown period {period!r}", fix="write it as 2026-Q4, 2026-11 or 2026")
    year = int(match.group(1))
    if match.group(2):
        first = 3 * (int(match.group(2)) - 1) + 1
        months = 3
    elif match.group(3):
        first, months = int(match.group(3)), 1
        if not 1 <= first <= 12:
            raise UsageError(f"unknown month in {period!r}", fix="months are 01-12")
    else:
        first, months = 1, 12
    start = datetime(year, first, 1, tzinfo=UTC)
    end_month = first + months
    end = datetime(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1, tzinfo=UTC)
    return start, end


def build_report(gov: Governance, actor: Actor, period: str,
                 fairness: Callable[[], dict[str, str]] | None = None) -> dict[str, Any]:
    """The report for ``period``. ``fairness`` measures the classifiers in use
    (:func:`civicpulse.evaluation.bias.public_summary`); it runs once the actor is authorised."""
    authorise(actor, Action.PUBLISH_TRANSPARENCY)
    start, end = parse_period(period)
    audited = fairness() if fairness is not None else None
    in_period = and_(audit_log.c.at >= start, audit_log.c.at < end)
    with gov.transaction() as (connection, now):
        by_basis: dict[str, int] = dict(connection.execute(
            select(operations.c.legal_basis, func.count()).where(
                operations.c.approved_by.is_not(None), operations.c.starts_at < end, operations.c.ends_at >= start)
            .group_by(operations.c.legal_basis).order_by(operations.c.legal_basis)).all())
        events: dict[str, int] = dict(connection.execute(select(audit_log.c.event, func.count()).where(in_period)
                                         .group_by(audit_log.c.event)).all())
        raised = connection.execute(select(func.count()).select_from(alerts).where(
            alerts.c.at >= start, alerts.c.at < end)).scalar_one()
        special: Counter[str] = Counter()
        for categories in connection.execute(select(special_category_approvals.c.categories).where(
                special_category_approvals.c.approved_at >= start,
                special_category_approvals.c.approved_at < end)).scalars():
            special.update(json.loads(categories))
        deleted: Counter[str] = Counter()
        for details in connection.execute(select(audit_log.c.details).where(
                in_period, audit_log.c.event == "retention_deleted")).scalars():
            deleted.update({k: int(v) for k, v in json.loads(details).items()})
        gov.log(connection, TransparencyPublished(period=period), actor.username, now)
    return {
        "period": period,
        "from": start.date().isoformat(),
        "to (exclusive)": end.date().isoformat(),
        "generated": now.strftime("%Y-%m-%d %H:%M UTC"),
        "operations by legal basis": by_basis,
        "activity": {**{label: int(events.get(name, 0)) for name, label in _COUNTED.items()},
                     "alerts raised": int(raised)},
        "special-category approvals by category": dict(sorted(special.items())),
        "deleted by retention": {k: deleted.get(k, 0) for k in ("posts", "raw_payloads", "identities",
                                                                "quarantined", "derived")},
        **({"classifier fairness (bias audit)": audited} if audited is not None else {}),
        "note": "Aggregates only: no names, terms or content.",
    }


def render(report: dict[str, Any], fmt: str) -> bytes:
    if fmt == "json":
        return (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode()
    if fmt == "html":
        return _html(report).encode()
    if fmt == "pdf":
        return _pdf(report)
    raise UsageError(f"unknown format {fmt!r}", fix=f"choose one of: {', '.join(FORMATS)}")


def _sections(report: dict[str, Any]) -> tuple[list[tuple[str, str]], list[tuple[str, dict[str, Any]]]]:
    facts = [(k, str(v)) for k, v in report.items() if not isinstance(v, dict)]
    tables = [(k, v) for k, v in report.items() if isinstance(v, dict)]
    return facts, tables


def _html(report: dict[str, Any]) -> str:
    e = html.escape
    facts, tables = _sections(report)
    parts = ["<!doctype html><html lang=en><meta charset=utf-8>",
             f"<title>Transparency report {e(report['period'])}</title>",
             f"<h1>Transparency report {e(report['period'])}</h1><dl>"]
    parts += [f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts]
    parts.append("</dl>")
    for title, rows in tables:
        parts.append(f"<h2>{e(title)}</h2><table>")
        parts += [f"<tr><th>{e(str(k))}</th><td>{e(str(v))}</td></tr>" for k, v in rows.items()]
        if not rows:
            parts.append("<tr><td>none</td></tr>")
        parts.append("</table>")
    return "".join(parts) + "</html>\n"


def _latin1(text: str) -> str:
    # The PDF core fonts cover Latin-1; anything else is replaced rather than failing the report.
    return text.encode("latin-1", "replace").decode("latin-1")


def _pdf(report: dict[str, Any]) -> bytes:
    from fpdf import FPDF  # imported here: only the PDF format needs it, and it is slow to import

    facts, tables = _sections(report)
    pdf = FPDF()
    pdf.set_creation_date(datetime(2000, 1, 1, tzinfo=UTC))  # reproducible bytes for the same report
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin1(f"Transparency report {report['period']}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for key, value in facts:
        pdf.multi_cell(0, 6, _latin1(f"{key}: {value}"), new_x="LMARGIN", new_y="NEXT")
    for title, rows in tables:
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 9, _latin1(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        for key, value in (rows or {"none": ""}).items():
            pdf.multi_cell(0, 6, _latin1(f"{key}: {value}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
