"""Answers in chat: in channels an admin enabled, wherever the bot is mentioned or replied to, and in direct
messages."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.chat_policy import Cooldowns, answers_unprompted, looks_like_question
from bot.messages import lang_for_locale, t
from cogs.ui.items import answer_parts
from cogs.ui.options import MAX_QUESTION
from cogs.ui.render import NO_MENTIONS

if TYPE_CHECKING:
    from bot.app import Core
    from bot.knowledge.service import Answer

log = logging.getLogger(__name__)


class ChatCog(commands.Cog):
    """Replies (without pinging) to questions it can answer confidently; never to bots or itself."""

    def __init__(self, bot: commands.Bot, core: Core, cooldowns: Cooldowns | None = None) -> None:
        self.bot = bot
        self.core = core
        self.cooldowns = cooldowns or Cooldowns()

    def _addressed(self, message: discord.Message) -> tuple[bool, str]:
        """Whether the message mentions or replies to the bot, and its text without the bot's mention."""
        me = self.bot.user
        if me is None:
            return False, message.content
        mentioned = any(user.id == me.id for user in message.mentions)
        reference = message.reference.resolved if message.reference else None
        replied = isinstance(reference, discord.Message) and reference.author.id == me.id
        text = re.sub(rf"<@!?{me.id}>", " ", message.content).strip()
        return mentioned or replied, text

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None:
            return
        if message.guild is None:
            await self._answer_direct_message(message)
            return
        addressed, text = self._addressed(message)
        settings = await self.core.guild_settings.get(message.guild.id)
        channel = message.channel
        parent_id = getattr(channel, "parent_id", None)
        enabled = channel.id in settings.chat_channel_ids or (parent_id in settings.chat_channel_ids)
        if not (addressed or enabled):
            return
        locale = str(message.guild.preferred_locale)
        if not text:
            if addressed and self.cooldowns.allow(message.author.id, channel.id):
                await message.reply(
                    t("mention.hint", lang_for_locale(locale)),
                    mention_author=False,
                    allowed_mentions=NO_MENTIONS,
                )
            return
        if not addressed and not looks_like_question(text):
            return
        result = await self.core.knowledge.ask(
            text[:MAX_QUESTION],
            message.guild.id,
            locale=locale,
            log_unanswered=addressed,
            channel_id=channel.id,
            user_id=message.author.id,
        )
        if not addressed and (result.entry is None or not answers_unprompted(result.match.score)):
            return  # unprompted, only a confident answer is worth interrupting a channel
        if not self.cooldowns.allow(message.author.id, channel.id):
            log.debug("chat cooldown for user %s in channel %s", message.author.id, channel.id)
            return
        await _reply(message, result, settings.language)

    async def _answer_direct_message(self, message: discord.Message) -> None:
        """A direct message is a question to the bot: answered from the shipped knowledge base, in the
        question's language, abstentions included (with "did you mean" topics); nothing is logged."""
        text = message.content.strip()
        if not text:
            return
        if not self.cooldowns.allow(message.author.id, message.channel.id):
            log.debug("chat cooldown for user %s in DMs", message.author.id)
            return
        result = await self.core.knowledge.ask(text[:MAX_QUESTION], None, log_unanswered=False)
        await _reply(message, result, "auto")


async def _reply(message: discord.Message, result: Answer, language_mode: str) -> None:
    """Answer `message` with the /ask embed and buttons, pinging no one."""
    embed, view = answer_parts(result, language_mode)
    try:
        await message.reply(embed=embed, view=view, mention_author=False, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as exc:
        log.warning("could not answer message %s in channel %s: %s", message.id, message.channel.id, exc)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(ChatCog(bot, bot.core))  # type: ignore[attr-defined]
