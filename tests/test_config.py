"""Settings validation: one clear line per problem, the token never shown."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import DEFAULT_DATABASE_URL, Settings
from bot.errors import ConfigError
from tests.conftest import REPO_ROOT


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.log_level == "INFO" and settings.shard_count is None and settings.message_content_intent


def test_index_cache_dir(tmp_path: Path) -> None:
    assert Settings().index_cache_dir is None  # built directly (tests): no cache
    default = Settings.from_env({"XDG_CACHE_HOME": str(tmp_path)}).index_cache_dir
    assert default == tmp_path / "rednote-bot" / "indexes"
    assert Settings.from_env({}).index_cache_dir == Path.home() / ".cache" / "rednote-bot" / "indexes"
    assert Settings.from_env({"INDEX_CACHE_DIR": str(tmp_path / "c")}).index_cache_dir == tmp_path / "c"
    assert Settings.from_env({"INDEX_CACHE_DIR": "OFF"}).index_cache_dir is None


def test_full_environment() -> None:
    settings = Settings.from_env(
        {
            "DISCORD_TOKEN": "abc.def.ghijklmnopqrstuvwxyz",
            "DATABASE_URL": "postgresql+asyncpg://u:p@localhost/db",
            "DISCORD_API_BASE": "http://127.0.0.1:8080/api/v10/",
            "DISCORD_GATEWAY_URL": "ws://127.0.0.1:8080/gateway",
            "LOG_LEVEL": "debug",
            "OWNER_IDS": "1, 2",
            "SHARD_COUNT": "4",
            "SHARD_IDS": "2,3",
            "MESSAGE_CONTENT_INTENT": "false",
        }
    )
    assert settings.discord_api_base == "http://127.0.0.1:8080/api/v10"
    assert settings.owner_ids == frozenset({1, 2}) and settings.shard_ids == (2, 3)
    assert settings.log_level == "DEBUG" and not settings.message_content_intent


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite:///x.db"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://u@h/db"}, "DATABASE_URL"),
        ({"SHARD_COUNT": "zero"}, "SHARD_COUNT"),
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT"),
        ({"SHARD_IDS": "0"}, "SHARD_IDS"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0,2"}, "SHARD_IDS"),
        ({"OWNER_IDS": "me"}, "OWNER_IDS"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"DISCORD_API_BASE": "localhost:8080"}, "DISCORD_API_BASE"),
        ({"DISCORD_GATEWAY_URL": "http://x"}, "DISCORD_GATEWAY_URL"),
        ({"MESSAGE_CONTENT_INTENT": "maybe"}, "MESSAGE_CONTENT_INTENT"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env(env)
    assert names in str(info.value) and "\n" not in str(info.value)


def test_token_is_masked() -> None:
    token = "not-a-real-token.abcdef.secret-part-for-the-masking-test"
    settings = Settings.from_env({"DISCORD_TOKEN": token})
    assert token not in repr(settings) and token not in str(settings.discord_token)
    assert settings.require_token() == token


def test_missing_token_is_one_clear_line(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: DISCORD_TOKEN is not set")
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_malformed_value_is_one_clear_line(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "kb", "stats"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT), "SHARD_COUNT": "many"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "SHARD_COUNT" in result.stderr and "Traceback" not in result.stderr
