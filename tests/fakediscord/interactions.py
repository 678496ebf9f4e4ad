"""Injecting what users do (messages, slash commands, autocomplete, clicks, selects, modal submits) and
handles to await and inspect what the bot answered.

Slash commands and autocomplete are built from the commands the bot registered (PUT .../commands), so option
types, sub-command nesting, choices, required options and ``default_member_permissions`` are checked the way
the Discord client checks them before it sends anything: a test that injects something no real user could
send fails right away with a clear message.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import payloads
from .gateway import INTENT_DIRECT_MESSAGES, INTENT_GUILD_MESSAGES, INTENT_MESSAGE_CONTENT
from .models import Attachment, Call, Channel, ChannelType, Guild, Member, Message, Perm, Role, User, as_id

if TYPE_CHECKING:
    from .server import FakeDiscord

PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5

UserLike = User | Member | int
ChannelLike = Channel | int | str
GuildLike = Guild | int | str


class CommandNotAvailable(AssertionError):
    """The Discord client would not let this user run this command here (permissions, contexts, registration)."""


@dataclass
class Upload:
    """A file a user attaches (slash command attachment option or a chat message)."""

    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None


@dataclass
class InteractionRecord:
    id: int
    token: str
    type: int
    payload: dict[str, Any]
    user: User
    guild_id: int | None
    channel_id: int
    created_at: float = 0.0
    command: dict[str, Any] | None = None
    focused_type: int | None = None
    source_message_id: int | None = None
    source: InteractionRecord | None = None
    response_type: int | None = None
    responded_at: float | None = None
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    modal: dict[str, Any] | None = None
    choices: list[dict[str, Any]] | None = None


class InteractionHandle:
    """What a test holds after injecting an interaction.

    Everything is live: properties read the fake's current state (edits to @original show up in
    ``original``). ``wait_*`` coroutines wait for the bot and raise `WaitTimeout` (an AssertionError)
    listing what the bot did instead.
    """

    def __init__(self, fake: FakeDiscord, record: InteractionRecord) -> None:
        self.fake = fake
        self.record = record

    def __repr__(self) -> str:
        return f"<InteractionHandle id={self.id} type={self.record.type} response_type={self.response_type}>"

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def token(self) -> str:
        return self.record.token

    @property
    def payload(self) -> dict[str, Any]:
        """The INTERACTION_CREATE data sent to the bot."""
        return self.record.payload

    @property
    def calls(self) -> list[Call]:
        """Every REST call made with this interaction's id or token (callbacks, follow-ups, edits), in order."""
        return list(self.record.calls)

    @property
    def errors(self) -> list[Call]:
        return [c for c in self.record.calls if c.status >= 400]

    @property
    def response_type(self) -> int | None:
        """The accepted callback type: 4 message, 5 deferred, 6 deferred update, 7 update, 8 choices, 9 modal."""
        return self.record.response_type

    @property
    def responded(self) -> bool:
        return self.record.response_type is not None

    @property
    def deferred(self) -> bool:
        return self.record.response_type in (5, 6)

    @property
    def response_delay(self) -> float | None:
        """Seconds between injection and the accepted callback."""
        if self.record.responded_at is None:
            return None
        return self.record.responded_at - self.record.created_at

    @property
    def original(self) -> Message | None:
        """The @original message (the response, the deferred placeholder, or the updated component message)."""
        mid = self.record.original_message_id
        return None if mid is None else self.fake.messages.get(mid)

    @property
    def followups(self) -> list[Message]:
        return [self.fake.messages[m] for m in self.record.followup_ids]

    @property
    def messages(self) -> list[Message]:
        """The visible answer: @original (unless still loading) then follow-ups, in order."""
        original = self.original
        return (
            [original, *self.followups]
            if original is not None and not original.loading
            else [*self.followups]
        )

    @property
    def message(self) -> Message | None:
        """The first visible answer message, or None."""
        messages = self.messages
        return messages[0] if messages else None

    @property
    def ephemeral(self) -> bool:
        message = self.message or self.original
        return bool(message and message.ephemeral)

    @property
    def modal(self) -> dict[str, Any] | None:
        """The modal the bot opened (callback type 9): custom_id, title, components."""
        return self.record.modal

    async def wait_response(self, timeout: float = 5.0) -> InteractionHandle:
        """Wait for the first callback the bot makes. A refused one (bad body, too late, twice) fails the test."""

        def check() -> bool:
            if self.record.response_type is not None:
                return True
            refused = [c for c in self.record.calls if c.path.endswith("/callback") and c.status >= 400]
            if refused:
                raise AssertionError(f"the bot's response to interaction {self.id} was refused: {refused[0]}")
            return False

        await self.fake.wait_until(check, timeout, f"a response to interaction {self.id}")
        return self

    async def wait_message(
        self, timeout: float = 5.0, predicate: Callable[[Message], bool] | None = None
    ) -> Message:
        """Wait for a visible answer message (skips the deferred placeholder) matching ``predicate``."""

        def find() -> Message | None:
            for message in self.messages:
                if predicate is None or predicate(message):
                    return message
            return None

        return await self.fake.wait_until(find, timeout, f"a message answering interaction {self.id}")

    async def wait_followup(self, timeout: float = 5.0, index: int = 0) -> Message:
        def find() -> Message | None:
            followups = self.followups
            return followups[index] if len(followups) > index else None

        return await self.fake.wait_until(find, timeout, f"follow-up #{index} of interaction {self.id}")

    async def wait_modal(self, timeout: float = 5.0) -> dict[str, Any]:
        await self.wait_response(timeout)
        if self.record.modal is None:
            raise AssertionError(
                f"interaction {self.id} was answered with type {self.response_type}, not a modal"
            )
        return self.record.modal

    async def wait_choices(self, timeout: float = 5.0) -> list[dict[str, Any]]:
        await self.wait_response(timeout)
        if self.record.choices is None:
            raise AssertionError(
                f"interaction {self.id} was answered with type {self.response_type}, not choices"
            )
        return self.record.choices

    async def wait_edit(self, timeout: float = 5.0, count: int = 1) -> Message:
        """Wait until @original has been edited ``count`` times (the deferred placeholder's fill-in counts)."""

        def find() -> Message | None:
            original = self.original
            return original if original is not None and len(original.history) >= count else None

        return await self.fake.wait_until(find, timeout, f"an edit of interaction {self.id}'s @original")


