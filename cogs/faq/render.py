"""Embeds of the /faq commands (pure)."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.messages import t
from bot.replies import clip
from bot.storage.guild_repo import UnansweredSummary
from bot.storage.knowledge_repo import ImportPlan, Revision
from cogs.ui.render import plain_embed

HISTORY_SHOWN = 20


def safe(text: str) -> str:
    """User text shown back: no markdown tricks, no mentions."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def history_embed(slug: str, revisions: Sequence[Revision], lang: str) -> discord.Embed:
    lines = []
    for rev in list(revisions)[-HISTORY_SHOWN:]:
        when = discord.utils.format_dt(rev.created_at, "R")
        actor = (
            t("faq.history_by", lang, actor=f"<@{rev.actor_id}>")
            if rev.actor_id
            else t("faq.history_shipped", lang)
        )
        scope = "" if rev.guild_id is not None else " 🌐"
        lines.append(
            f"`#{rev.id}` {when} **{rev.action}**{scope} {actor}\n  {clip(', '.join(rev.changes), 200)}"
        )
    return plain_embed(t("faq.history_title", lang, slug=slug), "\n".join(reversed(lines)))


def unanswered_embed(rows: Sequence[UnansweredSummary], lang: str) -> discord.Embed:
    if not rows:
        return plain_embed(t("faq.unanswered_title", lang), t("faq.unanswered_none", lang))
    lines = [f"`{row.count}×` {safe(clip(row.question, 150))}" for row in rows]
    return plain_embed(t("faq.unanswered_title", lang), "\n".join(lines))


def import_summary(plan: ImportPlan, filename: str, lang: str) -> str:
    text = t(
        "faq.import_summary",
        lang,
        file=safe(clip(filename, 80)),
        added=len(plan.added),
        updated=len(plan.updated),
        unchanged=len(plan.unchanged),
    )
    details = []
    if plan.added:
        details.append("➕ " + ", ".join(f"`{s}`" for s in plan.added))
    if plan.updated:
        details.append("✏️ " + ", ".join(f"`{s}`" for s in plan.updated))
    return clip("\n".join([text, *details]), 2000)
