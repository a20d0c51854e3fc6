"""``civicpulse rule``: add, list, disable and test alert rules; deliver queued alerts."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Column, Table

from civicpulse.alerts.outbox import deliver_due
from civicpulse.alerts.rules import KINDS, add_rule, build_rule, disable_rule, district_query, get_rule, list_rules
from civicpulse.alerts.trial import operation_posts, posts_from_jsonl, try_rule
from civicpulse.cli.common import ConfigOption, console, escape, settings_from
from civicpulse.cli.govern import open_governance, signed_in
from civicpulse.detectors.area import configured_area
from civicpulse.errors import UsageError
from civicpulse.governance.operations import require
from civicpulse.governance.redaction import redactor_for
from civicpulse.governance.roles import Action

app = typer.Typer(help="Alert rules: phrases, hashtags, geofences, event growth, rumours near a place.",
                  no_args_is_help=True)


DISTRICT_HELP = ("A district of the area file (area_file setting): posts naming it or one of its landmarks; "
                 "with --query, both.")


def _with_district(query: str | None, district: str | None, config: Path | None) -> str | None:
    """``query``, narrowed to the names of ``district`` of the configured area when one is given."""
    if district is None:
        return query
    return district_query(configured_area(settings_from(config).area_file), district, query)


def _geofence(path: Path | None) -> str | None:
    if path is None:
        return None
    if not path.is_file():
        raise UsageError(f"no file {path}", fix="give a GeoJSON file with a Polygon or MultiPolygon")
    return path.read_text(encoding="utf-8", errors="replace")


@app.command("add")
def add_command(
    operation: str = typer.Option(..., "--operation", help="The operation the rule belongs to."),
    name: str = typer.Option(..., "--name", help="What the duty desk sees, e.g. 'Knives near schools'."),
    query: str | None = typer.Option(None, "--query", help='e.g. (knife OR #stabbing) AND NOT "kitchen knife", '
                                                             "or reading:offensive-at-group (docs/alerts.md)"),
    geofence: Path | None = typer.Option(None, "--geofence", help="GeoJSON file: Polygon or MultiPolygon."),
    district: str | None = typer.Option(None, "--district", help=DISTRICT_HELP),
    kind: str = typer.Option("posts", "--kind", help=f"What to watch: {', '.join(KINDS)}."),
    metric: str | None = typer.Option(None, "--metric", help="Event rules: the number to watch, e.g. growth."),
    at_least: float | None = typer.Option(None, "--at-least", help="Event rules: alert when metric ≥ this."),
    notify: list[str] = typer.Option([], "--notify", help="webhook:https://… or email:desk@… (repeatable)."),
    config: Path | None = ConfigOption,
) -> None:
    """Add a rule to an operation (audit-logged; special-category terms need a supervisor's approval)."""
    query = _with_district(query, district, config)
    gov = open_governance(config)
    rule = add_rule(gov, signed_in(gov), operation, name=name, kind=kind, query=query,
                    geofence=_geofence(geofence), metric=metric, threshold=at_least, destinations=notify)
    console.print(f"added rule [bold]{rule.id}[/] ({escape(rule.name)}): {escape(rule.describe())}")


@app.command("list")
def list_command(operation: str = typer.Option(..., "--operation", help="The operation."),
                 config: Path | None = ConfigOption) -> None:
    """The operation's rules, enabled and disabled."""
    gov = open_governance(config)
    table = Table(Column("id", no_wrap=True, min_width=13), "name", "watches", "notifies", "by", "status")
    for rule in list_rules(gov, signed_in(gov), operation):
        table.add_row(rule.id, escape(rule.name), escape(rule.describe()),
                      escape(", ".join(str(d) for d in rule.destinations) or "dashboard"), escape(rule.created_by),
                      "disabled" if rule.disabled_at else "active")
    console.print(table)


@app.command("disable")
def disable_command(rule_id: str, config: Path | None = ConfigOption) -> None:
    """Switch a rule off (it is kept, so past alerts can still be explained)."""
    gov = open_governance(config)
    rule = disable_rule(gov, signed_in(gov), rule_id)
    console.print(f"disabled rule {rule.id} ({escape(rule.name)})")


@app.command("test")
def trial_command(
    rule_id: str | None = typer.Argument(None, help="A stored rule; or give --query / --geofence instead."),
    query: str | None = typer.Option(None, "--query", help="A query to try without storing it."),
    geofence: Path | None = typer.Option(None, "--geofence", help="GeoJSON file to try."),
    district: str | None = typer.Option(None, "--district", help=DISTRICT_HELP),
    posts: Path | None = typer.Option(None, "--posts", help="JSON Lines posts to run on (default: the store)."),
    operation: str | None = typer.Option(None, "--operation", help="Whose stored posts (default: the rule's)."),
    limit: int = typer.Option(10_000, "--limit", help="Latest stored posts to read."),
    show: int = typer.Option(20, "--show", help="Matches to print."),
    config: Path | None = ConfigOption,
) -> None:
    """Show which posts a rule would match, in a JSON Lines file or the operation's stored posts."""
    gov = None
    if rule_id is not None and (query is not None or geofence is not None or district is not None):
        raise UsageError("a stored rule is tried as it was written",
                         fix="drop --query, --geofence and --district, or drop the rule id to try them on their own")
    if rule_id is not None:
        gov = open_governance(config)
        rule = get_rule(gov, rule_id)
        require(gov, signed_in(gov), Action.MANAGE_RULES, rule.operation_id)
        operation = operation or rule.operation_id
    else:
        query = _with_district(query, district, config)
        rule = build_rule(rule_id="trial", operation_id=operation or "", name="trial", query=query,
                          geofence=_geofence(geofence))
    if posts is not None:
        found, bad = posts_from_jsonl(posts)
        trial = try_rule(rule, found)
        trial.unreadable = bad[0]
    else:
        if operation is None:
            raise UsageError("testing on stored posts needs an operation",
                             fix="add --operation ID, or run on a file with --posts posts.jsonl")
        gov = gov or open_governance(config)
        trial = try_rule(rule, operation_posts(gov, signed_in(gov), operation, limit))
    table = Table("post", "time (UTC)", "text")
    redactor = redactor_for(settings_from(config).data_dir)
    for post in trial.matched[:show]:
        table.add_row(escape(post.id), f"{post.created_at:%Y-%m-%d %H:%M}", escape(redactor.post_text(post)[:120]))
    if trial.matched:
        console.print(table)
    skipped = f" ({trial.unreadable} unreadable lines skipped)" if trial.unreadable else ""
    console.print(f"{len(trial.matched)} of {trial.read} posts matched: {escape(rule.describe())}{skipped}")


@app.command("deliver")
def deliver_command(config: Path | None = ConfigOption) -> None:
    """Send queued alerts to their webhooks and e-mail addresses (run it every minute, e.g. from cron)."""
    settings = settings_from(config)
    gov = open_governance(config)
    report = deliver_due(gov.engine, gov.now(), settings=settings)
    for error in report.errors[:20]:
        console.print(f"[yellow]{escape(error)}[/]")
    console.print(f"delivered {report.delivered}, will retry {report.retrying}, failed {report.failed}")
