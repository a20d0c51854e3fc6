"""Settings: defaults, then a TOML file, then ``CIVICPULSE_*`` environment variables.

Every setting is documented in ``docs/configuration.md`` (a test keeps the two in step). The file
is ``civicpulse.toml`` in the working directory, or the path in ``CIVICPULSE_CONFIG``; keys are the
field names below. An environment variable is the upper-cased field name with the ``CIVICPULSE_``
prefix, e.g. ``CIVICPULSE_DATABASE_URL``.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec

from civicpulse.errors import ConfigError

__all__ = ["ENV_PREFIX", "Settings", "load_settings"]

ENV_PREFIX = "CIVICPULSE_"


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    #: Where civicpulse keeps its database, secrets and scenario output by default.
    data_dir: str = "civicpulse-data"
    #: SQLAlchemy URL. Empty means an SQLite file ``civicpulse.db`` inside ``data_dir``.
    database_url: str = ""
    #: Secret for the keyed hash that pseudonymises authors. Empty: generated once and kept in
    #: ``data_dir/pseudonym.key`` (mode 0600). Changing it changes every pseudonym.
    pseudonym_key: str = ""
    #: Posts per batch through analysers and into the store.
    batch_size: int = msgspec.field(default=2000)
    #: A partial batch is flushed after this many seconds, so a slow stream still shows up promptly.
    max_latency_s: float = 0.5
    #: Batches that may wait between the source and the pipeline (bounds memory).
    queue_batches: int = 4
    #: Read a source that can be rebuilt elsewhere (e.g. a scenario) in a worker process, so that
    #: generating or parsing runs on a second core. Ignored on a single-core machine.
    source_worker: bool = True
    #: Write to an SQLite file from a worker process, so that SQLite's work runs on a second core.
    #: Ignored for PostgreSQL (its server is another process already) and on a single-core machine.
    store_worker: bool = True
    #: Default analyser chain, by registered name.
    analysers: tuple[str, ...] = ("surface", "language", "sentiment", "offensive", "hate", "emotion", "crisis",
                                  "account")
    #: ``fast`` (linear models, > 5,700 posts/s per core) or ``accurate`` (adds a fine-tuned MiniLM
    #: encoder for English sentiment, emotion, offensive and hate; ~600 posts/s per core; needs
    #: ``pip install 'civicpulse[accurate]'``). See docs/models/encoder.md.
    analyser_profile: str = "fast"
    #: Near-duplicates: posts remembered for matching (bounds memory: under 1 KB each).
    near_duplicates_max_posts: int = 30_000
    #: Near-duplicates: how far back, in post time, a copy still joins a cluster.
    near_duplicates_window_s: float = 6 * 3600.0
    #: Places: H3 resolution of the cell given with each place (0 coarsest … 15 finest; 8 ≈ 0.7 km²).
    places_h3_resolution: int = 8
    #: Places: optional ``[south, west, north, east]`` area that ambiguous place names are resolved
    #: towards (e.g. the city being monitored); empty for none.
    places_bbox: tuple[float, ...] = ()
    #: Detectors run on the stream, by registered name (see docs/detection.md).
    detectors: tuple[str, ...] = ("events", "rumours")
    #: The operation's area for the detectors: a YAML file listing its districts, their centres, radii
    #: and landmarks (the form of a scenario's ``area``); empty for none. The demo uses its scenario's.
    area_file: str = ""
    #: Dashboard address.
    host: str = "127.0.0.1"
    port: int = 8000
    #: Legal bases an operation may cite. Empty: the built-in list (LED and GDPR articles).
    legal_bases: tuple[str, ...] = ()
    #: A signed-in session lasts this long; ``civicpulse logout`` ends it sooner.
    session_ttl_minutes: int = 480
    #: ``civicpulse serve`` runs the retention job this often (minutes); 0 turns the schedule off.
    retention_interval_minutes: float = 60.0
    #: Alerts per rule per window; further matches in the window become one "and N more" alert.
    alert_throttle_count: int = 10
    alert_throttle_window_s: float = 600.0
    #: Delivery rounds from the outbox (with growing pauses) before a delivery is marked failed.
    alert_delivery_attempts: int = 8
    #: HMAC-SHA256 secret that signs webhook bodies. Empty: generated once in ``data_dir/webhook.key``.
    webhook_secret: str = ""
    webhook_timeout_s: float = 5.0
    #: Attempts per delivery round (exponential backoff with jitter between them).
    webhook_retries: int = 3
    #: Allow webhooks to private, loopback and link-local addresses (an internal receiver, tests).
    webhook_allow_private: bool = False
    #: SMTP server for e-mailed alerts. Empty host: e-mail destinations cannot be delivered.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_from: str = "civicpulse@localhost"
    smtp_timeout_s: float = 10.0
    #: The dashboard logs a read of personal data once per session, endpoint and operation per this
    #: many minutes (a live stream again at each interval), not once per request or update.
    web_audit_interval_minutes: float = 10.0

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ConfigError("batch_size must be at least 1", fix="set batch_size to e.g. 2000")
        if self.max_latency_s <= 0:
            raise ConfigError("max_latency_s must be positive", fix="set max_latency_s to e.g. 0.5")
        if self.retention_interval_minutes < 0:
            raise ConfigError("retention_interval_minutes cannot be negative",
                              fix="set it to e.g. 60, or 0 to run 'civicpulse retention run' from cron instead")
        if self.web_audit_interval_minutes <= 0:
            raise ConfigError("web_audit_interval_minutes must be positive",
                              fix="set it to e.g. 10 (one audit entry per session and endpoint per 10 minutes)")
        if self.queue_batches < 1:
            raise ConfigError("queue_batches must be at least 1", fix="set queue_batches to e.g. 4")
        if self.near_duplicates_max_posts < 1 or self.near_duplicates_window_s <= 0:
            raise ConfigError("near_duplicates_max_posts and near_duplicates_window_s must be positive",
                              fix="set e.g. near_duplicates_max_posts = 30000, near_duplicates_window_s = 21600")
        if self.analyser_profile not in ("fast", "accurate"):
            raise ConfigError(f"analyser_profile {self.analyser_profile!r} is not a profile",
                              fix='set analyser_profile = "fast" (the default) or "accurate"')
        if not 0 <= self.places_h3_resolution <= 15:
            raise ConfigError("places_h3_resolution must be between 0 and 15", fix="set it to e.g. 8")
        if self.places_bbox and not _valid_bbox(self.places_bbox):
            raise ConfigError(f"places_bbox {list(self.places_bbox)} is not [south, west, north, east]",
                              fix="give four numbers, e.g. places_bbox = [53.70, -1.80, 53.95, -1.29]")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path(self.data_dir) / 'civicpulse.db'}"

    def resolved_pseudonym_key(self) -> bytes:
        """The pseudonymisation secret, creating the key file on first use."""
        if self.pseudonym_key:
            return self.pseudonym_key.encode()
        path = Path(self.data_dir) / "pseudonym.key"
        if path.exists():
            return path.read_bytes().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32).encode()
        # Create with 0600 from the start: the key must never be world-readable, even briefly.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        return key


_LISTS = ("analysers", "detectors", "legal_bases", "places_bbox")


def _valid_bbox(box: tuple[float, ...]) -> bool:
    if len(box) != 4:
        return False
    south, west, north, east = box
    return -90 <= south < north <= 90 and -180 <= west <= 180 and -180 <= east <= 180


def _from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    fields = set(Settings.__struct_fields__)
    values: dict[str, Any] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or name == f"{ENV_PREFIX}CONFIG":
            continue
        field = name[len(ENV_PREFIX):].lower()
        if field not in fields:
            continue
        values[field] = tuple(v.strip() for v in value.split(",") if v.strip()) if field in _LISTS \
            else value
    return values


def load_settings(
    config_file: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Defaults < file < environment < explicit ``overrides`` (e.g. CLI options)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = Path(config_file or environ.get(f"{ENV_PREFIX}CONFIG") or "civicpulse.toml")
    if path.exists():
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path} is not valid TOML: {error}", fix="correct the file") from None
    elif config_file is not None:
        raise ConfigError(f"config file {path} does not exist", fix="check the path given to --config")
    values.update(_from_env(environ))
    values.update({k: v for k, v in overrides.items() if v is not None})
    unknown = set(values) - set(Settings.__struct_fields__)
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}",
                          fix="see docs/configuration.md for the valid names")
    try:
        return msgspec.convert(values, Settings, strict=False)
    except msgspec.ValidationError as error:
        raise ConfigError(f"invalid setting: {error}", fix="see docs/configuration.md") from None
