"""Builders for the JSON objects Discord sends: users, members, roles, channels, guilds, messages.

Snowflakes are strings and permissions are strings, as on the wire.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import Attachment, Channel, ChannelType, Guild, Member, Message, Role, User, iso_now

if TYPE_CHECKING:
    from .server import FakeDiscord


def user(u: User) -> dict[str, Any]:
    return {
        "id": str(u.id),
        "username": u.username,
        "discriminator": "0",
        "global_name": u.global_name,
        "avatar": None,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "bot": u.bot,
        "system": u.system,
        "public_flags": 0,
        "flags": 0,
    }


def role(r: Role) -> dict[str, Any]:
    return {
        "id": str(r.id),
        "name": r.name,
        "color": r.color,
        "colors": {"primary_color": r.color, "secondary_color": None, "tertiary_color": None},
        "hoist": r.hoist,
        "icon": None,
        "unicode_emoji": None,
        "position": r.position,
        "permissions": str(r.permissions),
        "managed": r.managed,
        "mentionable": r.mentionable,
        "flags": 0,
    }


def member(m: Member, *, with_user: bool = True, permissions: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "nick": m.nick,
        "avatar": None,
        "banner": None,
        "roles": [str(r) for r in m.roles],
        "joined_at": m.joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }
    if with_user:
        data["user"] = user(m.user)
    if permissions is not None:
        data["permissions"] = str(permissions)
    return data


def channel(c: Channel, world: FakeDiscord | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"id": str(c.id), "type": c.type, "last_message_id": _opt(c.last_message_id)}
    if c.type == ChannelType.DM:
        data["flags"] = 0
        if world is not None:
            data["recipients"] = [user(world.users[uid]) for uid in c.recipient_ids if uid in world.users]
        return data
    data.update(
        {
            "guild_id": str(c.guild_id),
            "name": c.name,
            "position": c.position,
            "permission_overwrites": [
                {"id": str(o.id), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}
                for o in c.overwrites
            ],
            "parent_id": _opt(c.parent_id),
            "nsfw": c.nsfw,
            "flags": 0,
        }
    )
    if c.type in (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT, ChannelType.GUILD_FORUM):
        data.update({"topic": c.topic, "rate_limit_per_user": 0, "default_auto_archive_duration": 1440})
    if c.type == ChannelType.GUILD_FORUM:
        data.update(
            {
                "available_tags": [],
                "default_reaction_emoji": None,
                "default_thread_rate_limit_per_user": 0,
                "default_sort_order": None,
                "default_forum_layout": 0,
            }
        )
    if c.type == ChannelType.GUILD_VOICE:
        data.update({"bitrate": 64000, "user_limit": 0, "rtc_region": None, "video_quality_mode": 1})
    if c.is_thread:
        data.pop("permission_overwrites", None)
        data.update(
            {
                "owner_id": _opt(c.owner_id),
                "rate_limit_per_user": 0,
                "message_count": 0,
                "member_count": 1,
                "total_message_sent": 0,
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": iso_now(),
                    "locked": False,
                    "create_timestamp": iso_now(),
                },
            }
        )
    return data


def guild_create(g: Guild, world: FakeDiscord, *, include_members: bool) -> dict[str, Any]:
    """The GUILD_CREATE payload. Without the members intent Discord only sends the bot's own member."""
    members = list(g.members.values())
    if not include_members:
        members = [m for m in members if m.id == world.bot_user.id]
    regular = [c for c in g.channels.values() if not c.is_thread]
    threads = [c for c in g.channels.values() if c.is_thread]
    data = guild(g)
    data.update(
        {
            "joined_at": g.members[world.bot_user.id].joined_at
            if world.bot_user.id in g.members
            else iso_now(),
            "large": False,
            "unavailable": False,
            "member_count": len(g.members),
            "members": [member(m) for m in members],
            "channels": [channel(c) for c in regular],
            "threads": [channel(c) for c in threads],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }
    )
    for payload in data["channels"] + data["threads"]:
        payload.pop("guild_id", None)  # as in a real GUILD_CREATE
    return data


def guild(g: Guild) -> dict[str, Any]:
    return {
        "id": str(g.id),
        "name": g.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(g.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "preferred_locale": g.preferred_locale,
        "features": list(g.features),
        "roles": [role(r) for r in g.roles.values()],
        "emojis": [],
        "stickers": [],
        "max_members": 500000,
        "max_video_channel_users": 25,
        "premium_progress_bar_enabled": False,
    }


def attachment(a: Attachment) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(a.id),
        "filename": a.filename,
        "size": a.size,
        "url": a.url,
        "proxy_url": a.url,
        "content_type": a.content_type,
        "ephemeral": a.ephemeral,
        "flags": 0,
    }
    if a.description is not None:
        data["description"] = a.description
    if a.title is not None:
        data["title"] = a.title
    return data


def message(m: Message, world: FakeDiscord, *, gateway: bool = False, depth: int = 0) -> dict[str, Any]:
    """A message object. ``gateway=True`` adds ``guild_id`` and ``member`` as MESSAGE_CREATE does."""
    data: dict[str, Any] = {
        "id": str(m.id),
        "channel_id": str(m.channel_id),
        "type": m.type,
        "author": user(m.author),
        "content": m.content,
        "timestamp": m.timestamp,
        "edited_timestamp": m.edited_timestamp,
        "tts": m.tts,
        "mention_everyone": m.mention_everyone,
        "mentions": [],
        "mention_roles": [str(r) for r in m.mention_roles],
        "attachments": [attachment(a) for a in m.attachments],
        "embeds": m.embeds,
        "components": m.components,
        "pinned": False,
        "flags": m.flags,
    }
    guild = world.guilds.get(m.guild_id) if m.guild_id else None
    for uid in m.mentions:
        mentioned = world.users.get(uid)
        if mentioned is None:
            continue
        entry = user(mentioned)
        if guild is not None and uid in guild.members:
            entry["member"] = member(guild.members[uid], with_user=False)
        data["mentions"].append(entry)
    if m.webhook_id is not None:
        data["webhook_id"] = str(m.webhook_id)
    if m.application_id is not None:
        data["application_id"] = str(m.application_id)
    if m.interaction_metadata is not None:
        data["interaction_metadata"] = m.interaction_metadata
    if m.nonce is not None:
        data["nonce"] = m.nonce
    if m.poll is not None:
        data["poll"] = m.poll
    if m.message_reference is not None:
        data["message_reference"] = m.message_reference
        ref = world.messages.get(m.referenced_message_id or 0)
        if depth == 0:
            data["referenced_message"] = None if ref is None else message(ref, world, gateway=False, depth=1)
    if gateway and guild is not None:
        data["guild_id"] = str(guild.id)
        if m.author.id in guild.members:
            data["member"] = member(guild.members[m.author.id], with_user=False)
    return data


def current_user(u: User) -> dict[str, Any]:
    data = user(u)
    data.update({"verified": True, "mfa_enabled": False, "email": None, "locale": "en-US", "premium_type": 0})
    return data


def application(world: FakeDiscord) -> dict[str, Any]:
    return {
        "id": str(world.application_id),
        "name": world.bot_user.username,
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "flags": world.application_flags,
        "owner": user(world.app_owner),
        "team": None,
        "bot": user(world.bot_user),
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "tags": [],
        "approximate_guild_count": len(world.guilds),
        "integration_types_config": {"0": {}},
    }


def _opt(value: int | None) -> str | None:
    return None if value is None else str(value)
