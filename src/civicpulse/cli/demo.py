"""``civicpulse demo``: a scenario replayed through the whole pipeline, with the dashboard served."""

from __future__ import annotations

import time
from pathlib import Path

import msgspec
import typer
from sqlalchemy import Engine

from civicpulse.alerts.rules import add_rule
from civicpulse.alerts.sink import AlertSink
from civicpulse.cli.common import (
    ConfigOption,
    DashboardServer,
    console,
    ensure_port_free,
    escape,
    run_pipeline,
    settings_from,
)
from civicpulse.cli.summary import print_summary
from civicpulse.config import Settings
from civicpulse.detectors.area import AreaMap, configured_area
from civicpulse.detectors.base import Signal
from civicpulse.detectors.storage import SignalStore, build_detectors, load_signals
from civicpulse.governance.accounts import ensure_user
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.operations import DEMO_ACTOR, DEMO_USER, start_demo_operation
from civicpulse.governance.redaction import Redactor, redactor_for
from civicpulse.pipeline.factory import build_pipeline, open_database
from civicpulse.sources.scenario import ScenarioSource
from civicpulse.store.queries import Reader
from civicpulse.web.views import detector_limits, flag_reasons

#: Replay speed with the dashboard open: fast enough to finish in minutes, slow enough to watch.
WATCH_SPEED = 120.0

#: Alert rules the demo operation starts with, so that the alerts panel shows what rules do: a word
#: rule (throttled when a rumour repeats it) and an event-size rule (docs/alerts.md).
DEMO_RULES: tuple[dict[str, object], ...] = (
    {"name": "Looting or shooting mentioned", "query": 'looting OR looted OR looters OR shooting OR "shots fired"'},
    {"name": "Large incident (1,000 posts)", "kind": "event", "metric": "posts", "threshold": 1000},
)


def _with_coordination(settings: Settings) -> Settings:
    """The demo shows coordinated behaviour too: the ``coordination`` detector and the opt-in
    ``near_duplicates`` analyser it requires (about 17 µs a post; the demo's replay is far below the
    chain's speed, see docs/detection.md)."""
    analysers, detectors = settings.analysers, settings.detectors
    if "near_duplicates" not in analysers:
        analysers = (*analysers, "near_duplicates")
    if "coordination" not in detectors:
        detectors = (*detectors, "coordination")
    return msgspec.structs.replace(settings, analysers=analysers, detectors=detectors)


def _demo_settings(settings: Settings) -> Settings:
    """A separate, fresh demo database unless the user configured one explicitly; coordination on."""
    settings = _with_coordination(settings)
    if settings.database_url:
        return settings
    database = Path(settings.data_dir) / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return msgspec.structs.replace(settings, database_url=f"sqlite:///{database}")


def _signals_found(engine: Engine, redactor: Redactor) -> dict[str, object]:
    """What the detectors raised, for the summary: events by their first signal, rumours by their
    latest status (emerging, spreading, denied …), coordination flags by their first signal. Titles
    quote posts, so they are redacted as on the dashboard."""
    def quoted(signal: Signal, key: str) -> str:
        return redactor.text(str(signal.details.get(key, ""))[:200])

    events: dict[str, str] = {}
    # The newest event and rumour signals carry what each detector had to leave out so far.
    newest: dict[str, Signal] = {}
    for signal in load_signals(engine, kind="event", limit=100_000):
        events.setdefault(signal.key, f"{signal.at:%H:%M} {quoted(signal, 'title')}")
        newest["event"] = signal
    rumours: dict[str, str] = {}
    for signal in load_signals(engine, kind="rumour", limit=100_000):
        rumours[signal.key] = f"{signal.details.get('status', '')}: {quoted(signal, 'title')}"
        newest["rumour"] = signal
    flags: dict[str, str] = {}
    for signal in load_signals(engine, kind="coordination", limit=100_000):
        # The accounts judged and the first reason the detector gave ("100% created within 7 days ...").
        reasons = flag_reasons(signal.details)
        why = f" ({reasons[0][:60]})" if reasons else ""
        count = signal.details.get("new_accounts", signal.details.get("account_count", "?"))
        flags.setdefault(signal.key, f"{signal.at:%H:%M} {count} accounts{why}: {quoted(signal, 'example')}")
    return {
        "events detected": len(events),
        **{f"  {key}": escape(text) for key, text in list(events.items())[:10]},
        "rumours tracked": len(rumours),
        **{f"  {key}": escape(text[:80]) for key, text in list(rumours.items())[:10]},
        "coordination flags (for review)": len(flags),
        # A flag's key names its cluster's first post, too long for a summary line: number them.
        **{f"  flag {n}": escape(text[:140]) for n, text in enumerate(list(flags.values())[:5], 1)},
        **({"detector limits reached": escape("; ".join(limits))}
           if (limits := detector_limits(list(newest.values()))) else {}),
    }


