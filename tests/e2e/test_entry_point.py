"""`python -m bot run`, the real entry point, against the fake Discord: start, answer, sync once, stop cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from tests.conftest import REPO_ROOT
from tests.e2e.conftest import build_world
from tests.fakediscord import FakeDiscord

TOKEN = "fake-token-for-the-entry-point-test-0123456789"
APP_ID = 1234567890123456789


async def start_bot(fake: FakeDiscord, tmp_path, **extra: str) -> asyncio.subprocess.Process:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.sqlite3'}",
        "LOG_LEVEL": "INFO",
        **extra,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def stop(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    output, _ = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 0, output.decode()
    return output.decode()


def command_puts(fake: FakeDiscord) -> int:
    return sum(1 for c in fake.calls if c.method == "PUT" and c.path.endswith("/commands"))


async def test_run_answers_syncs_once_and_stops_cleanly(tmp_path) -> None:
    async with FakeDiscord(token=TOKEN, application_id=APP_ID) as fake:
        build_world(fake)
        process = await start_bot(fake, tmp_path)
        try:
            await fake.wait_until(lambda: fake.commands() or None, 30, "the bot to register its commands")
            await fake.wait_until_ready(30)
            h = await fake.slash("ask", {"question": "什么是猫税"})
            assert "猫税" in (await h.wait_message(timeout=10)).embed["description"]
        finally:
            output = await stop(process)
        assert "bot stopped" in output and TOKEN not in output
        assert command_puts(fake) == 1
        fake.assert_clean()
        registered = fake.registered_commands  # Discord keeps the commands across a restart

    async with FakeDiscord(
        token=TOKEN, application_id=APP_ID
    ) as fake:  # a restart: same database, same commands -> no sync
        build_world(fake)
        fake.registered_commands = registered
        process = await start_bot(fake, tmp_path)
        try:
            await fake.wait_until_ready(30)
            h = await fake.slash("ask", {"question": "what is the cat tax"})
            await h.wait_message(timeout=10)
        finally:
            output = await stop(process)
        assert command_puts(fake) == 0 and "slash commands unchanged" in output


async def test_run_with_a_refused_token_is_one_clear_line(tmp_path) -> None:
    async with FakeDiscord(token="a-different-token-that-the-fake-expects-000") as fake:
        process = await start_bot(fake, tmp_path)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
        text = output.decode()
        assert process.returncode == 2, text
        assert "DISCORD_TOKEN was refused" in text and "Traceback" not in text and TOKEN not in text
