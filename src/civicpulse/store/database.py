"""Opening a database: engine creation, SQLite tuning, and Alembic migrations.

SQLite is the embedded default: WAL so that the dashboard reads while the pipeline writes, and one
writer (the pipeline's single store thread), which is what SQLite is good at. PostgreSQL is reached
through a ``postgresql://`` URL (driver: psycopg 3) and runs the same migrations.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from civicpulse.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["connect", "current_revision", "head_revision", "upgrade"]

_MIGRATIONS = Path(__file__).parent / "migrations"


def connect(url: str) -> Engine:
    """An engine for ``url``; raises :class:`StoreError` with a fix for a bad URL."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            f"not a database URL: {url!r}",
            fix="use e.g. sqlite:///civicpulse-data/civicpulse.db or postgresql://user@host/dbname",
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed.database)
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except NoSuchModuleError:
        raise StoreError(
            f"unsupported database type {parsed.drivername!r}",
            fix="use an sqlite:/// or postgresql:// URL",
        ) from None
    except ModuleNotFoundError as error:
        raise StoreError(f"the database driver is not installed ({error.name})",
                         fix="pip install 'civicpulse[postgres]'") from None


def _sqlite_engine(database: str | None) -> Engine:
    if database and database != ":memory:":
        parent = Path(database).parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot create the database folder {parent}: {error.strerror}",
                             fix="choose a writable path in CIVICPULSE_DATABASE_URL") from None
    engine = create_engine(f"sqlite:///{database or ':memory:'}")

    @event.listens_for(engine, "connect")
    def _tune(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable across application crashes in WAL mode (only an OS crash can lose the
        # last commits), which matches at-least-once delivery from a stored cursor.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        # 64 MiB page cache: index inserts (post id, author pseudonym) touch random pages.
        cursor.execute("PRAGMA cache_size=-65536")
        # Checkpoint every ~40 MB of WAL instead of 4 MB: fewer fsyncs on a busy ingest.
        cursor.execute("PRAGMA wal_autocheckpoint=10000")
        cursor.close()

    return engine


# Alembic is imported where it is used: a store worker process only connects, and starts faster.


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (idempotent)."""
    from alembic import command

    config = _alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except OperationalError as error:
        raise StoreError(f"cannot reach the database: {error.orig}",
                         fix="check CIVICPULSE_DATABASE_URL and that the server is running") from None
