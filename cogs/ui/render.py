"""Turning the core's replies into Discord embeds (pure: no I/O)."""

from __future__ import annotations

import io

import discord

from bot.knowledge.entry import Entry
from bot.replies import EMBED_DESCRIPTION_LIMIT, Reply, clip, compose_entry

CATEGORY_COLOURS: dict[str, int] = {
    "culture": 0xFF2442,  # RedNote red
    "etiquette": 0xF5A623,
    "sensitive": 0x8E44AD,
    "app": 0x2D9CDB,
    "language": 0x27AE60,
    "server": 0x607D8B,
}
UNKNOWN_COLOUR = 0x95A5A6
NO_MENTIONS = discord.AllowedMentions.none()


def reply_embed(reply: Reply) -> discord.Embed:
    """An answer (or "I don't know") as an embed within Discord's limits."""
    colour = CATEGORY_COLOURS.get(reply.category or "", UNKNOWN_COLOUR)
    embed = discord.Embed(title=reply.title, description=reply.body, colour=colour)
    embed.set_footer(text=reply.footer)
    return embed


def both_languages_embed(entry: Entry, primary: str) -> discord.Embed:
    """An entry with both languages, the question's language first (the guild chose "both")."""
    other = "en" if primary.startswith("zh") else "zh"
    first, second = compose_entry(entry, primary), compose_entry(entry, other)
    body = f"{first.body}\n\n———\n\n**{second.title}**\n{second.body}"
    reply = Reply(
        slug=entry.slug,
        lang=primary,
        title=first.title,
        body=clip(body, EMBED_DESCRIPTION_LIMIT),
        category=entry.category,
        footer=first.footer,
    )
    return reply_embed(reply)


def plain_embed(title: str, description: str, colour: int = UNKNOWN_COLOUR) -> discord.Embed:
    return discord.Embed(
        title=clip(title, 256), description=clip(description, EMBED_DESCRIPTION_LIMIT), colour=colour
    )


def text_file(name: str, text: str) -> discord.File:
    """A UTF-8 text attachment (exports, an editor's text handed back, lists of problems)."""
    return discord.File(io.BytesIO(text.encode("utf-8")), filename=name)


def text_input(
    label: str, default: str, style: discord.TextStyle = discord.TextStyle.paragraph, limit: int = 4000
) -> discord.ui.TextInput:
    """An optional modal field within Discord's limits (label 45, value 4,000), pre-filled with `default`."""
    return discord.ui.TextInput(
        label=clip(label, 45), default=default[:limit] or None, style=style, required=False, max_length=limit
    )
