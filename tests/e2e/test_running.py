"""Running modes: shards split over processes, the Message Content intent off, a privileged intent refused."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.app import open_core
from bot.client import RedNoteBot
from bot.client import run_bot as run_real_bot
from bot.config import Secret, Settings
from bot.errors import ConfigError
from tests.e2e.conftest import build_world, make_settings
from tests.fakediscord import FakeDiscord, WaitTimeout, patch_endpoints, run_bot


async def test_two_processes_split_the_shards(tmp_path) -> None:
    async with FakeDiscord(recommended_shards=2) as fake:
        even = fake.add_guild("Even", id=1000 << 22)
        odd = fake.add_guild("Odd", id=1001 << 22)
        for guild in (even, odd):
            guild.add_channel("general")
            fake.default_user = fake.add_user(f"user-{guild.name}")
            guild.add_member(fake.default_user)
        base = make_settings(tmp_path)
        async with open_core(base) as core:
            bots = [
                RedNoteBot(core, Settings(database_url=base.database_url, shard_count=2, shard_ids=(shard,)))
                for shard in (0, 1)
            ]
            async with run_bot(bots[0], fake, wait_ready=False), run_bot(bots[1], fake, wait_ready=False):
                await fake.wait_until_ready(15)
                await fake.wait_until(lambda: len(fake.sessions) == 2 or None, 15, "both shard processes")
                assert sorted(fake.sessions) == [0, 1]
                await fake.wait_until(lambda: all(b.guilds for b in bots) or None, 15, "each shard's guild")
                assert [b.shard_ids for b in bots] == [[0], [1]]
                assert [g.id for g in bots[0].guilds] == [even.id] and [g.id for g in bots[1].guilds] == [
                    odd.id
                ]
                for guild in (even, odd):
                    user = next(iter(guild.members.values())).user
                    h = await fake.slash("ask", {"question": "what is the cat tax"}, guild=guild, user=user)
                    assert "cat-tax" in (await h.wait_message()).embed["footer"]["text"]


async def test_without_message_content_intent(tmp_path, caplog: pytest.LogCaptureFixture) -> None:
    async with FakeDiscord() as fake:
        guild, *_ = build_world(fake)
        settings = make_settings(tmp_path, message_content_intent=False)
        async with open_core(settings) as core:
            await core.guild_settings.update(guild.id, chat_channel_ids=[guild.channel("general").id])
            bot = RedNoteBot(core, settings)
            with caplog.at_level(logging.WARNING, logger="bot.client"):
                async with run_bot(bot, fake):
                    assert "MESSAGE_CONTENT_INTENT is off" in caplog.text
                    unseen = await fake.send_message("what is the cat tax?")
                    with pytest.raises(WaitTimeout):  # no reply: the content is not delivered
                        await unseen.wait_reply(timeout=0.6)
                    mentioned = await fake.send_message(f"{fake.bot_user.mention} what is the cat tax?")
                    assert "cat-tax" in (await mentioned.wait_reply()).embed["footer"]["text"]
                    h = await fake.slash("ask", {"question": "what is the cat tax"})
                    assert (await h.wait_message()).embed


async def test_privileged_intent_not_enabled_is_one_clear_error(tmp_path) -> None:
    async with FakeDiscord() as fake:
        fake.default_world()
        fake.allowed_privileged_intents = 0
        settings = Settings(
            discord_token=Secret(fake.token + "-padding-to-look-real"),
            database_url=make_settings(tmp_path).database_url,
            discord_api_base=fake.api_base,
            discord_gateway_url=fake.gateway_url,
        )
        fake.token = settings.discord_token.get()
        with patch_endpoints(fake), pytest.raises(ConfigError, match="Message Content intent is not enabled"):
            await asyncio.wait_for(run_real_bot(settings), 30)
