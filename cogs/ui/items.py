"""Persistent buttons and menus under answers: they keep working after a restart.

Their state lives in the custom_id (namespaced `rn:`), so discord.py rebuilds them on every click.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import discord

from bot.knowledge.entry import CATEGORIES, Entry
from bot.knowledge.service import Answer
from bot.messages import category_name, lang_for_locale, t
from bot.replies import clip, compose_entry, compose_unknown, entry_title, reply_language
from bot.storage.guild_repo import VoteOutcome
from cogs.ui.errors import report_error, send_ephemeral
from cogs.ui.render import NO_MENTIONS, both_languages_embed, plain_embed, reply_embed

if TYPE_CHECKING:
    from bot.app import Core

SLUG = r"[a-z0-9][a-z0-9-]{0,63}"
LANG = r"en|zh|zh-Hant"
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


def core_of(interaction: discord.Interaction) -> Core:
    """The core the bot was built with (items are created by discord.py, so they cannot be injected)."""
    return interaction.client.core  # type: ignore[attr-defined]


def routed(callback: F) -> F:
    """Send a component callback's errors down the one error path."""

    @functools.wraps(callback)
    async def wrapper(self: Any, interaction: discord.Interaction, *args: Any) -> Any:
        try:
            return await callback(self, interaction, *args)
        except Exception as exc:
            await report_error(interaction, exc)
            return None

    return wrapper  # type: ignore[return-value]


def selected(interaction: discord.Interaction) -> str:
    """The first value picked in a select menu."""
    values = (interaction.data or {}).get("values") or [""]  # type: ignore[union-attr]
    return str(values[0])


def reading_lang(target: str, interaction: discord.Interaction) -> str:
    """Chinese shown to a zh-TW (or zh-HK) user is Traditional."""
    if target.startswith("zh") and lang_for_locale(interaction.locale) == "zh-Hant":
        return "zh-Hant"
    return target


class SwitchLanguageButton(
    discord.ui.DynamicItem[discord.ui.Button], template=rf"rn:lang:(?P<slug>{SLUG}):(?P<to>en|zh)"
):
    """Shows the same answer in the other language."""

    def __init__(self, slug: str, to: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=t("button.switch", to),
                style=discord.ButtonStyle.secondary,
                custom_id=f"rn:lang:{slug}:{to}",
            )
        )
        self.slug, self.to = slug, to

    @classmethod
    async def from_custom_id(cls, interaction, item, match):  # type: ignore[no-untyped-def,override]
        return cls(match["slug"], match["to"])

    @routed
    async def callback(self, interaction: discord.Interaction) -> None:
        entry = await core_of(interaction).knowledge.find(self.slug, interaction.guild_id)
        if entry is None:
            await send_ephemeral(interaction, t("topic.gone", lang_for_locale(interaction.locale)))
            return
        lang = reading_lang(self.to, interaction)
        await interaction.response.edit_message(
            embed=reply_embed(compose_entry(entry, lang)), view=answer_view(entry, lang)
        )


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=rf"rn:vote:(?P<slug>{SLUG}):(?P<lang>{LANG}):(?P<up>[01])",
):
    """Helpful / not helpful: one vote per user per answer message; voting again changes it."""

    def __init__(self, slug: str, lang: str, up: bool) -> None:
        super().__init__(
            discord.ui.Button(
                label=t("button.helpful" if up else "button.not_helpful", lang),
                emoji="👍" if up else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=f"rn:vote:{slug}:{lang}:{int(up)}",
            )
        )
        self.slug, self.lang, self.up = slug, lang, up

    @classmethod
    async def from_custom_id(cls, interaction, item, match):  # type: ignore[no-untyped-def,override]
        return cls(match["slug"], match["lang"], match["up"] == "1")

    @routed
    async def callback(self, interaction: discord.Interaction) -> None:
        core = core_of(interaction)
        key = str(interaction.message.id) if interaction.message else f"interaction:{interaction.id}"
        outcome = await core.feedback.vote(
            key, interaction.user.id, self.slug, self.lang, self.up, interaction.guild_id
        )
        message = {
            VoteOutcome.NEW: "vote.thanks",
            VoteOutcome.CHANGED: "vote.changed",
            VoteOutcome.SAME: "vote.same",
        }
        await send_ephemeral(interaction, t(message[outcome], lang_for_locale(interaction.locale)))


class ShowTopicButton(
    discord.ui.DynamicItem[discord.ui.Button], template=rf"rn:show:(?P<slug>{SLUG}):(?P<lang>{LANG})"
):
    """A "did you mean" suggestion: shows that topic to whoever clicks."""

    def __init__(self, slug: str, lang: str, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=clip(label or slug, 80),
                style=discord.ButtonStyle.primary,
                custom_id=f"rn:show:{slug}:{lang}",
            )
        )
        self.slug, self.lang = slug, lang

    @classmethod
    async def from_custom_id(cls, interaction, item, match):  # type: ignore[no-untyped-def,override]
        return cls(match["slug"], match["lang"])

    @routed
    async def callback(self, interaction: discord.Interaction) -> None:
        await show_topic(interaction, self.slug, self.lang)


