"""Running a real discord.py client against a `FakeDiscord`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from .server import FakeDiscord

_log = logging.getLogger("tests.fakediscord")


@contextlib.contextmanager
def patch_endpoints(fake: FakeDiscord) -> Iterator[None]:
    """Point discord.py's two hard-coded endpoints (REST base, default gateway) at the fake; restore after."""
    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = fake.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield
    finally:
        Route.BASE = old_base
        DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class BotRunner:
    """Logs ``bot`` in against ``fake``, runs ``bot.connect()`` in a task, and shuts it down cleanly.

    ``errors`` collects ERROR log records of the ``discord`` logger (where discord.py reports exceptions in
    commands, views, modals and events); `assert_no_errors` fails the test with their tracebacks.
    """

    def __init__(
        self,
        bot: discord.Client,
        fake: FakeDiscord,
        *,
        ready_timeout: float = 10.0,
        wait_ready: bool = True,
        error_loggers: tuple[str, ...] = ("discord",),
    ) -> None:
        self.bot = bot
        self.fake = fake
        self.ready_timeout = ready_timeout
        self.wait_ready = wait_ready
        self.task: asyncio.Task[None] | None = None
        self._patch: contextlib.AbstractContextManager[None] | None = None
        self._collector = _ErrorCollector()
        self._error_loggers = error_loggers

    def assert_no_errors(self) -> None:
        if self._collector.records:
            formatter = logging.Formatter("%(name)s: %(message)s")
            text = "\n".join(formatter.format(r) for r in self._collector.records)
            raise AssertionError(f"the bot logged errors:\n{text}")

    async def start(self) -> BotRunner:
        for name in self._error_loggers:
            logging.getLogger(name).addHandler(self._collector)
        self._patch = patch_endpoints(self.fake)
        self._patch.__enter__()
        try:
            await self.bot.login(self.fake.token)
            self.task = asyncio.create_task(self.bot.connect(reconnect=True), name="fake-discord-bot")
            self.fake.watch(self.task)
            if self.wait_ready:
                await self.fake.wait_until_ready(self.ready_timeout)
        except BaseException:
            await self.stop()
            raise
        return self

    async def stop(self) -> None:
        try:
            if not self.bot.is_closed():
                await self.bot.close()
            if self.task is not None:
                try:
                    await asyncio.wait_for(self.task, timeout=10)
                except (asyncio.CancelledError, Exception) as exc:  # the test's outcome matters more
                    _log.debug("bot task ended with %r", exc)
        finally:
            for name in self._error_loggers:
                logging.getLogger(name).removeHandler(self._collector)
            if self._patch is not None:
                self._patch.__exit__(None, None, None)
                self._patch = None

    async def __aenter__(self) -> BotRunner:
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()


def run_bot(bot: discord.Client, fake: FakeDiscord, **kwargs: Any) -> BotRunner:
    """``async with run_bot(bot, fake) as runner:`` — the bot is logged in, connected and has its guilds."""
    return BotRunner(bot, fake, **kwargs)
