"""The real bot (RedNoteBot with every cog, on a real SQLite core) connected to a fake Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest_asyncio

from bot.app import Core, open_core
from bot.client import RedNoteBot
from bot.config import Settings
from tests.fakediscord import BotRunner, ChannelType, FakeDiscord, Guild, Perm, Role, User, run_bot


@dataclass
class World:
    fake: FakeDiscord
    bot: RedNoteBot
    core: Core
    runner: BotRunner
    guild: Guild
    other: Guild
    editor: User
    editor_role: Role
    other_admin: User

    @property
    def member(self) -> User:
        return self.fake.member

    @property
    def moderator(self) -> User:
        return self.fake.moderator


def build_world(fake: FakeDiscord) -> tuple[Guild, Guild, User, Role, User]:
    guild = fake.default_world()
    editor_role = guild.add_role("Editors")
    editor = fake.add_user("editor")
    guild.add_channel(
        "general-questions", ChannelType.PUBLIC_THREAD, parent=guild.channel("general"), owner=fake.member
    )
    guild.add_member(editor, [editor_role])
    other = fake.add_guild("Other Guild")
    other.add_channel("lobby")
    other_admin = fake.add_user("otheradmin")
    other.add_member(other_admin, [other.add_role("Admins", Perm.MANAGE_GUILD)])
    other.add_member(fake.member)
    return guild, other, editor, editor_role, other_admin


def make_settings(tmp_path, **changes: object) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'e2e.sqlite3'}", **changes)  # type: ignore[arg-type]


@pytest_asyncio.fixture
async def world(tmp_path) -> AsyncIterator[World]:
    async with FakeDiscord() as fake:
        guild, other, editor, editor_role, other_admin = build_world(fake)
        settings = make_settings(tmp_path)
        async with open_core(settings) as core:
            bot = RedNoteBot(core, settings)
            async with run_bot(bot, fake) as runner:
                yield World(fake, bot, core, runner, guild, other, editor, editor_role, other_admin)
                runner.assert_no_errors()
        fake.assert_clean()
