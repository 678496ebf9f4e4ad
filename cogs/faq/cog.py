"""The /faq command group. Every command checks the member may curate, then makes one core call."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import BotError, ValidationError
from bot.knowledge.drafts import EntryForm, entry_from_form, split_tags
from bot.knowledge.entry import Entry
from bot.knowledge.schema import SLUG_RE
from bot.messages import lang_for_locale, t
from bot.replies import clip, entry_title
from cogs.faq.render import history_embed, import_summary, unanswered_embed
from cogs.faq.views import ConfirmView, EntryModal
from cogs.ui.checks import ensure_curator
from cogs.ui.errors import send_ephemeral
from cogs.ui.options import CATEGORY_CHOICES
from cogs.ui.render import NO_MENTIONS, text_file

if TYPE_CHECKING:
    from bot.app import Core

MAX_IMPORT_BYTES = 2 * 1024 * 1024
TAGS_DESCRIPTION = "Key words people may use for it, separated by commas (optional)"
TAGS_EDIT_DESCRIPTION = "New key words, separated by commas (replace the current ones; optional)"


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class FaqCog(
    commands.GroupCog,
    group_name="faq",
    group_description="Curate this server's FAQ (Manage Server or the editor role)",
):
    """Admins' curation of the guild's knowledge base; other guilds never see it."""

    def __init__(self, core: Core) -> None:
        self.core = core
        super().__init__()

    # -- helpers -------------------------------------------------------------------------------
    async def _refuse_form(self, interaction: discord.Interaction, error: BotError, form: EntryForm) -> None:
        """A refused save: say why, and hand the admin's text back so nothing is lost."""
        lang = lang_for_locale(interaction.locale)
        message = f"{error.message(lang)}\n{t('faq.conflict_file', lang)}"
        await send_ephemeral(interaction, clip(message, 2000), file=text_file("your-text.md", form.as_text()))

    async def _submit_form(
        self,
        interaction: discord.Interaction,
        form: EntryForm,
        write: Callable[[Entry], Awaitable[Entry]],
        slug: str,
        category: str,
        tags: tuple[str, ...],
        done_key: str,
    ) -> None:
        """Validate the form and write it; a refusal hands the admin's text back."""
        lang = lang_for_locale(interaction.locale)
        try:
            saved = await write(entry_from_form(form, slug, category, tags))
        except BotError as error:
            await self._refuse_form(interaction, error, form)
            return
        await send_ephemeral(interaction, t(done_key, lang, title=entry_title(saved, lang), slug=saved.slug))

    async def _topic_choices(
        self, interaction: discord.Interaction, current: str, hidden: bool = False
    ) -> list[app_commands.Choice[str]]:
        lang = lang_for_locale(interaction.locale)
        if interaction.guild_id is None:
            return []
        ranked = await self.core.knowledge.complete_for_curators(
            current, interaction.guild_id, lang, hidden=hidden
        )
        return [
            app_commands.Choice(name=clip(f"{entry_title(e, lang)} ({e.slug})", 100), value=e.slug)
            for e in ranked
        ]

    async def topic_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._topic_choices(interaction, current)

    async def hidden_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._topic_choices(interaction, current, hidden=True)

    # -- commands ------------------------------------------------------------------------------
    @app_commands.command(name="add", description="Add a new topic for this server")
    @app_commands.describe(
        slug="A short id: lowercase letters, digits and -",
        category="The category the topic belongs to",
        tags=TAGS_DESCRIPTION,
    )
    @app_commands.choices(category=CATEGORY_CHOICES)
    async def add(
        self,
        interaction: discord.Interaction,
        slug: app_commands.Range[str, 2, 64],
        category: app_commands.Choice[str],
        tags: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        guild_id = await ensure_curator(interaction, self.core)
        lang = lang_for_locale(interaction.locale)
        slug = slug.strip().lower()
        if not SLUG_RE.match(slug):
            raise ValidationError(
                [f"slug: lowercase letters, digits and '-', 2-64 characters (got {slug!r})"]
            )
        try:
            await self.core.knowledge.get(slug, guild_id, include_hidden=True)
        except BotError:
            pass
        else:
            raise BotError(
                f"A topic `{slug}` already exists: edit it with /faq edit (or /faq restore if it is hidden).",
                f"主题 `{slug}` 已存在：请用 /faq edit 编辑（若已隐藏，可用 /faq restore 恢复）。",
            )

        async def submitted(modal_interaction: discord.Interaction, form: EntryForm) -> None:
            await self._submit_form(
                modal_interaction,
                form,
                lambda entry: self.core.knowledge.add(entry, guild_id, modal_interaction.user.id),
                slug,
                category.value,
                split_tags(tags),
                "faq.added",
            )

        await interaction.response.send_modal(
            EntryModal(t("faq.modal_add", lang, slug=slug), EntryForm(), lang, submitted)
        )

    @app_commands.command(name="edit", description="Edit a topic in English and Chinese")
    @app_commands.describe(topic="The topic to work on", tags=TAGS_EDIT_DESCRIPTION)
    @app_commands.autocomplete(topic=topic_autocomplete)
    async def edit(
        self,
        interaction: discord.Interaction,
        topic: str,
        tags: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        guild_id = await ensure_curator(interaction, self.core)
        lang = lang_for_locale(interaction.locale)
        opened = await self.core.knowledge.get(topic, guild_id, include_hidden=True)

        async def submitted(modal_interaction: discord.Interaction, form: EntryForm) -> None:
            await self._submit_form(
                modal_interaction,
                form,
                lambda entry: self.core.knowledge.save(
                    entry, guild_id, modal_interaction.user.id, expected_version=opened.version
                ),
                opened.slug,
                opened.category,
                split_tags(tags) if tags else opened.tags,
                "faq.saved",
            )

        modal = EntryModal(t("faq.modal_edit", lang, slug=opened.slug), EntryForm.of(opened), lang, submitted)
        await interaction.response.send_modal(modal)

    @app_commands.command(name="remove", description="Hide a topic on this server (undo with /faq restore)")
    @app_commands.describe(topic="The topic to work on")
    @app_commands.autocomplete(topic=topic_autocomplete)
    async def remove(self, interaction: discord.Interaction, topic: str) -> None:
        guild_id = await ensure_curator(interaction, self.core)
        lang = lang_for_locale(interaction.locale)
        entry = await self.core.knowledge.get(topic, guild_id)
        title = entry_title(entry, lang)

        async def confirmed(button_interaction: discord.Interaction) -> None:
            await ensure_curator(button_interaction, self.core)
            await self.core.knowledge.set_hidden(entry.slug, True, guild_id, button_interaction.user.id)
            await button_interaction.response.edit_message(
                content=t("faq.removed", lang, title=title, slug=entry.slug), view=None
            )

        view = ConfirmView(interaction, confirmed)
        await interaction.response.send_message(
            t("faq.confirm_remove", lang, title=title, slug=entry.slug), view=view, ephemeral=True
        )

    @app_commands.command(name="restore", description="Bring back a hidden topic")
    @app_commands.describe(topic="The topic to work on")
    @app_commands.autocomplete(topic=hidden_autocomplete)
    async def restore(self, interaction: discord.Interaction, topic: str) -> None:
        guild_id = await ensure_curator(interaction, self.core)
        lang = lang_for_locale(interaction.locale)
        entry = await self.core.knowledge.get(topic, guild_id, include_hidden=True)
        if not entry.hidden:
            await send_ephemeral(interaction, t("faq.not_hidden", lang, slug=entry.slug))
            return
        restored = await self.core.knowledge.set_hidden(entry.slug, False, guild_id, interaction.user.id)
        await send_ephemeral(
            interaction, t("faq.restored", lang, title=entry_title(restored, lang), slug=entry.slug)
        )

    @app_commands.command(name="history", description="Show who changed a topic, and when")
    @app_commands.describe(topic="The topic to work on")
    @app_commands.autocomplete(topic=topic_autocomplete)
    async def history(self, interaction: discord.Interaction, topic: str) -> None:
        guild_id = await ensure_curator(interaction, self.core)
        revisions = await self.core.knowledge.history(topic, guild_id)
        embed = history_embed(topic, revisions, lang_for_locale(interaction.locale))
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="revert", description="Put a topic back as it was at a revision")
    @app_commands.describe(topic="The topic to work on", revision="The revision number shown by /faq history")
    @app_commands.autocomplete(topic=topic_autocomplete)
    async def revert(
        self, interaction: discord.Interaction, topic: str, revision: app_commands.Range[int, 1, 2**53]
    ) -> None:
        guild_id = await ensure_curator(interaction, self.core)
        lang = lang_for_locale(interaction.locale)
        entry = await self.core.knowledge.revert(topic, revision, guild_id, interaction.user.id)
        await send_ephemeral(
            interaction,
            t("faq.reverted", lang, title=entry_title(entry, lang), slug=entry.slug, revision=revision),
        )

    @app_commands.command(name="export", description="Download this server's FAQ as a JSON file")
    async def export(self, interaction: discord.Interaction) -> None:
        guild_id = await ensure_curator(interaction, self.core)
        doc = await self.core.knowledge.export(guild_id)
        text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
        await interaction.response.send_message(
            t("faq.exported", lang_for_locale(interaction.locale), count=len(doc["entries"])),
            file=text_file(f"faq-{guild_id}.json", text),
            ephemeral=True,
        )

    @app_commands.command(name="import", description="Import topics from a JSON file (all or nothing)")
    @app_commands.describe(file="A JSON file in the format of /faq export")
    async def import_(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        guild_id = await ensure_curator(interaction, self.core)
        lang = lang_for_locale(interaction.locale)
        if file.size > MAX_IMPORT_BYTES:
            await send_ephemeral(interaction, t("faq.import_bad_file", lang))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            doc: Any = json.loads((await file.read()).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, discord.HTTPException):
            await send_ephemeral(interaction, t("faq.import_bad_file", lang))
            return
        try:
            plan = await self.core.knowledge.plan_import(doc, guild_id)
        except ValidationError as error:
            problems = "\n".join(f"- {p}" for p in error.problems)
            await send_ephemeral(
                interaction, clip(error.message(lang), 1900), file=text_file("import-problems.txt", problems)
            )
            return
        if plan.changes == 0:
            await send_ephemeral(interaction, t("faq.import_nothing", lang))
            return

        async def confirmed(button_interaction: discord.Interaction) -> None:
            await ensure_curator(button_interaction, self.core)
            done = await self.core.knowledge.import_document(doc, guild_id, button_interaction.user.id)
            await button_interaction.response.edit_message(
                content=t("faq.imported", lang, added=len(done.added), updated=len(done.updated)), view=None
            )

        view = ConfirmView(interaction, confirmed)
        await interaction.followup.send(import_summary(plan, file.filename, lang), view=view, ephemeral=True)

    @app_commands.command(
        name="unanswered", description="The questions the bot could not answer, most asked first"
    )
    async def unanswered(self, interaction: discord.Interaction) -> None:
        guild_id = await ensure_curator(interaction, self.core)
        rows = await self.core.unanswered.top(guild_id)
        await interaction.response.send_message(
            embed=unanswered_embed(rows, lang_for_locale(interaction.locale)),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
