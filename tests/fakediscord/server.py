"""`FakeDiscord`: the aiohttp server (REST + gateway + attachment CDN) and the fake world it serves."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web

from .gateway import PRIVILEGED_INTENTS, Gateway, GatewayFrame, Session
from .interactions import InjectionMixin, InteractionRecord
from .models import (
    Attachment,
    Call,
    Channel,
    ChannelType,
    Guild,
    Message,
    Perm,
    Role,
    SnowflakeFactory,
    User,
    WaitTimeout,
    as_id,
)
from .rest import RestApi

_log = logging.getLogger("tests.fakediscord")

T = TypeVar("T")


@dataclass
class _Failure:
    method: str | None
    pattern: re.Pattern[str]
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    times: int


class FakeDiscord(InjectionMixin):
    """A local Discord: REST under ``api_base``, the gateway at ``gateway_url``, and the world they serve.

    Build the world (``default_world()`` or ``add_guild``/``add_user``...) before the bot connects, start
    the server (``async with FakeDiscord() as fake`` or ``await fake.start()``), point discord.py at it
    (`run_bot` / `patch_endpoints`), then inject user actions and assert on what the bot sent.
    """

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        application_id: int | None = None,
        bot_name: str = "TestBot",
        bot_id: int | None = None,
        application_flags: int = 0,
        interaction_timeout: float = 3.0,
        token_lifetime: float = 15 * 60,
        heartbeat_interval: float = 41.25,
        compress_gateway: bool = True,
        echo_bot_messages: bool = True,
        allowed_privileged_intents: int = PRIVILEGED_INTENTS,
        recommended_shards: int = 1,
        max_file_size: int = 10 * 1024 * 1024,
        host: str = "127.0.0.1",
    ) -> None:
        self.new_id = SnowflakeFactory()
        self.token = token
        self.application_flags = application_flags
        self.interaction_timeout = interaction_timeout
        self.token_lifetime = token_lifetime
        self.heartbeat_interval_ms = int(heartbeat_interval * 1000)
        self.compress_gateway = compress_gateway
        self.echo_bot_messages = echo_bot_messages
        self.allowed_privileged_intents = allowed_privileged_intents
        self.recommended_shards = recommended_shards
        self.max_file_size = max_file_size
        self.host = host
        self.ack_heartbeats = True
        self.refuse_resume = False

        # the world
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.attachments: dict[int, Attachment] = {}
        self.bot_user = self.add_user(bot_name, bot=True, id=bot_id)
        self.application_id = application_id or self.bot_user.id
        self.app_owner = self.add_user("app-owner")
        self.default_user: User | None = None
        self._named: dict[str, User] = {}  # default_world()'s users

        # what happened
        self.calls: list[Call] = []
        self.gateway_log: list[GatewayFrame] = []
        self.registered_commands: dict[int | None, dict[int, dict[str, Any]]] = {}
        self.command_syncs: list[tuple[int | None, list[dict[str, Any]]]] = []
        self.interactions: dict[int, InteractionRecord] = {}
        self.interactions_by_token: dict[str, InteractionRecord] = {}
        self.typing: list[int] = []

        self.gateway = Gateway(self)
        self.rest = RestApi(self)
        self._failures: list[_Failure] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._watched: list[asyncio.Task[Any]] = []
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    # --- lifecycle ----------------------------------------------------------------------------------------
    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=self.max_file_size * 11)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/resume-gateway", self.gateway.handle)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._serve_attachment)
        app.router.add_route("*", "/api/v10/{tail:.*}", self.rest.handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[union-attr]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("FakeDiscord is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """Set ``discord.http.Route.BASE`` to this."""
        return f"{self.url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Set ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` to ``yarl.URL(this)``."""
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        """What READY advertises; a RESUME connects here (a distinct path, so tests can tell)."""
        return f"ws://{self.host}:{self.port}/resume-gateway"

    def loop_time(self) -> float:
        return asyncio.get_running_loop().time()

    # --- building the world ----------------------------------------------------------------------------
    def add_user(
        self, username: str, *, bot: bool = False, id: int | None = None, global_name: str | None = None
    ) -> User:
        user = User(id=id or self.new_id(), username=username, bot=bot, global_name=global_name)
        self.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str = "Test Guild",
        *,
        owner: User | None = None,
        id: int | None = None,
        locale: str = "en-US",
        everyone_permissions: int = Perm.EVERYONE_DEFAULT,
        bot_permissions: int | None = None,
        bot_member: bool = True,
    ) -> Guild:
        """A guild with its @everyone role, its owner and (unless ``bot_member=False``) the bot as members.

        ``bot_permissions`` gives the bot a managed role with those permissions, as an invite with
        permissions does. Add it before the bot connects: its GUILD_CREATE is sent at IDENTIFY.
        """
        owner = owner or self.add_user(f"{name.lower().replace(' ', '-')}-owner")
        guild = Guild(
            id=id or self.new_id(), name=name, owner_id=owner.id, preferred_locale=locale, world=self
        )
        guild.add_role("@everyone", everyone_permissions, id=guild.id, position=0)
        guild.add_member(owner)
        if bot_member:
            roles: list[Role] = []
            if bot_permissions is not None:
                roles.append(guild.add_role(self.bot_user.username, bot_permissions, managed=True))
            guild.add_member(self.bot_user, roles)
        self.guilds[guild.id] = guild
        return guild

    def default_world(self) -> Guild:
        """One guild "Test Guild" (#general, #staff) with users owner, ``moderator`` (role Moderator: Manage
        Guild + Manage Messages) and ``member`` (no role, the default actor of every injection)."""
        guild = self.add_guild("Test Guild")
        guild.add_channel("general", topic="General chat")
        guild.add_channel("staff")
        moderator_role = guild.add_role("Moderator", Perm.MANAGE_GUILD | Perm.MANAGE_MESSAGES)
        moderator = self._named["moderator"] = self.add_user("moderator")
        guild.add_member(moderator, [moderator_role])
        member = self._named["member"] = self.add_user("member")
        guild.add_member(member)
        self.default_user = member
        return guild

    @property
    def member(self) -> User:
        """default_world()'s plain member (no role)."""
        return self._default_world_user("member")

    @property
    def moderator(self) -> User:
        """default_world()'s moderator (role Moderator: Manage Guild + Manage Messages)."""
        return self._default_world_user("moderator")

    def _default_world_user(self, name: str) -> User:
        if name not in self._named:
            raise AttributeError(f"fake.{name} exists only after fake.default_world()")
        return self._named[name]

    def dm_channel(self, user: User | int) -> Channel:
        """The DM channel between ``user`` and the bot (created on first use)."""
        user_id = as_id(user)
        for channel in self.channels.values():
            if channel.type == ChannelType.DM and channel.recipient_ids == [user_id]:
                return channel
        channel = Channel(id=self.new_id(), type=ChannelType.DM, recipient_ids=[user_id])
        self.channels[channel.id] = channel
        return channel

    def upload(
        self,
        filename: str,
        data: bytes | str,
        *,
        content_type: str | None = None,
        description: str | None = None,
        channel_id: int = 0,
        ephemeral: bool = False,
    ) -> Attachment:
        """Store a file on the fake CDN; ``Attachment.read()`` in the bot downloads it from there."""
        raw = data.encode() if isinstance(data, str) else data
        attachment = Attachment(
            id=self.new_id(),
            filename=filename,
            data=raw,
            content_type=content_type,
            description=description,
            ephemeral=ephemeral,
        )
        attachment.url = f"{self.url}/attachments/{channel_id}/{attachment.id}/{filename}"
        self.attachments[attachment.id] = attachment
        return attachment

    async def _serve_attachment(self, request: web.Request) -> web.Response:
        attachment = self.attachments.get(int(request.match_info["attachment_id"]))
        if attachment is None:
            return web.Response(status=404, text="not found")
        return web.Response(
            body=attachment.data,
            headers={"Content-Type": attachment.content_type or "application/octet-stream"},
        )

    # --- gateway control ----------------------------------------------------------------------------------
    @property
    def sessions(self) -> dict[int, Session]:
        """The current gateway session of each shard."""
        return dict(self.gateway.by_shard)

    def _require_session(self, guild_id: int | None) -> Session:
        session = self.gateway.session_for(guild_id)
        if session is None:
            raise RuntimeError(
                "the bot has not identified on the fake gateway yet (await fake.wait_until_ready())"
            )
        return session

    async def wait_until_ready(self, timeout: float = 10.0) -> None:
        """Until every shard has identified, got READY and its GUILD_CREATEs, and is connected."""
        await self.wait_until(self.gateway.is_ready, timeout, "the bot to identify and receive its guilds")

    async def disconnect(self, code: int = 4000, *, shard_id: int | None = None) -> None:
        """Close the bot's websocket(s) with ``code``; with 4000 discord.py reconnects and RESUMEs."""
        for conn in self.gateway.active_connections(shard_id):
            await conn.close(code, "Closed by the test.")

    async def drop_connection(self, *, shard_id: int | None = None) -> None:
        """Cut the bot's TCP connection(s) without a close frame; discord.py reconnects and RESUMEs."""
        for conn in self.gateway.active_connections(shard_id):
            conn.drop()

    def _log_frame(self, direction: str, shard_id: int | None, frame: dict[str, Any]) -> None:
        self.gateway_log.append(
            GatewayFrame(
                direction, shard_id, frame.get("op", -1), frame.get("t"), frame.get("d"), frame.get("s")
            )
        )

    def received(self, op: int | None = None) -> list[GatewayFrame]:
        """Frames the bot sent on the gateway (tokens redacted), optionally of one opcode."""
        return [f for f in self.gateway_log if f.direction == "recv" and (op is None or f.op == op)]

    # --- waiting ------------------------------------------------------------------------------------------
    def _notify(self) -> None:
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    def watch(self, task: asyncio.Task[Any]) -> None:
        """Make every wait fail fast if ``task`` (the bot) dies."""
        self._watched.append(task)
        task.add_done_callback(lambda _: self._notify())

    def _check_watched(self) -> None:
        for task in self._watched:
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise AssertionError(f"the bot task died: {task.exception()!r}") from task.exception()

    async def wait_until(
        self, predicate: Callable[[], T | None], timeout: float = 5.0, what: str = "a condition"
    ) -> T:
        """Re-check ``predicate`` after every REST call and gateway frame; return its first truthy result."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            self._check_watched()
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise WaitTimeout(f"timed out after {timeout}s waiting for {what}\n{self.describe()}")
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.append(fut)
            # Also wake up periodically: some conditions depend on time or on things we are not told about.
            await asyncio.wait({fut}, timeout=min(remaining, 0.25))
            if not fut.done():
                fut.cancel()

    def describe(self, last: int = 15) -> str:
        """Recent REST calls, refused calls, unknown routes and opcodes: what the bot did, for failure messages."""
        lines = [f"last {min(last, len(self.calls))} of {len(self.calls)} REST calls:"]
        lines += [f"  {c}" for c in self.calls[-last:]]
        if self.unknown_calls:
            lines.append("unknown routes: " + ", ".join(f"{c.method} {c.path}" for c in self.unknown_calls))
        if self.unknown_frames:
            lines.append(
                "unknown gateway opcodes: " + ", ".join(str(f.get("op")) for f in self.unknown_frames)
            )
        received = [f.t or f"op{f.op}" for f in self.gateway_log[-10:]]
        lines.append(f"last gateway frames: {received}")
        return "\n".join(lines)

    async def wait_for_call(
        self,
        method: str | None,
        path_pattern: str | re.Pattern[str],
        timeout: float = 5.0,
        *,
        after: int = 0,
        status: int | None = None,
    ) -> Call:
        """The first recorded call (index >= ``after``) whose path fully matches the regex ``path_pattern``.

        Paths have no ``/api/v10`` prefix, e.g. ``r"/channels/\\d+/messages"``. Waits until it is answered.
        """
        pattern = re.compile(path_pattern) if isinstance(path_pattern, str) else path_pattern

        def find() -> Call | None:
            for call in self.calls[after:]:
                if (
                    call.status
                    and (method is None or call.method == method.upper())
                    and pattern.fullmatch(call.path)
                    and (status is None or call.status == status)
                ):
                    return call
            return None

        return await self.wait_until(find, timeout, f"{method or '*'} {pattern.pattern}")

    async def wait_for_resume(self, timeout: float = 10.0, *, count: int = 1, shard_id: int = 0) -> Session:
        def find() -> Session | None:
            session = self.gateway.by_shard.get(shard_id)
            return session if session is not None and session.resumes >= count and session.connected else None

        return await self.wait_until(find, timeout, f"shard {shard_id} to RESUME")

    # --- inspecting ---------------------------------------------------------------------------------------
    @property
    def errors(self) -> list[Call]:
        """Calls the fake refused (status >= 400), injected failures excluded."""
        return [c for c in self.calls if c.status >= 400 and c.route != "<injected failure>"]

    @property
    def unknown_calls(self) -> list[Call]:
        """Calls to routes the fake does not implement."""
        return [c for c in self.calls if c.status and c.route is None]

    @property
    def unknown_frames(self) -> list[dict[str, Any]]:
        """Gateway frames the bot sent with an opcode the fake does not implement (e.g. 8, member chunks)."""
        return list(self.gateway.unknown_frames)

    def assert_clean(self, *, allow_errors: Iterable[int] = ()) -> None:
        """Fail if the bot hit an unknown route or gateway opcode, or made a request the fake refused
        (except codes allowed)."""
        allowed = set(allow_errors)
        bad = [c for c in self.errors if (c.response or {}).get("code") not in allowed]
        if bad or self.unknown_calls or self.unknown_frames:
            raise AssertionError(
                "the bot made bad requests:\n" + "\n".join(f"  {c}" for c in bad) + "\n" + self.describe()
            )

    def find_calls(self, method: str | None = None, path_pattern: str | None = None) -> list[Call]:
        pattern = re.compile(path_pattern) if path_pattern else None
        return [
            c
            for c in self.calls
            if (method is None or c.method == method.upper())
            and (pattern is None or pattern.fullmatch(c.path))
        ]

    def interaction_responses(self, interaction_id: int) -> list[Call]:
        """Every REST call made for this interaction (callback, follow-ups, @original edits), in order."""
        record = self.interactions.get(int(interaction_id))
        return list(record.calls) if record else []

    def commands(self, guild: Guild | int | None = None) -> list[dict[str, Any]]:
        """The registered commands, global (``guild=None``) or of one guild, as the fake returned them."""
        scope = None if guild is None else as_id(guild)
        return list(self.registered_commands.get(scope, {}).values())

    def command(self, name: str, guild: Guild | int | None = None, *, type: int = 1) -> dict[str, Any]:
        for cmd in self.commands(guild):
            if cmd["name"] == name and cmd.get("type", 1) == type:
                return cmd
        raise KeyError(
            f"no command {name!r} registered; registered: {[c['name'] for c in self.commands(guild)]}"
        )

    def channel_messages(self, channel: Channel | int) -> list[Message]:
        """Visible messages of a channel, oldest first (no ephemeral, no placeholders)."""
        channel_id = as_id(channel)
        return [m for m in self.messages.values() if m.channel_id == channel_id and not m.ephemeral]

    # --- failure injection --------------------------------------------------------------------------------
    def fail_next(
        self,
        method: str | None,
        path_pattern: str,
        *,
        status: int = 500,
        code: int = 0,
        message: str | None = None,
        retry_after: float = 0.05,
        is_global: bool = False,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` matching calls with ``status`` instead of handling them.

        429 comes with ``retry_after`` and the ``Via`` header, so discord.py waits and retries.
        """
        headers: dict[str, str] = {}
        body: dict[str, Any] = {"message": message or f"{status}: injected failure", "code": code}
        if status == 429:
            body.update(
                message=message or "You are being rate limited.",
                retry_after=retry_after,
                **{"global": is_global},
            )
            headers = {
                "Via": "1.1 google",
                "Retry-After": str(max(1, round(retry_after))),
                "X-RateLimit-Scope": "global" if is_global else "user",
            }
        self._failures.append(
            _Failure(method and method.upper(), re.compile(path_pattern), status, body, headers, times)
        )

    def _take_failure(self, call: Call) -> tuple[int, Any, dict[str, str]] | None:
        for failure in self._failures:
            if (failure.method is None or failure.method == call.method) and failure.pattern.fullmatch(
                call.path
            ):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                return failure.status, failure.body, failure.headers
        return None
