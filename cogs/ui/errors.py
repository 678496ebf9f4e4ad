"""The one error path: domain errors become a polite ephemeral message; the rest is logged with ids."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.errors import BotError
from bot.messages import lang_for_locale, t
from cogs.ui.render import NO_MENTIONS

log = logging.getLogger(__name__)


async def send_ephemeral(interaction: discord.Interaction, content: str, **kwargs: object) -> None:
    """Reply privately, whether or not the interaction was already answered."""
    content = content[:2000]
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=True, allowed_mentions=NO_MENTIONS, **kwargs)
    else:
        await interaction.response.send_message(
            content, ephemeral=True, allowed_mentions=NO_MENTIONS, **kwargs
        )


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the user what went wrong in their language; log anything unexpected."""
    original = getattr(error, "original", error)
    lang = lang_for_locale(interaction.locale)
    if isinstance(original, BotError):
        message = original.message(lang)
    elif isinstance(original, app_commands.NoPrivateMessage):
        message = t("error.guild_only", lang)
    elif isinstance(original, app_commands.CommandOnCooldown):
        message = t("error.cooldown", lang)
    else:
        log.error(
            "error in interaction %s (command %s, guild %s, user %s)",
            interaction.id,
            interaction.command.qualified_name if interaction.command else None,
            interaction.guild_id,
            interaction.user.id if interaction.user else None,
            exc_info=original,
        )
        message = t("error.generic", lang)
    try:
        await send_ephemeral(interaction, message)
    except discord.HTTPException:
        log.warning("could not report an error to interaction %s", interaction.id)


class ReportingModal(discord.ui.Modal):
    """A modal whose failures reach the user through `report_error`, like a command's (discord.py's default
    only logs them, and the user sees "interaction failed")."""

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await report_error(interaction, error)