class CategorySelect(discord.ui.DynamicItem[discord.ui.Select], template=rf"rn:cats:(?P<lang>{LANG})"):
    """/topics: choose a category to list its topics."""

    def __init__(self, lang: str) -> None:
        options = [discord.SelectOption(label=category_name(c, lang), value=c) for c in CATEGORIES]
        super().__init__(
            discord.ui.Select(
                placeholder=t("topics.pick_category", lang), options=options, custom_id=f"rn:cats:{lang}"
            )
        )
        self.lang = lang

    @classmethod
    async def from_custom_id(cls, interaction, item, match):  # type: ignore[no-untyped-def,override]
        return cls(match["lang"])

    @routed
    async def callback(self, interaction: discord.Interaction) -> None:
        category = selected(interaction)
        entries = await core_of(interaction).knowledge.entries(interaction.guild_id)
        embed, view = topics_page(entries, self.lang, category)
        await interaction.response.edit_message(embed=embed, view=view)


class TopicSelect(discord.ui.DynamicItem[discord.ui.Select], template=rf"rn:pick:(?P<lang>{LANG})"):
    """/topics: choose a topic to read its answer."""

    def __init__(self, lang: str, entries: Sequence[Entry] = ()) -> None:
        options = [
            discord.SelectOption(label=clip(entry_title(e, lang), 100), value=e.slug, description=e.slug)
            for e in entries[:25]
        ] or [discord.SelectOption(label="-", value="-")]
        super().__init__(
            discord.ui.Select(
                placeholder=t("topics.pick_topic", lang), options=options, custom_id=f"rn:pick:{lang}"
            )
        )
        self.lang = lang

    @classmethod
    async def from_custom_id(cls, interaction, item, match):  # type: ignore[no-untyped-def,override]
        return cls(match["lang"])

    @routed
    async def callback(self, interaction: discord.Interaction) -> None:
        slug = selected(interaction)
        await show_topic(interaction, slug, self.lang)


DYNAMIC_ITEMS = (SwitchLanguageButton, VoteButton, ShowTopicButton, CategorySelect, TopicSelect)


def answer_view(entry: Entry, lang: str) -> discord.ui.View:
    """The buttons under every answer: the other language, helpful, not helpful."""
    view = discord.ui.View(timeout=None)
    view.add_item(SwitchLanguageButton(entry.slug, "en" if lang.startswith("zh") else "zh"))
    view.add_item(VoteButton(entry.slug, lang, True))
    view.add_item(VoteButton(entry.slug, lang, False))
    return view


def suggestions_view(entries: Sequence[Entry], lang: str) -> discord.ui.View | None:
    """Up to three "did you mean" buttons, or None."""
    if not entries:
        return None
    view = discord.ui.View(timeout=None)
    for entry in entries[:3]:
        view.add_item(ShowTopicButton(entry.slug, lang, entry_title(entry, lang)))
    return view


def topics_page(
    entries: Sequence[Entry], lang: str, category: str | None
) -> tuple[discord.Embed, discord.ui.View]:
    """The /topics browser: every category with its topics, or one category with a topic menu."""
    view = discord.ui.View(timeout=None)
    view.add_item(CategorySelect(lang))
    if category is None:
        lines = []
        for cat in CATEGORIES:
            titles = [entry_title(e, lang) for e in entries if e.category == cat]
            if titles:
                lines.append(f"**{category_name(cat, lang)}** ({len(titles)})\n" + " · ".join(titles))
        return plain_embed(t("topics.title", lang), "\n\n".join(lines)), view
    in_category = [e for e in entries if e.category == category]
    body = "\n".join(f"- {entry_title(e, lang)} (`{e.slug}`)" for e in in_category) or t("topics.none", lang)
    if in_category:
        view.add_item(TopicSelect(lang, in_category))
    return plain_embed(category_name(category, lang), body), view


async def show_topic(interaction: discord.Interaction, slug: str, lang: str) -> None:
    """Show one topic privately to whoever asked for it."""
    entry = await core_of(interaction).knowledge.find(slug, interaction.guild_id)
    if entry is None:
        await send_ephemeral(interaction, t("topic.gone", lang_for_locale(interaction.locale)))
        return
    await interaction.response.send_message(
        embed=reply_embed(compose_entry(entry, lang)),
        view=answer_view(entry, lang),
        ephemeral=True,
        allowed_mentions=NO_MENTIONS,
    )


def answer_parts(result: Answer, mode: str) -> tuple[discord.Embed, discord.ui.View | None]:
    """The embed and buttons answering a question, given the guild's /config language mode."""
    lang = reply_language(result.lang, mode)
    if result.entry is None:
        return reply_embed(compose_unknown(lang, result.alternatives)), suggestions_view(
            result.alternatives, lang
        )
    if mode == "both":
        embed = both_languages_embed(result.entry, lang)
    else:
        embed = reply_embed(compose_entry(result.entry, lang))
    return embed, answer_view(result.entry, lang)