class MessageHandle:
    """A message a user sent; await the bot's reaction to it."""

    def __init__(self, fake: FakeDiscord, message: Message, payload: dict[str, Any], delivered: bool) -> None:
        self.fake = fake
        self.message = message
        self.payload = payload
        self.delivered = delivered

    def __repr__(self) -> str:
        return f"<MessageHandle id={self.id} delivered={self.delivered}>"

    @property
    def id(self) -> int:
        return self.message.id

    @property
    def replies(self) -> list[Message]:
        """Bot messages replying to this one."""
        return [
            m
            for m in self.fake.messages.values()
            if m.referenced_message_id == self.id and m.author.id == self.fake.bot_user.id
        ]

    async def wait_reply(self, timeout: float = 5.0) -> Message:
        def find() -> Message | None:
            replies = self.replies
            return replies[0] if replies else None

        return await self.fake.wait_until(find, timeout, f"a reply to message {self.id}")


class InjectionMixin:
    """The ``FakeDiscord`` methods that act as users. Split out of server.py for size only."""

    # --- resolving test arguments ---------------------------------------------------------------------
    def _user(self: FakeDiscord, user: UserLike | None, guild: Guild | None = None) -> User:
        if user is None:
            if self.default_user is not None:
                return self.default_user
            if guild is not None:
                for member in guild.members.values():
                    if not member.user.bot and member.id != guild.owner_id:
                        return member.user
            raise ValueError("no user given and no default_user set (call default_world() or pass user=)")
        if isinstance(user, Member):
            return user.user
        if isinstance(user, User):
            return user
        return self.users[as_id(user)]

    def _guild(self: FakeDiscord, guild: GuildLike | None) -> Guild:
        if guild is None:
            if not self.guilds:
                raise ValueError("the fake has no guild (call default_world() or add_guild())")
            return next(iter(self.guilds.values()))
        if isinstance(guild, Guild):
            return guild
        for g in self.guilds.values():
            if g.id == guild or g.name == guild:
                return g
        raise KeyError(f"no guild {guild!r}")

    def _channel(self: FakeDiscord, channel: ChannelLike, guild: Guild | None = None) -> Channel:
        if isinstance(channel, Channel):
            return channel
        if isinstance(channel, str) and not channel.isdigit():
            return self._guild(guild).channel(channel)
        return self.channels[as_id(channel)]

    def _message(self: FakeDiscord, message: Message | int) -> Message:
        found = message if isinstance(message, Message) else self.messages.get(as_id(message))
        if found is None:
            raise KeyError(f"no message {message!r}")
        return self.messages.get(found.id, found)

    def _context(
        self: FakeDiscord,
        *,
        user: UserLike | None,
        guild: GuildLike | None,
        channel: ChannelLike | None,
        dm: bool,
    ) -> tuple[User, Guild | None, Channel]:
        if dm:
            author = self._user(user)
            return author, None, self.dm_channel(author)
        if channel is not None:
            resolved = self._channel(channel, None if guild is None else self._guild(guild))
            if resolved.type == ChannelType.DM:
                author = self._user(user)
                return author, None, resolved
            the_guild = self.guilds[resolved.guild_id] if resolved.guild_id else None
        else:
            the_guild = self._guild(guild)
            texts = the_guild.text_channels
            if not texts:
                raise ValueError(f"guild {the_guild.name!r} has no text channel; pass channel=")
            resolved = texts[0]
        author = self._user(user, the_guild)
        if the_guild is not None and author.id not in the_guild.members:
            raise ValueError(f"user {author.username!r} is not a member of guild {the_guild.name!r}")
        return author, the_guild, resolved

    # --- users' chat messages ---------------------------------------------------------------------------
    async def send_message(
        self: FakeDiscord,
        content: str = "",
        *,
        author: UserLike | None = None,
        channel: ChannelLike | None = None,
        guild: GuildLike | None = None,
        dm: bool = False,
        reply_to: Message | int | None = None,
        reply_ping: bool = True,
        mentions: Sequence[UserLike] = (),
        attachments: Sequence[Upload | Attachment] = (),
        embeds: Sequence[dict[str, Any]] = (),
    ) -> MessageHandle:
        """A user posts a message; the bot gets MESSAGE_CREATE (subject to its intents, like on Discord).

        ``<@id>`` mentions in ``content`` are parsed (use ``fake.bot_user.mention`` to mention the bot); a reply
        mentions the replied-to author unless ``reply_ping=False``. Without the message-content intent the bot
        receives empty content/embeds/attachments unless it is mentioned or it is a DM.
        """
        author_user, the_guild, the_channel = self._context(user=author, guild=guild, channel=channel, dm=dm)
        mentioned = [int(m) for m in re.findall(r"<@!?(\d+)>", content) if int(m) in self.users]
        mentioned += [as_id(m) for m in mentions]
        roles = [int(r) for r in re.findall(r"<@&(\d+)>", content)]
        message = Message(
            id=self.new_id(),
            channel_id=the_channel.id,
            guild_id=the_guild.id if the_guild else None,
            author=author_user,
            content=content,
            embeds=list(embeds),
            mention_roles=roles,
            mention_everyone="@everyone" in content or "@here" in content,
        )
        message.attachments = [
            a if isinstance(a, Attachment) else self.upload(a.filename, a.data, content_type=a.content_type)
            for a in attachments
        ]
        if reply_to is not None:
            ref = self._message(reply_to)
            message.type = 19
            message.message_reference = {
                "type": 0,
                "message_id": str(ref.id),
                "channel_id": str(ref.channel_id),
                **({"guild_id": str(ref.guild_id)} if ref.guild_id else {}),
            }
            message.referenced_message_id = ref.id
            if reply_ping and ref.author.id != author_user.id:
                mentioned.append(ref.author.id)
        message.mentions = list(dict.fromkeys(mentioned))
        self.messages[message.id] = message
        the_channel.last_message_id = message.id

        session = self._require_session(the_guild.id if the_guild else None)
        payload = payloads.message(message, self, gateway=True)
        intent = INTENT_GUILD_MESSAGES if the_guild else INTENT_DIRECT_MESSAGES
        delivered = session.has_intent(intent)
        if (
            the_guild is not None
            and not session.has_intent(INTENT_MESSAGE_CONTENT)
            and self.bot_user.id not in message.mentions
            and author_user.id != self.bot_user.id
        ):
            payload.update(content="", embeds=[], attachments=[], components=[])
            payload.pop("poll", None)
        if delivered:
            await session.dispatch("MESSAGE_CREATE", payload)
        self._notify()
        return MessageHandle(self, message, payload, delivered)

    # --- slash commands and autocomplete ------------------------------------------------------------------
    def _find_command(self: FakeDiscord, name: str, guild: Guild | None, *, type: int = 1) -> dict[str, Any]:
        candidates: list[dict[str, Any]] = []
        if guild is not None:
            candidates += [
                c for c in self.registered_commands.get(guild.id, {}).values() if c.get("type", 1) == type
            ]
        candidates += [c for c in self.registered_commands.get(None, {}).values() if c.get("type", 1) == type]
        for cmd in candidates:
            if cmd["name"] == name:
                return cmd
        known = sorted({c["name"] for c in candidates})
        where = f"guild {guild.name!r}" if guild else "DMs"
        raise CommandNotAvailable(f"no command {name!r} registered for {where}; registered: {known}")

    def can_use(
        self: FakeDiscord,
        command: str | dict[str, Any],
        *,
        user: UserLike | None = None,
        guild: GuildLike | None = None,
        channel: ChannelLike | None = None,
        dm: bool = False,
        permissions: int | None = None,
    ) -> bool:
        """Whether the Discord client would show and run this command for this user here."""
        author, the_guild, the_channel = self._context(user=user, guild=guild, channel=channel, dm=dm)
        try:
            schema = (
                command if isinstance(command, dict) else self._find_command(command.split()[0], the_guild)
            )
            self._check_access(schema, author, the_guild, the_channel, permissions)
        except CommandNotAvailable:
            return False
        return True

    def _check_access(
        self: FakeDiscord,
        schema: dict[str, Any],
        user: User,
        guild: Guild | None,
        channel: Channel,
        permissions: int | None,
    ) -> None:
        contexts = schema.get("contexts")
        if guild is None:
            if schema.get("guild_id"):
                raise CommandNotAvailable(f"/{schema['name']} is a guild command; it cannot be used in DMs")
            if contexts is not None and 1 not in contexts:
                raise CommandNotAvailable(f"/{schema['name']} is not available in DMs (contexts={contexts})")
            if contexts is None and schema.get("dm_permission") is False:
                raise CommandNotAvailable(f"/{schema['name']} is not available in DMs (dm_permission=False)")
            return
        if contexts is not None and 0 not in contexts:
            raise CommandNotAvailable(f"/{schema['name']} is not available in guilds (contexts={contexts})")
        needed = schema.get("default_member_permissions")
        if needed is None:
            return
        needed = int(needed)
        have = permissions if permissions is not None else guild.permissions_for(guild.member(user), channel)
        if have & Perm.ADMINISTRATOR or (needed and have & needed == needed):
            return
        raise CommandNotAvailable(
            f"{user.username!r} lacks default_member_permissions={needed:#x} for /{schema['name']} "
            f"(has {have:#x}); Discord would not show the command"
        )

    def _resolve_option(
        self: FakeDiscord,
        opt: dict[str, Any],
        value: Any,
        resolved: dict[str, dict[str, Any]],
        guild: Guild | None,
        channel: Channel,
        where: str,
    ) -> Any:
        kind = opt["type"]
        name = opt["name"]
        if kind == 3:
            if not isinstance(value, str):
                raise TypeError(f"{where}: option {name!r} is a string, got {value!r}")
            lo, hi = opt.get("min_length"), opt.get("max_length")
            if (lo is not None and len(value) < lo) or (hi is not None and len(value) > hi):
                raise ValueError(
                    f"{where}: option {name!r} length must be within [{lo}, {hi}], got {len(value)}"
                )
        elif kind in (4, 10):
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or (kind == 4 and not isinstance(value, int))
            ):
                raise TypeError(
                    f"{where}: option {name!r} is {'an integer' if kind == 4 else 'a number'}, got {value!r}"
                )
            lo, hi = opt.get("min_value"), opt.get("max_value")
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                raise ValueError(f"{where}: option {name!r} must be within [{lo}, {hi}], got {value}")
        elif kind == 5:
            if not isinstance(value, bool):
                raise TypeError(f"{where}: option {name!r} is a boolean, got {value!r}")
        elif kind in (6, 9) and not isinstance(value, Role) and as_id(value) in self.users:
            user = self._user(value)
            resolved.setdefault("users", {})[str(user.id)] = payloads.user(user)
            if guild is not None and user.id in guild.members:
                member = guild.members[user.id]
                resolved.setdefault("members", {})[str(user.id)] = payloads.member(
                    member, with_user=False, permissions=guild.permissions_for(member, channel)
                )
            return str(user.id)
        elif kind in (8, 9):
            if guild is None:
                raise ValueError(f"{where}: role option {name!r} outside a guild")
            role = value if isinstance(value, Role) else guild.roles[as_id(value)]
            resolved.setdefault("roles", {})[str(role.id)] = payloads.role(role)
            return str(role.id)
        elif kind == 7:
            chan = self._channel(value, guild)
            types = opt.get("channel_types")
            if types and chan.type not in types:
                raise ValueError(f"{where}: option {name!r} accepts channel types {types}, got {chan.type}")
            data = payloads.channel(chan, self)
            if guild is not None and self.bot_user.id in guild.members:
                data["permissions"] = str(guild.permissions_for(guild.members[self.bot_user.id], chan))
            else:
                data["permissions"] = "0"
            resolved.setdefault("channels", {})[str(chan.id)] = data
            return str(chan.id)
        elif kind == 11:
            if isinstance(value, tuple):
                value = Upload(*value)
            if isinstance(value, Upload):
                value = self.upload(
                    value.filename, value.data, content_type=value.content_type, ephemeral=True
                )
            if not isinstance(value, Attachment):
                raise TypeError(f"{where}: option {name!r} is an attachment; pass Upload(filename, data)")
            resolved.setdefault("attachments", {})[str(value.id)] = payloads.attachment(value)
            return str(value.id)
        else:
            raise TypeError(
                f"{where}: cannot build a value for option {name!r} of type {kind} from {value!r}"
            )
        choices = opt.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise ValueError(
                f"{where}: {value!r} is not a choice of option {name!r}: {[c['value'] for c in choices]}"
            )
        return value

    def _build_command_data(
        self: FakeDiscord,
        command: str,
        options: Mapping[str, Any],
        guild: Guild | None,
        channel: Channel,
        *,
        focused: str | None = None,
        focused_value: Any = None,
    ) -> tuple[dict[str, Any], dict[str, Any], int | None]:
        parts = command.strip().lstrip("/").split()
        schema = self._find_command(parts[0], guild)
        where = "/" + " ".join(parts)
        top: list[dict[str, Any]] = []
        current = top
        level = schema.get("options") or []
        for part in parts[1:]:
            sub = next((o for o in level if o["name"] == part and o["type"] in (1, 2)), None)
            if sub is None:
                subs = [o["name"] for o in level if o["type"] in (1, 2)]
                raise CommandNotAvailable(f"{where}: no sub-command {part!r}; available: {subs}")
            node: dict[str, Any] = {"type": sub["type"], "name": part, "options": []}
            current.append(node)
            current = node["options"]
            level = sub.get("options") or []
        if any(o["type"] in (1, 2) for o in level):
            subs = [o["name"] for o in level if o["type"] in (1, 2)]
            raise CommandNotAvailable(f"{where} needs a sub-command: {subs}")
        args = {o["name"]: o for o in level}
        resolved: dict[str, dict[str, Any]] = {}
        for name, value in options.items():
            if name == focused:
                continue
            if name not in args:
                raise KeyError(f"{where} has no option {name!r}; options: {list(args)}")
            opt = args[name]
            current.append(
                {
                    "type": opt["type"],
                    "name": name,
                    "value": self._resolve_option(opt, value, resolved, guild, channel, where),
                }
            )
        focused_type = None
        if focused is not None:
            opt = args.get(focused)
            if opt is None:
                raise KeyError(f"{where} has no option {focused!r}; options: {list(args)}")
            if not opt.get("autocomplete"):
                raise CommandNotAvailable(f"{where}: option {focused!r} has no autocomplete")
            focused_type = opt["type"]
            current.append({"type": opt["type"], "name": focused, "value": focused_value, "focused": True})
        else:
            missing = [o["name"] for o in level if o.get("required") and o["name"] not in options]
            if missing:
                raise ValueError(f"{where}: required options missing: {missing}")
        data: dict[str, Any] = {"id": schema["id"], "name": schema["name"], "type": 1}
        if top:
            data["options"] = top
        if resolved:
            data["resolved"] = resolved
        if schema.get("guild_id"):
            data["guild_id"] = schema["guild_id"]
        return data, schema, focused_type

    async def slash(
        self: FakeDiscord,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: UserLike | None = None,
        guild: GuildLike | None = None,
        channel: ChannelLike | None = None,
        dm: bool = False,
        locale: str = "en-US",
        guild_locale: str | None = None,
        permissions: int | None = None,
        app_permissions: int | None = None,
        check_permissions: bool = True,
    ) -> InteractionHandle:
        """A user runs ``/command [sub-group] [sub-command]`` with ``options`` (name -> value).

        Values: str/int/float/bool; `User`/`Member`/id for user options; `Channel`/`Role`; `Upload` (or a
        ``(filename, bytes)`` tuple) for attachments. ``permissions`` overrides the member's computed
        permissions; with ``check_permissions`` the command's ``default_member_permissions`` and contexts are
        enforced like the Discord client does (raises `CommandNotAvailable`).
        """
        author, the_guild, the_channel = self._context(user=user, guild=guild, channel=channel, dm=dm)
        data, schema, _ = self._build_command_data(command, options or {}, the_guild, the_channel)
        if check_permissions:
            self._check_access(schema, author, the_guild, the_channel, permissions)
        return await self._inject(
            APPLICATION_COMMAND,
            data,
            user=author,
            guild=the_guild,
            channel=the_channel,
            locale=locale,
            guild_locale=guild_locale,
            permissions=permissions,
            app_permissions=app_permissions,
            command=schema,
        )

    async def autocomplete(
        self: FakeDiscord,
        command: str,
        focused: str,
        value: Any = "",
        options: Mapping[str, Any] | None = None,
        *,
        user: UserLike | None = None,
        guild: GuildLike | None = None,
        channel: ChannelLike | None = None,
        dm: bool = False,
        locale: str = "en-US",
        guild_locale: str | None = None,
        permissions: int | None = None,
        app_permissions: int | None = None,
    ) -> InteractionHandle:
        """A user types ``value`` into option ``focused`` of ``command``; await ``handle.wait_choices()``."""
        author, the_guild, the_channel = self._context(user=user, guild=guild, channel=channel, dm=dm)
        data, schema, focused_type = self._build_command_data(
            command, options or {}, the_guild, the_channel, focused=focused, focused_value=value
        )
        return await self._inject(
            AUTOCOMPLETE,
            data,
            user=author,
            guild=the_guild,
            channel=the_channel,
            locale=locale,
            guild_locale=guild_locale,
            permissions=permissions,
            app_permissions=app_permissions,
            command=schema,
            focused_type=focused_type,
        )

    async def context_menu(
        self: FakeDiscord,
        name: str,
        target: UserLike | Message,
        *,
        user: UserLike | None = None,
        guild: GuildLike | None = None,
        channel: ChannelLike | None = None,
        locale: str = "en-US",
        guild_locale: str | None = None,
        permissions: int | None = None,
        app_permissions: int | None = None,
        check_permissions: bool = True,
    ) -> InteractionHandle:
        """A user runs the user (target: a user/member) or message (target: a `Message`) context menu ``name``."""
        if isinstance(target, Message):
            channel = channel if channel is not None else target.channel_id
        author, the_guild, the_channel = self._context(user=user, guild=guild, channel=channel, dm=False)
        kind = 3 if isinstance(target, Message) else 2
        schema = self._find_command(name, the_guild, type=kind)
        if check_permissions:
            self._check_access(schema, author, the_guild, the_channel, permissions)
        resolved: dict[str, dict[str, Any]] = {}
        if isinstance(target, Message):
            target_id = str(target.id)
            resolved["messages"] = {target_id: payloads.message(target, self)}
        else:
            target_id = self._resolve_option(
                {"type": 6, "name": "target"}, target, resolved, the_guild, the_channel, name
            )
        data: dict[str, Any] = {
            "id": schema["id"],
            "name": schema["name"],
            "type": kind,
            "target_id": target_id,
            "resolved": resolved,
        }
        if schema.get("guild_id"):
            data["guild_id"] = schema["guild_id"]
        return await self._inject(
            APPLICATION_COMMAND,
            data,
            user=author,
            guild=the_guild,
            channel=the_channel,
            locale=locale,
            guild_locale=guild_locale,
            permissions=permissions,
            app_permissions=app_permissions,
            command=schema,
        )

    # --- components ---------------------------------------------------------------------------------------
    async def click(
        self: FakeDiscord,
        message: Message | int,
        custom_id: str | None = None,
        *,
        label: str | None = None,
        user: UserLike | None = None,
        locale: str = "en-US",
        guild_locale: str | None = None,
        permissions: int | None = None,
        app_permissions: int | None = None,
    ) -> InteractionHandle:
        """A user clicks the button (by ``custom_id`` or ``label``) on a message the bot sent."""
        msg = self._message(message)
        comp = msg.component(custom_id, label=label)
        if comp.get("type") != 2 or comp.get("style") in (5, 6):
            raise ValueError(f"component {comp} is not a clickable button")
        if comp.get("disabled"):
            raise ValueError(f"button {comp.get('label') or comp.get('custom_id')!r} is disabled")
        data: dict[str, Any] = {"custom_id": comp["custom_id"], "component_type": 2}
        if "id" in comp:
            data["id"] = comp["id"]
        return await self._inject_component(
            msg, data, user, locale, guild_locale, permissions, app_permissions
        )

    async def select(
        self: FakeDiscord,
        message: Message | int,
        values: Sequence[Any],
        *,
        custom_id: str | None = None,
        placeholder: str | None = None,
        user: UserLike | None = None,
        locale: str = "en-US",
        guild_locale: str | None = None,
        permissions: int | None = None,
        app_permissions: int | None = None,
    ) -> InteractionHandle:
        """A user picks ``values`` in a select menu (the only one, or by ``custom_id``/``placeholder``).

        String selects take option values; user/role/channel/mentionable selects take objects or ids.
        """
        msg = self._message(message)
        if custom_id is None and placeholder is None:
            selects = msg.selects
            if len(selects) != 1:
                raise ValueError(
                    f"message {msg.id} has {len(selects)} selects; pass custom_id= or placeholder="
                )
            comp = selects[0]
        else:
            comp = msg.component(custom_id, placeholder=placeholder)
        kind = comp.get("type")
        if kind not in (3, 5, 6, 7, 8):
            raise ValueError(f"component {comp} is not a select menu")
        if comp.get("disabled"):
            raise ValueError(f"select {comp.get('custom_id')!r} is disabled")
        lo, hi = comp.get("min_values", 1), comp.get("max_values", 1)
        if not lo <= len(values) <= hi:
            raise ValueError(f"select {comp.get('custom_id')!r} takes {lo}..{hi} values, got {len(values)}")
        data: dict[str, Any] = {"custom_id": comp["custom_id"], "component_type": kind}
        guild = self.guilds.get(msg.guild_id) if msg.guild_id else None
        channel = self.channels[msg.channel_id]
        if kind == 3:
            allowed = [o["value"] for o in comp.get("options", [])]
            for v in values:
                if v not in allowed:
                    raise ValueError(f"{v!r} is not an option of select {comp['custom_id']!r}: {allowed}")
            data["values"] = list(values)
        else:
            resolved: dict[str, dict[str, Any]] = {}
            ids = []
            for v in values:
                opt_type = {5: 6, 6: 8, 7: 9, 8: 7}[kind]
                ids.append(
                    self._resolve_option(
                        {"type": opt_type, "name": comp["custom_id"]}, v, resolved, guild, channel, "select"
                    )
                )
            data["values"] = ids
            data["resolved"] = resolved
        if "id" in comp:
            data["id"] = comp["id"]
        return await self._inject_component(
            msg, data, user, locale, guild_locale, permissions, app_permissions
        )

    async def _inject_component(
        self: FakeDiscord,
        msg: Message,
        data: dict[str, Any],
        user: UserLike | None,
        locale: str,
        guild_locale: str | None,
        permissions: int | None,
        app_permissions: int | None,
    ) -> InteractionHandle:
        channel = self.channels[msg.channel_id]
        author, guild, channel = self._context(user=user, guild=None, channel=channel, dm=False)
        return await self._inject(
            MESSAGE_COMPONENT,
            data,
            user=author,
            guild=guild,
            channel=channel,
            locale=locale,
            guild_locale=guild_locale,
            permissions=permissions,
            app_permissions=app_permissions,
            message=msg,
        )

    # --- modals -------------------------------------------------------------------------------------------
    async def submit_modal(
        self: FakeDiscord,
        source: InteractionHandle | dict[str, Any],
        values: Mapping[str, Any],
        *,
        user: UserLike | None = None,
        locale: str | None = None,
        guild_locale: str | None = None,
        permissions: int | None = None,
        app_permissions: int | None = None,
    ) -> InteractionHandle:
        """The user fills in and submits the modal the bot opened in answer to ``source``.

        ``values`` maps a text input's custom_id or label (or its Label component's text) to the typed text
        (a list of values for a select in a Label). Inputs left out keep their pre-filled ``value``. Required
        inputs and min/max lengths are enforced like the Discord client does.
        """
        record = source.record if isinstance(source, InteractionHandle) else None
        modal = source.modal if isinstance(source, InteractionHandle) else source
        if modal is None:
            raise ValueError("the bot did not answer that interaction with a modal")
        remaining = dict(values)

        def fill(kid: dict[str, Any], label: str | None) -> dict[str, Any]:
            keys = [kid.get("custom_id"), kid.get("label"), label]
            key = next((k for k in keys if k is not None and k in remaining), None)
            out: dict[str, Any] = {"type": kid["type"], "custom_id": kid.get("custom_id")}
            if "id" in kid:
                out["id"] = kid["id"]
            if kid["type"] == 4:
                value = remaining.pop(key) if key is not None else (kid.get("value") or "")
                if not isinstance(value, str):
                    raise TypeError(
                        f"text input {keys[1] or label or keys[0]!r} takes a string, got {value!r}"
                    )
                name = kid.get("label") or label or kid.get("custom_id")
                if kid.get("required", True) and not value:
                    raise ValueError(f"text input {name!r} is required")
                lo, hi = kid.get("min_length"), kid.get("max_length")
                if value and ((lo is not None and len(value) < lo) or (hi is not None and len(value) > hi)):
                    raise ValueError(f"text input {name!r} takes {lo}..{hi} characters, got {len(value)}")
                out["value"] = value
            else:
                picked = remaining.pop(key) if key is not None else []
                out["values"] = [str(as_id(v)) if not isinstance(v, str) else v for v in picked]
            return out

        components: list[dict[str, Any]] = []
        for comp in modal.get("components", []):
            if comp.get("type") == 1:
                components.append(
                    {"type": 1, "components": [fill(kid, None) for kid in comp.get("components", [])]}
                )
            elif comp.get("type") == 18:
                entry = {"type": 18, "component": fill(comp["component"], comp.get("label"))}
                if "id" in comp:
                    entry["id"] = comp["id"]
                components.append(entry)
        if remaining:
            raise KeyError(f"modal {modal.get('title')!r} has no input(s) {list(remaining)}")
        data = {"custom_id": modal["custom_id"], "components": components}
        if record is not None:
            author = self._user(user) if user is not None else record.user
            channel: Channel = self.channels[record.channel_id]
            guild = self.guilds.get(record.guild_id) if record.guild_id else None
            message = self.messages.get(record.source_message_id or 0)
            locale = locale or record.payload.get("locale", "en-US")
        else:
            author, guild, channel = self._context(user=user, guild=None, channel=None, dm=False)
            message = None
        return await self._inject(
            MODAL_SUBMIT,
            data,
            user=author,
            guild=guild,
            channel=channel,
            locale=locale or "en-US",
            guild_locale=guild_locale,
            permissions=permissions,
            app_permissions=app_permissions,
            message=message,
            source=record,
        )

    # --- the raw injection ------------------------------------------------------------------------------
    async def _inject(
        self: FakeDiscord,
        type: int,
        data: dict[str, Any] | None,
        *,
        user: User,
        guild: Guild | None,
        channel: Channel,
        locale: str,
        guild_locale: str | None,
        permissions: int | None,
        app_permissions: int | None,
        message: Message | None = None,
        command: dict[str, Any] | None = None,
        focused_type: int | None = None,
        source: InteractionRecord | None = None,
    ) -> InteractionHandle:
        interaction_id = self.new_id()
        token = f"fake-{secrets.token_hex(24)}"
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": type,
            "token": token,
            "version": 1,
            "locale": locale,
            "attachment_size_limit": self.max_file_size,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "channel_id": str(channel.id),
        }
        if data is not None:
            payload["data"] = data
        if guild is not None:
            member = guild.member(user)
            perms = permissions if permissions is not None else guild.permissions_for(member, channel)
            bot_member = guild.members.get(self.bot_user.id)
            if app_permissions is None:
                app_permissions = guild.permissions_for(bot_member, channel) if bot_member else 0
            channel_payload = payloads.channel(channel, self)
            channel_payload["permissions"] = str(perms)
            payload.update(
                {
                    "guild_id": str(guild.id),
                    "guild": {
                        "id": str(guild.id),
                        "locale": guild.preferred_locale,
                        "features": list(guild.features),
                    },
                    "guild_locale": guild_locale or guild.preferred_locale,
                    "member": payloads.member(member, permissions=perms),
                    "channel": channel_payload,
                    "context": 0,
                    "authorizing_integration_owners": {"0": str(guild.id)},
                    "app_permissions": str(app_permissions),
                }
            )
        else:
            payload.update(
                {
                    "user": payloads.user(user),
                    "channel": payloads.channel(channel, self),
                    "context": 1,
                    "authorizing_integration_owners": {"0": "0"},
                    "app_permissions": str(app_permissions if app_permissions is not None else 0),
                }
            )
        if message is not None:
            payload["message"] = payloads.message(message, self)
        record = InteractionRecord(
            id=interaction_id,
            token=token,
            type=type,
            payload=payload,
            user=user,
            guild_id=guild.id if guild else None,
            channel_id=channel.id,
            command=command,
            focused_type=focused_type,
            source_message_id=message.id if message is not None else None,
            source=source,
        )
        session = self._require_session(record.guild_id)
        self.interactions[interaction_id] = record
        self.interactions_by_token[token] = record
        record.created_at = self.loop_time()
        await session.dispatch("INTERACTION_CREATE", payload)
        self._notify()
        return InteractionHandle(self, record)
