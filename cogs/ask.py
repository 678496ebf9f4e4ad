"""Members' commands: /ask, /topic (with autocomplete) and /topics (browse by category)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.messages import lang_for_locale, t
from bot.replies import clip, compose_entry, entry_title
from cogs.ui.items import DYNAMIC_ITEMS, answer_parts, answer_view, topics_page
from cogs.ui.options import CATEGORY_CHOICES, MAX_QUESTION
from cogs.ui.render import NO_MENTIONS, reply_embed

if TYPE_CHECKING:
    from bot.app import Core


class AskCog(commands.Cog):
    """Answers for everyone."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def answer(self, interaction: discord.Interaction, question: str) -> None:
        """Answer `question` in its language (or the guild's), with the buttons under it."""
        if not question.strip():
            await interaction.response.send_message(
                t("empty.question", lang_for_locale(interaction.locale)), ephemeral=True
            )
            return
        result = await self.core.knowledge.ask(
            question[:MAX_QUESTION],
            interaction.guild_id,
            locale=str(interaction.locale),
            channel_id=interaction.channel_id,
            user_id=interaction.user.id,
        )
        mode = (
            (await self.core.guild_settings.get(interaction.guild_id)).language
            if interaction.guild_id
            else "auto"
        )
        embed, view = answer_parts(result, mode)
        kwargs = {"embed": embed, "allowed_mentions": NO_MENTIONS}
        if view is not None:
            kwargs["view"] = view
        await interaction.response.send_message(**kwargs)

    @app_commands.command(name="ask", description="Ask a question about RedNote in English or Chinese")
    @app_commands.describe(question="Your question, in any words")
    async def ask(
        self, interaction: discord.Interaction, question: app_commands.Range[str, 1, MAX_QUESTION]
    ) -> None:
        await self.answer(interaction, question)

    @app_commands.command(name="topic", description="Show the answer of one topic")
    @app_commands.describe(name="Start typing to search the topics")
    async def topic(self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 200]) -> None:
        lang = lang_for_locale(interaction.locale)
        entry = await self.core.knowledge.find(name, interaction.guild_id)
        if entry is None:  # typed text without picking a suggestion: treat it as a question
            await self.answer(interaction, name)
            return
        await interaction.response.send_message(
            embed=reply_embed(compose_entry(entry, lang)),
            view=answer_view(entry, lang),
            allowed_mentions=NO_MENTIONS,
        )

    @topic.autocomplete("name")
    async def topic_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        lang = lang_for_locale(interaction.locale)
        ranked = await self.core.knowledge.complete(current, interaction.guild_id, lang)
        return [app_commands.Choice(name=clip(entry_title(e, lang), 100), value=e.slug) for e in ranked]

    @app_commands.command(name="topics", description="Browse every topic by category")
    @app_commands.describe(category="Only this category")
    @app_commands.choices(category=CATEGORY_CHOICES)
    async def topics(
        self, interaction: discord.Interaction, category: app_commands.Choice[str] | None = None
    ) -> None:
        lang = lang_for_locale(interaction.locale)
        entries = await self.core.knowledge.entries(interaction.guild_id)
        embed, view = topics_page(entries, lang, category.value if category else None)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    core: Core = bot.core  # type: ignore[attr-defined]
    bot.add_dynamic_items(*DYNAMIC_ITEMS)
    await core.knowledge.entries(None)  # warm the shared index before the first question
    await bot.add_cog(AskCog(core))
