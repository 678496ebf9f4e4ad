"""UI only: the entry editor modal and a confirm/cancel view. The cog decides what they do."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

import discord

from bot.knowledge.drafts import EntryForm
from bot.messages import lang_for_locale, t
from bot.replies import clip
from cogs.ui.errors import ReportingModal, report_error, send_ephemeral
from cogs.ui.render import text_input

FormHandler = Callable[[discord.Interaction, EntryForm], Awaitable[None]]
Action = Callable[[discord.Interaction], Awaitable[None]]


class EntryModal(ReportingModal):
    """Both languages of a topic in one form, pre-filled when editing."""

    def __init__(self, title: str, form: EntryForm, lang: str, on_submit: FormHandler) -> None:
        super().__init__(title=clip(title, 45), timeout=900)
        self._handler = on_submit

        short, long = discord.TextStyle.short, discord.TextStyle.paragraph
        self.title_en = text_input(t("faq.field_title_en", lang), form.title_en, short, 200)
        self.answer_en = text_input(t("faq.field_answer_en", lang), form.answer_en, long)
        self.title_zh = text_input(t("faq.field_title_zh", lang), form.title_zh, short, 200)
        self.answer_zh = text_input(t("faq.field_answer_zh", lang), form.answer_zh, long)
        self.questions = text_input(t("faq.field_questions", lang), form.questions, long)
        for item in (self.title_en, self.answer_en, self.title_zh, self.answer_zh, self.questions):
            self.add_item(item)

    def form(self) -> EntryForm:
        return EntryForm(
            title_en=self.title_en.value,
            answer_en=self.answer_en.value,
            title_zh=self.title_zh.value,
            answer_zh=self.answer_zh.value,
            questions=self.questions.value,
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self._handler(interaction, self.form())


class ConfirmView(discord.ui.View):
    """Confirm / Cancel for the command `origin`, clickable only by the member who ran it, in their
    language; the buttons are disabled on the command's message when the view times out."""

    def __init__(self, origin: discord.Interaction, on_confirm: Action, timeout: float = 300) -> None:
        super().__init__(timeout=timeout)
        self.origin = origin
        self.lang = lang_for_locale(origin.locale)
        self._on_confirm = on_confirm
        self.confirm.label = t("button.confirm", self.lang)
        self.cancel.label = t("button.cancel", self.lang)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.origin.user.id:
            await send_ephemeral(interaction, t("error.not_yours", self.lang))
            return False
        return True

    async def on_timeout(self) -> None:
        for item in self.children:
            item.disabled = True  # type: ignore[attr-defined]
        with contextlib.suppress(discord.HTTPException):
            await self.origin.edit_original_response(view=self)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item
    ) -> None:
        await report_error(interaction, error)

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.stop()
        await self._on_confirm(interaction)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.stop()
        await interaction.response.edit_message(content=t("faq.cancelled", self.lang), embed=None, view=None)
