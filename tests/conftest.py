"""Shared fixtures: a migrated database on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.database import create_engine, create_sessionmaker, migrate

REPO_ROOT = Path(__file__).resolve().parents[1]
BACKENDS = ("sqlite", "postgresql")


def cli_env(workdir: Path) -> dict[str, str]:
    """The environment of a `python -m bot` process: this checkout, a database and index cache in `workdir`."""
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'cli.sqlite3'}",
        "INDEX_CACHE_DIR": str(workdir / "index-cache"),
    }
    env.pop("DISCORD_TOKEN", None)
    return env


def postgres_url() -> str | None:
    """TEST_DATABASE_URL, or None; with REQUIRE_POSTGRES=1 (CI) its absence fails the run."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url and os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set: the PostgreSQL tests must run")
    return url


async def _pg_admin(url: str, statement: str) -> None:
    import asyncpg

    parsed = make_url(url)
    conn = await asyncpg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        database=parsed.database or "postgres",
    )
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A URL of an empty database of each backend, dropped after the test."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
        return
    base = postgres_url()
    if not base:
        pytest.skip("set TEST_DATABASE_URL=postgresql+asyncpg://... to run the PostgreSQL tests")
    name = f"bot_test_{uuid.uuid4().hex[:12]}"
    await _pg_admin(base, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        await _pg_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated database engine."""
    engine = create_engine(db_url)
    await migrate(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine):  # type: ignore[no-untyped-def]
    return create_sessionmaker(engine)
