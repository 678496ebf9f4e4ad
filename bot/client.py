"""The one core module that knows discord.py: it builds the Bot, loads the cogs and runs it."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import signal
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.app import Core, open_core
from bot.command_text import COMMAND_TEXT_ZH
from bot.config import Settings
from bot.engine import common_words
from bot.errors import ConfigError

log = logging.getLogger(__name__)

EXTENSIONS: tuple[str, ...] = ("cogs.ask", "cogs.chat", "cogs.faq", "cogs.config")
COMMAND_HASH_KEY = "command_tree_hash"


class CommandTranslator(app_commands.Translator):
    """Chinese command names, descriptions and choices for zh-CN, and in Traditional for zh-TW."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContext,
    ) -> str | None:
        if locale not in (discord.Locale.chinese, discord.Locale.taiwan_chinese):
            return None
        text = COMMAND_TEXT_ZH.get(string.message)
        if text is None:
            return None
        if locale is discord.Locale.taiwan_chinese:
            from bot.engine import to_traditional

            return to_traditional(text)
        return text


def point_at_discord(settings: Settings) -> None:
    """Honour DISCORD_API_BASE and DISCORD_GATEWAY_URL (a local Discord-compatible server in tests)."""
    if settings.discord_api_base:
        # DEP-WARN: Route.BASE and DEFAULT_GATEWAY are class attributes discord.py reads for every request.
        discord.http.Route.BASE = settings.discord_api_base
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def build_intents(settings: Settings) -> discord.Intents:
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True  # direct messages are questions to the bot (their text needs no privilege)
    intents.message_content = settings.message_content_intent
    return intents


class RedNoteBot(commands.AutoShardedBot):
    """The bot: the core is injected; cogs get what they need from it in their setup()."""

    def __init__(self, core: Core, settings: Settings) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=build_intents(settings),
            help_command=None,
            shard_count=settings.shard_count,
            shard_ids=list(settings.shard_ids) if settings.shard_ids is not None else None,
            allowed_mentions=discord.AllowedMentions.none(),
            owner_ids=set(settings.owner_ids) or None,
        )
        self.core = core
        self.settings = settings

    async def setup_hook(self) -> None:
        from cogs.ui.errors import report_error

        self.tree.error(report_error)
        await self.tree.set_translator(CommandTranslator())
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await asyncio.to_thread(common_words.warm)  # off the event loop: its import takes ~0.2 s
        if not self.settings.message_content_intent:
            log.warning(
                "MESSAGE_CONTENT_INTENT is off: the bot answers slash commands and messages that mention it, "
                "but not questions typed in enabled channels. Enable the intent in the developer portal "
                "and set MESSAGE_CONTENT_INTENT=true to answer in chat."
            )
        if self.settings.sync_commands:
            await self.sync_commands_if_changed()

    async def command_payload(self) -> list[dict[str, Any]]:
        """The global command tree as Discord receives it, translations included."""
        translator = self.tree.translator
        commands_ = self.tree.get_commands()
        if translator is None:
            return [c.to_dict(self.tree) for c in commands_]
        # DEP-WARN: get_translated_payload is what CommandTree.sync sends.
        return [await c.get_translated_payload(self.tree, translator) for c in commands_]

    async def sync_commands_if_changed(self) -> bool:
        """Sync the slash commands only when the tree differs from the last synced one."""
        payload = await self.command_payload()
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        key = f"{COMMAND_HASH_KEY}:{self.application_id}"
        if await self.core.meta.get(key) == digest:
            log.info("slash commands unchanged, not syncing")
            return False
        synced = await self.tree.sync()
        await self.core.meta.set(key, digest)
        log.info("synced %d slash commands", len(synced))
        return True

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: chat answering is the chat cog's listener, so nothing is parsed here."""

    async def on_ready(self) -> None:
        log.info(
            "ready as %s (id %s) in %d guilds",
            self.user,
            self.user.id if self.user else "?",
            len(self.guilds),
        )


def _install_signal_handlers(bot: RedNoteBot) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))


async def run_bot(settings: Settings) -> None:
    """Open the core, start the bot, and close everything cleanly on SIGINT/SIGTERM."""
    token = settings.require_token()
    point_at_discord(settings)
    async with open_core(settings) as core:
        bot = RedNoteBot(core, settings)
        _install_signal_handlers(bot)
        try:
            async with bot:
                await bot.start(token)
        except discord.LoginFailure:
            raise ConfigError(
                "DISCORD_TOKEN was refused by Discord: reset the token in the developer portal and paste it again."
            ) from None
        except discord.PrivilegedIntentsRequired:
            raise ConfigError(
                "The Message Content intent is not enabled for this bot: enable it in the developer portal "
                "(Bot -> Privileged Gateway Intents) or set MESSAGE_CONTENT_INTENT=false."
            ) from None
        log.info("bot stopped")
