"""Admins curate the server's FAQ with the /faq command group."""

from __future__ import annotations

from discord.ext import commands

from cogs.faq.cog import FaqCog


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(FaqCog(bot.core))  # type: ignore[attr-defined]
