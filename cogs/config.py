"""/config: the guild's answer language, chat channels, editor role and rules (Manage Server only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import BotError
from bot.knowledge.drafts import EntryForm, entry_from_form
from bot.messages import lang_for_locale, t
from cogs.ui.checks import ensure_admin
from cogs.ui.errors import ReportingModal, send_ephemeral
from cogs.ui.render import NO_MENTIONS, plain_embed, text_file, text_input

if TYPE_CHECKING:
    from bot.app import Core

RULES_SLUG = "server-rules"
LANGUAGE_CHOICES = [
    app_commands.Choice(name="Auto (the question's language)", value="auto"),
    app_commands.Choice(name="English", value="en"),
    app_commands.Choice(name="Chinese", value="zh"),
    app_commands.Choice(name="Both", value="both"),
]
CHANNEL_ACTIONS = [
    app_commands.Choice(name="Add", value="add"),
    app_commands.Choice(name="Remove", value="remove"),
    app_commands.Choice(name="Clear all", value="clear"),
    app_commands.Choice(name="List", value="list"),
]


class RulesModal(ReportingModal):
    """The server's rules in both languages (the answer of the `server-rules` topic)."""

    def __init__(self, lang: str, en: str, zh: str, cog: ConfigCog, expected_version: int) -> None:
        super().__init__(title=t("config.rules_modal", lang), timeout=900)
        self.cog, self.expected_version = cog, expected_version
        self.en = text_input(t("config.rules_en", lang), en)
        self.zh = text_input(t("config.rules_zh", lang), zh)
        self.add_item(self.en)
        self.add_item(self.zh)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.cog.save_rules(interaction, self.en.value, self.zh.value, self.expected_version)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class ConfigCog(
    commands.GroupCog, group_name="config", group_description="Set up the bot for this server (Manage Server)"
):
    def __init__(self, core: Core) -> None:
        self.core = core
        super().__init__()

    @app_commands.command(name="show", description="Show this server's settings")
    async def show(self, interaction: discord.Interaction) -> None:
        guild_id = ensure_admin(interaction)
        lang = lang_for_locale(interaction.locale)
        settings = await self.core.guild_settings.get(guild_id)
        rules = await self.core.knowledge.find(RULES_SLUG, guild_id)
        none = t("config.none", lang)
        channels = " ".join(f"<#{c}>" for c in sorted(settings.chat_channel_ids)) or none
        role = f"<@&{settings.editor_role_id}>" if settings.editor_role_id else none
        rules_state = t("config.rules_set" if rules and rules.guild_id else "config.rules_default", lang)
        embed = plain_embed(t("config.title", lang), "")
        embed.add_field(
            name=t("config.language", lang), value=t(f"config.lang.{settings.language}", lang), inline=False
        )
        embed.add_field(name=t("config.channels", lang), value=channels, inline=False)
        embed.add_field(name=t("config.editor_role", lang), value=role, inline=False)
        embed.add_field(name=t("config.rules", lang), value=rules_state, inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="language", description="Choose the language of the bot's answers")
    @app_commands.describe(mode="Answer language")
    @app_commands.choices(mode=LANGUAGE_CHOICES)
    async def language(self, interaction: discord.Interaction, mode: app_commands.Choice[str]) -> None:
        guild_id = ensure_admin(interaction)
        await self.core.guild_settings.update(guild_id, language=mode.value)
        lang = lang_for_locale(interaction.locale)
        await send_ephemeral(interaction, f"{t('config.saved', lang)} {t(f'config.lang.{mode.value}', lang)}")

    @app_commands.command(name="channels", description="Choose where the bot answers questions typed in chat")
    @app_commands.describe(
        action="Add, remove, clear or list the channels", channel="The channel (for add and remove)"
    )
    @app_commands.choices(action=CHANNEL_ACTIONS)
    async def channels(
        self,
        interaction: discord.Interaction,
        action: app_commands.Choice[str],
        channel: discord.TextChannel | None = None,
    ) -> None:
        guild_id = ensure_admin(interaction)
        lang = lang_for_locale(interaction.locale)
        current = set((await self.core.guild_settings.get(guild_id)).chat_channel_ids)
        if action.value in ("add", "remove"):
            if channel is None:
                await send_ephemeral(interaction, t("config.channel_needed", lang))
                return
            current = current | {channel.id} if action.value == "add" else current - {channel.id}
        elif action.value == "clear":
            current = set()
        if action.value != "list":
            current = set(
                (await self.core.guild_settings.update(guild_id, chat_channel_ids=current)).chat_channel_ids
            )
        listing = " ".join(f"<#{c}>" for c in sorted(current)) or t("config.none", lang)
        prefix = t("config.saved", lang) + " " if action.value != "list" else ""
        await send_ephemeral(interaction, f"{prefix}{t('config.channels', lang)}: {listing}")

    @app_commands.command(name="editor-role", description="Let a role curate the FAQ (leave empty to clear)")
    @app_commands.describe(role="The editor role")
    async def editor_role(self, interaction: discord.Interaction, role: discord.Role | None = None) -> None:
        guild_id = ensure_admin(interaction)
        lang = lang_for_locale(interaction.locale)
        await self.core.guild_settings.update(
            guild_id, editor_role_id=role.id if role else None, clear_editor_role=role is None
        )
        shown = f"<@&{role.id}>" if role else t("config.none", lang)
        await send_ephemeral(
            interaction, f"{t('config.saved', lang)} {t('config.editor_role', lang)}: {shown}"
        )

    @app_commands.command(name="rules", description="Write this server's rules (the server-rules topic)")
    async def rules(self, interaction: discord.Interaction) -> None:
        guild_id = ensure_admin(interaction)
        lang = lang_for_locale(interaction.locale)
        entry = await self.core.knowledge.get(RULES_SLUG, guild_id, include_hidden=True)
        mine = entry.guild_id is not None
        modal = RulesModal(
            lang,
            entry.answer.get("en", "") if mine else "",
            entry.answer.get("zh", "") if mine else "",
            self,
            entry.version,
        )
        await interaction.response.send_modal(modal)

    async def save_rules(
        self, interaction: discord.Interaction, en: str, zh: str, expected_version: int
    ) -> None:
        guild_id = ensure_admin(interaction)
        lang = lang_for_locale(interaction.locale)
        current = await self.core.knowledge.get(RULES_SLUG, guild_id, include_hidden=True)
        form = EntryForm.of(current)
        form = EntryForm(
            title_en=form.title_en if en.strip() else "",
            answer_en=en,
            title_zh=form.title_zh if zh.strip() else "",
            answer_zh=zh,
            questions=form.questions,
        )
        try:
            entry = entry_from_form(form, RULES_SLUG, current.category, current.tags)
            await self.core.knowledge.save(
                entry, guild_id, interaction.user.id, expected_version=expected_version
            )
        except BotError as error:
            rules = f"# Rules (English)\n{en}\n\n# 规则（中文）\n{zh}\n"
            await send_ephemeral(interaction, error.message(lang), file=text_file("your-rules.md", rules))
            return
        await send_ephemeral(interaction, t("config.saved", lang))


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(ConfigCog(bot.core))  # type: ignore[attr-defined]
