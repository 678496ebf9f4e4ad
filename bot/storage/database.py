"""Engine and session factory creation, SQLite pragmas, and migrating to the newest schema."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000
SCHEMA_HEAD = "0001"
"""The newest migration; a test checks it against the migrations directory. Bump it with each migration."""


def create_engine(url: str) -> AsyncEngine:
    """An async engine; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True)
    database = parsed.database
    if database and database != ":memory:":
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        if database and database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    """One factory for the whole process; one session per user action."""
    return async_sessionmaker(engine, expire_on_commit=False)


def _alembic_config(connection=None):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration in the repository."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


async def current_revision(engine: AsyncEngine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    from sqlalchemy import inspect, text

    async with engine.connect() as conn:
        has_table = await conn.run_sync(lambda c: inspect(c).has_table("alembic_version"))
        if not has_table:
            return None
        row = (await conn.execute(text("SELECT version_num FROM alembic_version"))).first()
        return row[0] if row else None


async def migrate(engine: AsyncEngine) -> None:
    """Upgrade the database to the newest migration (no-op when it is already there)."""
    from alembic import command

    def upgrade(sync_conn) -> None:  # type: ignore[no-untyped-def]
        command.upgrade(_alembic_config(sync_conn), "head")

    async with engine.begin() as conn:
        await conn.run_sync(upgrade)
    log.info("database schema is at %s", head_revision())


async def ensure_schema(engine: AsyncEngine) -> None:
    """Migrate unless the database is already at SCHEMA_HEAD (a cheap check, so start-up stays fast)."""
    if await current_revision(engine) != SCHEMA_HEAD:
        await migrate(engine)
