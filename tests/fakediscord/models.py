"""The fake's world: users, guilds, roles, channels, members, messages and recorded REST calls.

Plain mutable records. The JSON shapes Discord sends are built from them in `payloads.py`.
"""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import FakeDiscord

DISCORD_EPOCH_MS = 1420070400000


class Perm:
    """Permission bits the fake itself looks at (values from Discord's documentation)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    CREATE_PUBLIC_THREADS = 1 << 35
    SEND_MESSAGES_IN_THREADS = 1 << 38
    ALL = (1 << 53) - 1

    # What a fresh guild's @everyone role gets (roughly Discord's defaults).
    EVERYONE_DEFAULT = (
        CREATE_INSTANT_INVITE
        | ADD_REACTIONS
        | VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | USE_EXTERNAL_EMOJIS
        | CHANGE_NICKNAME
        | USE_APPLICATION_COMMANDS
        | CREATE_PUBLIC_THREADS
        | SEND_MESSAGES_IN_THREADS
    )


class ChannelType:
    GUILD_TEXT = 0
    DM = 1
    GUILD_VOICE = 2
    GUILD_CATEGORY = 4
    GUILD_ANNOUNCEMENT = 5
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    GUILD_FORUM = 15
    THREADS = (10, 11, 12)


class SnowflakeFactory:
    """Strictly increasing snowflakes with a real timestamp part."""

    def __init__(self) -> None:
        self._last = 0

    def __call__(self) -> int:
        value = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        if value <= self._last:
            value = self._last + 1
        self._last = value
        return value


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


def as_id(value: Any) -> int:
    """An id from an int, a numeric string, or any record with an ``id``."""
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return int(value)
    return int(value.id)


@dataclass
class User:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    system: bool = False

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    managed: bool = False
    mentionable: bool = False


@dataclass
class Overwrite:
    id: int
    type: int  # 0 role, 1 member
    allow: int = 0
    deny: int = 0


@dataclass
class Channel:
    id: int
    type: int
    name: str | None = None
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    nsfw: bool = False
    overwrites: list[Overwrite] = field(default_factory=list)
    recipient_ids: list[int] = field(default_factory=list)  # DMs
    owner_id: int | None = None  # threads
    last_message_id: int | None = None

    @property
    def is_thread(self) -> bool:
        return self.type in ChannelType.THREADS


@dataclass
class Member:
    user: User
    guild_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)

    @property
    def id(self) -> int:
        return self.user.id


@dataclass
class Guild:
    """A guild of the fake world. Build it through `FakeDiscord.add_guild`, then its ``add_*`` methods."""

    id: int
    name: str
    owner_id: int
    preferred_locale: str = "en-US"
    features: list[str] = field(default_factory=list)
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    world: FakeDiscord | None = field(default=None, repr=False, compare=False)

    # --- building ---------------------------------------------------------------------------------
    def _new_id(self) -> int:
        assert self.world is not None, "guild is not attached to a FakeDiscord"
        return self.world.new_id()

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]

    def add_role(
        self,
        name: str,
        permissions: int = 0,
        *,
        id: int | None = None,
        position: int | None = None,
        color: int = 0,
        hoist: bool = False,
        mentionable: bool = False,
        managed: bool = False,
    ) -> Role:
        role = Role(
            id=id or self._new_id(),
            guild_id=self.id,
            name=name,
            permissions=int(permissions),
            position=len(self.roles) if position is None else position,
            color=color,
            hoist=hoist,
            mentionable=mentionable,
            managed=managed,
        )
        self.roles[role.id] = role
        return role

    def add_channel(
        self,
        name: str,
        type: int = ChannelType.GUILD_TEXT,
        *,
        id: int | None = None,
        parent: Channel | int | None = None,
        topic: str | None = None,
        nsfw: bool = False,
        overwrites: list[Overwrite] | None = None,
        owner: User | Member | int | None = None,
    ) -> Channel:
        channel = Channel(
            id=id or self._new_id(),
            type=type,
            name=name,
            guild_id=self.id,
            position=len(self.channels),
            parent_id=None if parent is None else as_id(parent),
            topic=topic,
            nsfw=nsfw,
            overwrites=list(overwrites or []),
            owner_id=None if owner is None else as_id(owner),
        )
        if channel.is_thread and channel.parent_id is None:
            raise ValueError("a thread needs a parent channel")
        if channel.is_thread and channel.owner_id is None:
            raise ValueError("a thread needs an owner (Discord always sends one)")
        self.channels[channel.id] = channel
        if self.world is not None:
            self.world.channels[channel.id] = channel
        return channel

    def add_member(
        self,
        user: User | int,
        roles: list[Role | int] | tuple[Role | int, ...] = (),
        *,
        nick: str | None = None,
    ) -> Member:
        if not isinstance(user, User):
            assert self.world is not None
            user = self.world.users[int(user)]
        member = Member(user=user, guild_id=self.id, roles=[as_id(r) for r in roles], nick=nick)
        for role_id in member.roles:
            if role_id not in self.roles:
                raise ValueError(f"role {role_id} is not in guild {self.name!r}")
        self.members[user.id] = member
        return member

    # --- looking up -------------------------------------------------------------------------------
    def member(self, user: User | Member | int) -> Member:
        return self.members[as_id(user)]

    def channel(self, name_or_id: str | int) -> Channel:
        for channel in self.channels.values():
            if channel.id == name_or_id or channel.name == name_or_id:
                return channel
        raise KeyError(f"no channel {name_or_id!r} in guild {self.name!r}")

    @property
    def text_channels(self) -> list[Channel]:
        return [
            c
            for c in self.channels.values()
            if c.type in (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT)
        ]

    # --- permissions (Discord's algorithm) --------------------------------------------------------
    def base_permissions(self, member: Member) -> int:
        if member.id == self.owner_id:
            return Perm.ALL
        perms = self.everyone.permissions
        for role_id in member.roles:
            role = self.roles.get(role_id)
            if role is not None:
                perms |= role.permissions
        if perms & Perm.ADMINISTRATOR:
            return Perm.ALL
        return perms

    def permissions_for(self, member: Member | User | int, channel: Channel | int | None = None) -> int:
        member = member if isinstance(member, Member) else self.member(member)
        perms = self.base_permissions(member)
        if perms == Perm.ALL or channel is None:
            return perms
        channel = channel if isinstance(channel, Channel) else self.channels[int(channel)]
        if channel.is_thread and channel.parent_id in self.channels:
            channel = self.channels[channel.parent_id]
        overwrites = {o.id: o for o in channel.overwrites}
        everyone = overwrites.get(self.id)
        if everyone:
            perms = (perms & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for role_id in member.roles:
            ow = overwrites.get(role_id)
            if ow and ow.type == 0:
                allow |= ow.allow
                deny |= ow.deny
        perms = (perms & ~deny) | allow
        ow = overwrites.get(member.id)
        if ow and ow.type == 1:
            perms = (perms & ~ow.deny) | ow.allow
        if not perms & Perm.VIEW_CHANNEL:
            return 0
        return perms


@dataclass
class Attachment:
    id: int
    filename: str
    data: bytes
    url: str = ""
    content_type: str | None = None
    description: str | None = None
    title: str | None = None
    ephemeral: bool = False

    def __post_init__(self) -> None:
        if self.content_type is None:
            guessed, _ = mimetypes.guess_type(self.filename)
            self.content_type = guessed or "application/octet-stream"
            if self.content_type.startswith("text/") or self.content_type == "application/json":
                self.content_type += "; charset=utf-8"

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class Message:
    """A message as the fake stores it (user messages and everything the bot sent).

    ``content``, ``embeds``, ``components`` are exactly what the bot sent (after edits);
    ``history`` keeps the earlier states, one dict per edit.
    """

    id: int
    channel_id: int
    author: User
    guild_id: int | None = None
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    timestamp: str = field(default_factory=iso_now)
    edited_timestamp: str | None = None
    tts: bool = False
    mentions: list[int] = field(default_factory=list)
    mention_roles: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    message_reference: dict[str, Any] | None = None
    referenced_message_id: int | None = None
    allowed_mentions: dict[str, Any] | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    nonce: str | None = None
    sticker_ids: list[int] = field(default_factory=list)
    poll: dict[str, Any] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    # --- flags --------------------------------------------------------------------------------------
    EPHEMERAL = 1 << 6
    LOADING = 1 << 7
    SUPPRESS_NOTIFICATIONS = 1 << 12
    IS_COMPONENTS_V2 = 1 << 15

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & self.EPHEMERAL)

    @property
    def loading(self) -> bool:
        """True for the "Bot is thinking..." placeholder of a deferred response, until it is edited."""
        return bool(self.flags & self.LOADING)

    # --- easy assertions ----------------------------------------------------------------------------
    @property
    def embed(self) -> dict[str, Any] | None:
        """The first embed, or None."""
        return self.embeds[0] if self.embeds else None

    @property
    def text(self) -> str:
        """Content, every embed's title/description/fields/footer, and every text display, newline-joined."""
        parts = [self.content] if self.content else []
        for embed in self.embeds:
            for key in ("title", "description"):
                if embed.get(key):
                    parts.append(str(embed[key]))
            for fld in embed.get("fields", []):
                parts.append(f"{fld.get('name', '')}\n{fld.get('value', '')}")
            if embed.get("footer", {}).get("text"):
                parts.append(embed["footer"]["text"])
            if embed.get("author", {}).get("name"):
                parts.append(embed["author"]["name"])
        for comp in self.iter_components():
            if comp.get("type") == 10 and comp.get("content"):
                parts.append(comp["content"])
        return "\n".join(parts)

    def iter_components(self) -> Iterator[dict[str, Any]]:
        """Every component, depth first (rows, containers, sections, labels included)."""

        def walk(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            for item in items:
                yield item
                yield from walk(item.get("components", []))
                if isinstance(item.get("component"), dict):
                    yield from walk([item["component"]])
                if isinstance(item.get("accessory"), dict):
                    yield from walk([item["accessory"]])

        return walk(self.components)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [c for c in self.iter_components() if c.get("type") == 2]

    @property
    def selects(self) -> list[dict[str, Any]]:
        return [c for c in self.iter_components() if c.get("type") in (3, 5, 6, 7, 8)]

    def component(
        self, custom_id: str | None = None, *, label: str | None = None, placeholder: str | None = None
    ) -> dict[str, Any]:
        """The component with this custom_id (or button label / select placeholder); KeyError if absent."""
        for comp in self.iter_components():
            if custom_id is not None and comp.get("custom_id") == custom_id:
                return comp
            if label is not None and comp.get("label") == label and comp.get("type") == 2:
                return comp
            if placeholder is not None and comp.get("placeholder") == placeholder:
                return comp
        wanted = custom_id if custom_id is not None else (label if label is not None else placeholder)
        ids = [
            (c.get("custom_id"), c.get("label") or c.get("placeholder")) for c in self.buttons + self.selects
        ]
        raise KeyError(f"message {self.id} has no component {wanted!r}; it has {ids}")

    def attachment(self, filename: str) -> Attachment:
        for att in self.attachments:
            if att.filename == filename:
                return att
        raise KeyError(
            f"message {self.id} has no attachment {filename!r}; it has {[a.filename for a in self.attachments]}"
        )

    def snapshot(self) -> dict[str, Any]:
        return {
            "content": self.content,
            "embeds": self.embeds,
            "components": self.components,
            "attachments": [a.filename for a in self.attachments],
            "flags": self.flags,
        }


@dataclass
class Call:
    """One REST request the client made, and what the fake answered."""

    index: int
    method: str
    path: str  # without the /api/v10 prefix, e.g. /channels/1/messages
    query: dict[str, str]
    json: Any
    files: list[UploadedFile]
    form: dict[str, str]
    headers: dict[str, str]
    authorized: bool
    time: float
    status: int = 0
    response: Any = None
    route: str | None = None  # the route template that matched, None if unknown
    interaction_id: int | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def error(self) -> str | None:
        if self.ok or not isinstance(self.response, dict):
            return None
        return format_error(self.response)

    def __str__(self) -> str:
        query = "?" + "&".join(f"{k}={v}" for k, v in self.query.items()) if self.query else ""
        text = f"{self.method} {self.path}{query} -> {self.status}"
        if self.error:
            text += f" ({self.error})"
        return text


def format_error(body: dict[str, Any]) -> str:
    """Discord's error body as one line: message, code and each field error."""
    text = f"{body.get('message', '')} (code {body.get('code', 0)})"

    def flatten(d: dict[str, Any], prefix: str = "") -> list[str]:
        out: list[str] = []
        for key, value in d.items():
            path = f"{prefix}.{key}" if prefix else key
            if key == "_errors":
                out.extend(f"{prefix or '<root>'}: {e.get('message')}" for e in value)
            elif isinstance(value, dict):
                out.extend(flatten(value, path))
        return out

    details = flatten(body.get("errors") or {})
    if details:
        text += ": " + "; ".join(details)
    if body.get("_fake_hint"):
        text += f" [{body['_fake_hint']}]"
    return text


class ApiError(Exception):
    """Raised inside a route handler to answer with a Discord error body."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        errors: dict[str, Any] | None = None,
        *,
        hint: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.hint = hint
        super().__init__(f"{status} {message} ({code})")

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


class WaitTimeout(AssertionError, TimeoutError):
    """A `wait_*` helper gave up; the message says what was awaited and what the bot did meanwhile."""