def demo_command(
    scenario: str = typer.Option("city-riot", "--scenario", help="Scenario to replay (see 'scenario list')."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    speed: float = typer.Option(None, "--speed",
                                help=f"Replay speed; default {WATCH_SPEED:g}x when serving, maximum otherwise."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the dashboard while replaying."),
    host: str = typer.Option(None, "--host", help="Dashboard address (default 127.0.0.1)."),
    port: int = typer.Option(None, "--port", help="Dashboard port (default 8000)."),
    config: Path | None = ConfigOption,
) -> None:
    """Replay a scenario through the whole pipeline; watch it on the dashboard."""
    settings = _demo_settings(settings_from(config, host=host, port=port))
    if serve:
        ensure_port_free(settings.host, settings.port)
    truth_dir = Path(settings.data_dir) / "demo-truth"
    source = ScenarioSource(scenario, seed=seed, speed=speed if speed or not serve else WATCH_SPEED,
                            truth_dir=truth_dir)
    # The force's own map of its area when configured; else the scenario's city, which stands for it.
    area = configured_area(settings.area_file) or AreaMap.of(source.scenario.area.districts)
    engine = open_database(settings)
    gov = Governance.from_settings(engine, settings)
    # The dashboard shows personal data only to a signed-in user inside an operation: the demo has its own.
    password = ensure_user(gov, DEMO_ACTOR, DEMO_USER, "analyst") if serve else None
    operation = start_demo_operation(gov, f"demo:{scenario}", members=(DEMO_USER,) if serve else ())
    for rule in DEMO_RULES:
        add_rule(gov, Actor(DEMO_ACTOR, "supervisor"), operation.id, **rule)
    detectors = build_detectors(settings.detectors, engine, area=area)
    signal_store = SignalStore(engine, detectors, operation_id=operation.id)
    alert_sink = AlertSink(engine, settings, operation.id)
    pipeline = build_pipeline(settings, source, engine, detectors=detectors, sinks=[signal_store, alert_sink],
                              operation_id=operation.id)
    server = None
    if serve:
        server = DashboardServer(engine, settings, pipeline, area=area)
        server.start()
        console.print(f"dashboard: [bold]{server.url}[/]  (open it in a browser; Ctrl-C to stop)")
        link = server.auth.links.issue(DEMO_USER, gov.now())
        # soft_wrap: a link broken over two lines cannot be clicked or pasted.
        console.print(f"sign in:   [bold]{server.url}/login/link?token={link}[/]  (single use, valid 10 minutes)",
                      soft_wrap=True)
        if password is not None:
            console.print(f"           or as [bold]{DEMO_USER}[/] with password [bold]{escape(password)}[/] "
                          "(an analyst, member of the demo operation only)", soft_wrap=True)
    stats = run_pipeline(pipeline, f"replaying {source.describe()}", total=source.total_hint())
    signal_store.flush()
    truth = source.truth_summary()
    print_summary(stats, Reader(engine), {
        "incidents in the ground truth": len(truth.incidents),
        "rumours in the ground truth": len(truth.rumours),
        "ground truth written to": escape(str(truth_dir)),
        "operation (purpose binding)": escape(f"{operation.name} {operation.id}, {operation.legal_basis}"),
        "coordinated campaigns in the ground truth": len(truth.coordinated),
        **_signals_found(engine, redactor_for(settings.data_dir)),
        "alerts raised (demo rules)": alert_sink.raised,
    })
    if server is None:
        return
    console.print(f"replay finished; still serving {server.url} — Ctrl-C to stop")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
