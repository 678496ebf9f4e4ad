"""Typed settings read from the environment (and `.env`), validated in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from bot.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/bot.sqlite3"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Secret:
    """A string that never shows itself in a repr, a log line or a traceback."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        """The real value, for the one place that needs it."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('********')" if self._value else "Secret('')"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the bot can be configured with. Tests build it directly."""

    discord_token: Secret = field(default_factory=lambda: Secret(""))
    database_url: str = DEFAULT_DATABASE_URL
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    log_level: str = "INFO"
    owner_ids: frozenset[int] = frozenset()
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    message_content_intent: bool = True
    knowledge_dir: Path | None = None
    sync_commands: bool = True
    index_cache_dir: Path | None = None
    """Where `ask` and `chat` keep built search indexes (bot.knowledge.index_cache); None: build each time."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Validate `env`; a bad value raises ConfigError naming the variable and the fix."""

        def get(name: str) -> str | None:
            value = env.get(name)
            return value.strip() if value is not None and value.strip() else None

        shard_count = _positive_int(get("SHARD_COUNT"), "SHARD_COUNT")
        shard_ids = _int_list(get("SHARD_IDS"), "SHARD_IDS")
        if shard_ids is not None:
            if shard_count is None:
                raise ConfigError("SHARD_IDS is set without SHARD_COUNT: set SHARD_COUNT too.")
            bad = [i for i in shard_ids if i >= shard_count]
            if bad:
                raise ConfigError(
                    f"SHARD_IDS has {bad[0]}, but shard ids run from 0 to SHARD_COUNT-1 ({shard_count - 1})."
                )
        level = (get("LOG_LEVEL") or "INFO").upper()
        if level not in LOG_LEVELS:
            raise ConfigError(f"LOG_LEVEL is {level!r}: use one of {', '.join(LOG_LEVELS)}.")
        knowledge_dir = get("KNOWLEDGE_DIR")
        return cls(
            discord_token=Secret(get("DISCORD_TOKEN") or ""),
            database_url=_database_url(get("DATABASE_URL")),
            discord_api_base=_url(get("DISCORD_API_BASE"), "DISCORD_API_BASE", ("http", "https")),
            discord_gateway_url=_url(get("DISCORD_GATEWAY_URL"), "DISCORD_GATEWAY_URL", ("ws", "wss")),
            log_level=level,
            owner_ids=frozenset(_int_list(get("OWNER_IDS"), "OWNER_IDS") or ()),
            shard_count=shard_count,
            shard_ids=shard_ids,
            message_content_intent=_bool(get("MESSAGE_CONTENT_INTENT"), "MESSAGE_CONTENT_INTENT", True),
            knowledge_dir=Path(knowledge_dir) if knowledge_dir else None,
            sync_commands=_bool(get("SYNC_COMMANDS"), "SYNC_COMMANDS", True),
            index_cache_dir=_index_cache_dir(get("INDEX_CACHE_DIR"), get("XDG_CACHE_HOME")),
        )

    def require_token(self) -> str:
        """The bot token, or a ConfigError telling how to provide it."""
        token = self.discord_token.get()
        if not token:
            raise ConfigError(
                "DISCORD_TOKEN is not set: copy .env.example to .env and paste your bot's token "
                "(Discord developer portal -> your application -> Bot -> Reset Token)."
            )
        if any(ch.isspace() for ch in token) or len(token) < 20:
            raise ConfigError("DISCORD_TOKEN does not look like a bot token: paste it again without quotes.")
        return token


def load_settings(env_file: str | os.PathLike[str] | None = ".env") -> Settings:
    """Settings from the process environment, after loading `.env` (which never overrides it)."""
    if env_file and Path(env_file).is_file():
        from dotenv import load_dotenv

        load_dotenv(env_file, override=False)
    return Settings.from_env(os.environ)


def _database_url(raw: str | None) -> str:
    url = raw or DEFAULT_DATABASE_URL
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme.startswith("sqlite") and "+aiosqlite" not in scheme:
        raise ConfigError("DATABASE_URL must use the async driver: sqlite+aiosqlite:///path/to/bot.sqlite3")
    if scheme.startswith("postgres") and "+asyncpg" not in scheme:
        raise ConfigError("DATABASE_URL must use the async driver: postgresql+asyncpg://user:pass@host/db")
    if scheme not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
        raise ConfigError(
            "DATABASE_URL is not understood: use sqlite+aiosqlite:///data/bot.sqlite3 "
            "or postgresql+asyncpg://user:pass@host:5432/dbname"
        )
    return url


def _index_cache_dir(raw: str | None, xdg_cache_home: str | None) -> Path | None:
    """INDEX_CACHE_DIR (`off`: no cache); by default the user's cache directory."""
    if raw is not None:
        return None if raw.lower() == "off" else Path(raw).expanduser()
    return (Path(xdg_cache_home) if xdg_cache_home else Path.home() / ".cache") / "rednote-bot" / "indexes"


def _url(raw: str | None, name: str, schemes: tuple[str, ...]) -> str | None:
    if raw is None:
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in schemes or not parsed.netloc:
        raise ConfigError(f"{name} is {raw!r}: give a full URL starting with {' or '.join(schemes)}://")
    return raw.rstrip("/")


def _positive_int(raw: str | None, name: str) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name} is {raw!r}: give a whole number of at least 1.")
    return int(raw)


def _int_list(raw: str | None, name: str) -> tuple[int, ...] | None:
    if raw is None:
        return None
    parts = [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        raise ConfigError(f"{name} is {raw!r}: give whole numbers separated by commas, e.g. 0,1")
    return tuple(int(p) for p in parts)


def _bool(raw: str | None, name: str, default: bool) -> bool:
    if raw is None:
        return default
    value = raw.lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} is {raw!r}: use true or false.")
