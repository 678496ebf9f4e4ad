"""Fixtures. Enable with ``pytest_plugins = ["tests.fakediscord.pytest_plugin"]`` in the root conftest.py."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from .server import FakeDiscord


@pytest_asyncio.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A started `FakeDiscord` with `FakeDiscord.default_world` built; fails the test on unknown routes."""
    async with FakeDiscord() as fake:
        fake.default_world()
        yield fake
        unknown = fake.unknown_calls
        assert not unknown, "the bot hit routes the fake does not know:\n" + "\n".join(map(str, unknown))
