"""Permission checks the bot enforces itself (Discord's default permissions are only a first filter)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.chat_policy import can_curate
from bot.errors import BotError, PermissionDeniedError
from bot.messages import MESSAGES

if TYPE_CHECKING:
    from bot.app import Core


def _denied(key: str) -> PermissionDeniedError:
    en, zh = MESSAGES[key]
    return PermissionDeniedError(en, zh)


def guild_id_of(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        en, zh = MESSAGES["error.guild_only"]
        raise BotError(en, zh)
    return interaction.guild_id


async def ensure_curator(interaction: discord.Interaction, core: Core) -> int:
    """The guild id, when the user has Manage Server or the editor role; else PermissionDeniedError."""
    guild_id = guild_id_of(interaction)
    settings = await core.guild_settings.get(guild_id)
    role_ids = [role.id for role in getattr(interaction.user, "roles", ())]
    if not can_curate(interaction.permissions.manage_guild, role_ids, settings.editor_role_id):
        raise _denied("error.not_curator")
    return guild_id


def ensure_admin(interaction: discord.Interaction) -> int:
    """The guild id, when the user has Manage Server; else PermissionDeniedError."""
    guild_id = guild_id_of(interaction)
    if not interaction.permissions.manage_guild:
        raise _denied("error.not_admin")
    return guild_id
