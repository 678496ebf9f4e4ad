"""The fake REST API: every route the bot may hit, with Discord's status codes and error bodies.

Every request is recorded as a `Call` before it is handled. Unknown routes answer 404 ``{"message", "code"}``
and stay visible in ``FakeDiscord.unknown_calls``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import payloads, validation
from .gateway import INTENT_DIRECT_MESSAGES, INTENT_GUILD_MEMBERS, INTENT_GUILD_MESSAGES
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    PING,
    InteractionRecord,
)
from .models import (
    ApiError,
    Attachment,
    Call,
    Channel,
    ChannelType,
    Message,
    Perm,
    UploadedFile,
    format_error,
    iso_now,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

_log = logging.getLogger("tests.fakediscord")

Handler = Callable[..., Awaitable[tuple[int, Any]]]

SNOWFLAKE = r"\d+"

# Interaction callback types each interaction type accepts.
ALLOWED_CALLBACKS = {
    PING: {1},
    APPLICATION_COMMAND: {4, 5, 9},
    MESSAGE_COMPONENT: {4, 5, 6, 7, 9},
    AUTOCOMPLETE: {8},
    MODAL_SUBMIT: {4, 5, 6, 7},
}
CREATE_FLAGS = (
    Message.EPHEMERAL | Message.SUPPRESS_NOTIFICATIONS | Message.IS_COMPONENTS_V2 | (1 << 2) | (1 << 13)
)


def unknown(kind: str, code: int) -> ApiError:
    return ApiError(404, code, f"Unknown {kind}")


@dataclass
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler
    auth: bool


class RestApi:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.routes: list[Route] = []
        self._register()

    # --- plumbing ------------------------------------------------------------------------------------
    def add(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
        regex = re.sub(r"\{(\w+)\}", lambda m: f"(?P<{m.group(1)}>[^/]+)", template)
        self.routes.append(Route(method, template, re.compile(regex + r"/?"), handler, auth))

    def _register(self) -> None:
        a = self.add
        a("GET", "/gateway", self.get_gateway, auth=False)
        a("GET", "/gateway/bot", self.get_gateway_bot)
        a("GET", "/users/@me", self.get_me)
        a("PATCH", "/users/@me", self.edit_me)
        a("POST", "/users/@me/channels", self.create_dm)
        a("GET", "/users/{user_id}", self.get_user)
        a("GET", "/oauth2/applications/@me", self.get_application)
        a("GET", "/applications/@me", self.get_application)
        a("GET", "/applications/{app_id}/emojis", self.empty_items)
        a("GET", "/applications/{app_id}/entitlements", self.empty_list)
        # application commands, global and per guild
        for prefix in ("/applications/{app_id}", "/applications/{app_id}/guilds/{guild_id}"):
            a("GET", prefix + "/commands", self.list_commands)
            a("PUT", prefix + "/commands", self.bulk_commands)
            a("POST", prefix + "/commands", self.upsert_command)
            a("GET", prefix + "/commands/{command_id}", self.get_command)
            a("PATCH", prefix + "/commands/{command_id}", self.edit_command)
            a("DELETE", prefix + "/commands/{command_id}", self.delete_command)
        a("GET", "/applications/{app_id}/guilds/{guild_id}/commands/permissions", self.empty_list)
        a(
            "GET",
            "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}/permissions",
            self.no_command_permissions,
        )
        # interactions
        a("POST", "/interactions/{interaction_id}/{token}/callback", self.interaction_callback, auth=False)
        a("POST", "/webhooks/{app_id}/{token}", self.followup, auth=False)
        a("GET", "/webhooks/{app_id}/{token}/messages/{message_id}", self.get_webhook_message, auth=False)
        a("PATCH", "/webhooks/{app_id}/{token}/messages/{message_id}", self.edit_webhook_message, auth=False)
        a(
            "DELETE",
            "/webhooks/{app_id}/{token}/messages/{message_id}",
            self.delete_webhook_message,
            auth=False,
        )
        # channels and messages
        a("GET", "/channels/{channel_id}", self.get_channel)
        a("GET", "/channels/{channel_id}/messages", self.list_messages)
        a("POST", "/channels/{channel_id}/messages", self.create_message)
        a("POST", "/channels/{channel_id}/messages/bulk-delete", self.bulk_delete)
        a("GET", "/channels/{channel_id}/messages/pins", self.list_pins)
        a("PUT", "/channels/{channel_id}/messages/pins/{message_id}", self.pin)
        a("DELETE", "/channels/{channel_id}/messages/pins/{message_id}", self.unpin)
        a("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message)
        a("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message)
        a("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message)
        a("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", self.add_reaction)
        a(
            "DELETE",
            "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
            self.remove_reaction,
        )
        a("POST", "/channels/{channel_id}/messages/{message_id}/threads", self.thread_from_message)
        a("POST", "/channels/{channel_id}/threads", self.thread_without_message)
        a("POST", "/channels/{channel_id}/typing", self.typing)
        # guilds
        a("GET", "/guilds/{guild_id}", self.get_guild)
        a("GET", "/guilds/{guild_id}/channels", self.get_guild_channels)
        a("GET", "/guilds/{guild_id}/roles", self.get_roles)
        a("GET", "/guilds/{guild_id}/threads/active", self.active_threads)
        a("GET", "/guilds/{guild_id}/members", self.list_members)
        a("GET", "/guilds/{guild_id}/members/search", self.search_members)
        a("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member)
        a("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", self.add_member_role)
        a("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", self.remove_member_role)

    async def handle(self, request: web.Request) -> web.Response:
        fake = self.fake
        path = "/" + request.match_info.get("tail", "")
        json_body, files, form = await _read_body(request)
        auth_header = request.headers.get("Authorization")
        call = Call(
            index=len(fake.calls),
            method=request.method,
            path=path,
            query=dict(request.query),
            json=json_body,
            files=files,
            form=form,
            headers={k: v for k, v in request.headers.items() if k.lower() != "authorization"},
            authorized=auth_header == f"Bot {fake.token}",
            time=fake.loop_time(),
        )
        fake.calls.append(call)
        headers: dict[str, str] = {}
        try:
            injected = fake._take_failure(call)
            if injected is not None:
                call.route = "<injected failure>"
                status, body, headers = injected
            else:
                status, body = await self._dispatch(call, auth_header)
        except ApiError as exc:
            status, body = exc.status, exc.body()
            if exc.hint:
                body = {**body, "_fake_hint": exc.hint}  # discord.py ignores unknown keys
            _log.warning(
                "fake discord refused %s %s: %s %s", call.method, call.path, status, format_error(body)
            )
        call.status, call.response = status, body
        fake._notify()
        if status == 204 or body is None:
            return web.Response(status=204 if status < 300 else status, headers=headers)
        data = json.dumps(body, ensure_ascii=False).encode()
        # Exactly "application/json": discord.py compares the header verbatim before decoding JSON.
        return web.Response(status=status, body=data, headers={**headers, "Content-Type": "application/json"})

    async def _dispatch(self, call: Call, auth_header: str | None) -> tuple[int, Any]:
        for route in self.routes:
            if route.method != call.method:
                continue
            match = route.pattern.fullmatch(call.path)
            if match is None:
                continue
            call.route = route.template
            if route.auth and not call.authorized:
                raise ApiError(401, 0, "401: Unauthorized", hint=f"Authorization header was {auth_header!r}")
            return await route.handler(call, **match.groupdict())
        # Same path, other method: Discord answers 405.
        if any(r.pattern.fullmatch(call.path) for r in self.routes):
            raise ApiError(
                405, 0, "405: Method Not Allowed", hint="the fake knows this path with another method"
            )
        raise ApiError(404, 0, "404: Not Found", hint="route not implemented by the fake")

    # --- helpers ---------------------------------------------------------------------------------------
    def _app(self, app_id: str) -> None:
        if app_id not in (str(self.fake.application_id), "@me"):
            raise unknown("Application", 10002)

    def _guild(self, guild_id: str) -> Any:
        guild = self.fake.guilds.get(int(guild_id)) if guild_id.isdigit() else None
        if guild is None:
            raise unknown("Guild", 10004)
        if self.fake.bot_user.id not in guild.members:
            raise ApiError(403, 50001, "Missing Access")
        return guild

    def _channel(self, channel_id: str) -> Channel:
        channel = self.fake.channels.get(int(channel_id)) if channel_id.isdigit() else None
        if channel is None:
            raise unknown("Channel", 10003)
        return channel

    def _channel_message(self, channel_id: str, message_id: str) -> Message:
        self._channel(channel_id)
        message = self.fake.messages.get(int(message_id)) if message_id.isdigit() else None
        # Ephemeral messages exist only for the interaction's token, not on channel routes.
        if message is None or message.deleted or message.ephemeral or message.channel_id != int(channel_id):
            raise unknown("Message", 10008)
        return message

    def _bot_permissions(self, channel: Channel) -> int:
        if channel.guild_id is None:
            return Perm.ALL
        guild = self.fake.guilds[channel.guild_id]
        bot = guild.members.get(self.fake.bot_user.id)
        return guild.permissions_for(bot, channel) if bot else 0

    def _require(self, channel: Channel, needed: int, what: str) -> None:
        have = self._bot_permissions(channel)
        if have & needed != needed:
            missing = needed & ~have
            raise ApiError(
                403,
                50013,
                "Missing Permissions",
                hint=f"{what} needs permission bits {missing:#x} in #{channel.name}",
            )

    def _attachments(
        self,
        body: dict[str, Any],
        files: list[UploadedFile],
        channel_id: int,
        existing: list[Attachment] | None,
    ) -> list[Attachment]:
        """The message's attachments after this request: kept ones (by id) plus the uploaded files."""
        uploads = {f.field: f for f in files if f.field.startswith("files[")}
        for f in files:
            if f.filename is not None and f.data is not None and len(f.data) > self.fake.max_file_size:
                raise ApiError(
                    413, 40005, "Request entity too large", hint=f"{f.filename} is {len(f.data)} bytes"
                )
        listed = body.get("attachments")
        out: list[Attachment] = []
        used: set[str] = set()
        if isinstance(listed, list):
            by_id = {str(a.id): a for a in existing or []}
            for i, item in enumerate(listed):
                key = str(item.get("id"))
                if key in by_id:
                    out.append(by_id[key])
                    continue
                upload = uploads.get(f"files[{key}]")
                if upload is None:
                    raise validation.invalid_form_body(
                        [
                            validation.Problem(
                                ("attachments", i, "id"),
                                "ATTACHMENT_NOT_FOUND",
                                f"Unknown attachment {key!r}",
                            )
                        ]
                    )
                used.add(upload.field)
                out.append(
                    self._store_upload(upload, channel_id, item.get("filename"), item.get("description"))
                )
        else:
            out = list(existing or [])
        for name, upload in uploads.items():
            if name not in used:
                out.append(self._store_upload(upload, channel_id, None, None))
        return out

    def _store_upload(
        self, upload: UploadedFile, channel_id: int, filename: str | None, description: str | None
    ) -> Attachment:
        return self.fake.upload(
            filename or upload.filename or "file",
            upload.data,
            description=description,
            channel_id=channel_id,
        )

    def _body(self, call: Call) -> dict[str, Any]:
        body = call.json
        if body is None:
            return {}
        if not isinstance(body, dict):
            raise ApiError(400, 50109, "The request body contains invalid JSON.")
        return body

    def _new_message(
        self,
        body: dict[str, Any],
        files: list[UploadedFile],
        *,
        channel: Channel,
        allowed_flags: int,
        prefix: tuple[str | int, ...] = (),
        record: InteractionRecord | None = None,
        message_type: int = 0,
    ) -> Message:
        problems = validation.message_problems(body, files=len(files))
        if problems:
            raise validation.invalid_form_body(problems, prefix)
        attachments = self._attachments(body, files, channel.id, None)
        if validation.is_empty_message(body, files=len(attachments)):
            raise validation.empty_message_error()
        fake = self.fake
        message = Message(
            id=fake.new_id(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=fake.bot_user,
            content=body.get("content") or "",
            embeds=list(body.get("embeds") or []),
            components=_with_component_ids(body.get("components") or []),
            attachments=attachments,
            flags=int(body.get("flags") or 0) & allowed_flags,
            type=message_type,
            tts=bool(body.get("tts")),
            allowed_mentions=body.get("allowed_mentions"),
            nonce=body.get("nonce"),
            sticker_ids=[int(s) for s in body.get("sticker_ids") or []],
            poll=body.get("poll"),
        )
        message.mentions = _parse_mentions(message.content, fake)
        if record is not None:
            message.webhook_id = fake.application_id
            message.application_id = fake.application_id
            message.interaction_id = record.id
            message.interaction_metadata = _interaction_metadata(record, fake)
            for att in message.attachments:
                att.ephemeral = message.ephemeral
        fake.messages[message.id] = message
        if not message.ephemeral:
            channel.last_message_id = message.id
        return message

    def _edit(
        self,
        message: Message,
        body: dict[str, Any],
        files: list[UploadedFile],
        prefix: tuple[str | int, ...] = (),
    ) -> None:
        suppress_embeds = 1 << 2
        flags = message.flags
        if body.get("flags") is not None:
            wanted = int(body["flags"])
            flags = (flags & ~suppress_embeds) | (wanted & (suppress_embeds | Message.IS_COMPONENTS_V2))
        merged = {
            "content": body.get("content", message.content) or "",
            "embeds": body.get("embeds", message.embeds) or [],
            "components": body.get("components", message.components) or [],
            "flags": flags,
            "sticker_ids": message.sticker_ids,
            "poll": message.poll,
        }
        problems = validation.message_problems(merged, files=len(files))
        if problems:
            raise validation.invalid_form_body(problems, prefix)
        attachments = self._attachments(body, files, message.channel_id, message.attachments)
        if validation.is_empty_message(merged, files=len(attachments)):
            raise validation.empty_message_error()
        message.history.append(message.snapshot())
        message.content = merged["content"]
        message.embeds = list(merged["embeds"])
        message.components = _with_component_ids(merged["components"])
        message.attachments = attachments
        if message.loading:
            flags &= ~Message.LOADING  # the deferred placeholder gets its real content
        else:
            message.edited_timestamp = iso_now()
        message.flags = flags
        if "allowed_mentions" in body:
            message.allowed_mentions = body["allowed_mentions"]
        message.mentions = _parse_mentions(message.content, self.fake)

    async def _echo(self, event: str, message: Message) -> None:
        """Send the bot its own message events, as Discord does (never for ephemeral messages)."""
        fake = self.fake
        if not fake.echo_bot_messages or message.ephemeral:
            return
        session = fake.gateway.session_for(message.guild_id)
        if session is None:
            return
        intent = INTENT_GUILD_MESSAGES if message.guild_id else INTENT_DIRECT_MESSAGES
        if not session.has_intent(intent):
            return
        if event == "MESSAGE_DELETE":
            data: dict[str, Any] = {"id": str(message.id), "channel_id": str(message.channel_id)}
            if message.guild_id:
                data["guild_id"] = str(message.guild_id)
        else:
            data = payloads.message(message, fake, gateway=True)
        await session.dispatch(event, data)

    # --- gateway, users, application ---------------------------------------------------------------------
    async def get_gateway(self, call: Call) -> tuple[int, Any]:
        return 200, {"url": self.fake.gateway_url}

    async def get_gateway_bot(self, call: Call) -> tuple[int, Any]:
        return 200, {
            "url": self.fake.gateway_url,
            "shards": self.fake.recommended_shards,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 14_400_000,
                "max_concurrency": 1,
            },
        }

    async def get_me(self, call: Call) -> tuple[int, Any]:
        return 200, payloads.current_user(self.fake.bot_user)

    async def edit_me(self, call: Call) -> tuple[int, Any]:
        body = self._body(call)
        if "username" in body:
            self.fake.bot_user.username = body["username"]
        return 200, payloads.current_user(self.fake.bot_user)

    async def get_user(self, call: Call, user_id: str) -> tuple[int, Any]:
        user = self.fake.users.get(int(user_id)) if user_id.isdigit() else None
        if user is None:
            raise unknown("User", 10013)
        return 200, payloads.user(user)

    async def create_dm(self, call: Call) -> tuple[int, Any]:
        body = self._body(call)
        user = self.fake.users.get(int(body.get("recipient_id", 0)))
        if user is None:
            raise unknown("User", 10013)
        return 200, payloads.channel(self.fake.dm_channel(user), self.fake)

    async def get_application(self, call: Call, app_id: str | None = None) -> tuple[int, Any]:
        return 200, payloads.application(self.fake)

    async def empty_items(self, call: Call, app_id: str) -> tuple[int, Any]:
        self._app(app_id)
        return 200, {"items": []}

    async def empty_list(self, call: Call, app_id: str, guild_id: str | None = None) -> tuple[int, Any]:
        self._app(app_id)
        return 200, []

    async def no_command_permissions(
        self, call: Call, app_id: str, guild_id: str, command_id: str
    ) -> tuple[int, Any]:
        raise unknown("application command permissions", 10066)

    # --- application commands ---------------------------------------------------------------------------
    def _scope(self, app_id: str, guild_id: str | None) -> tuple[int | None, dict[int, dict[str, Any]]]:
        self._app(app_id)
        scope = None if guild_id is None else self._guild(guild_id).id
        return scope, self.fake.registered_commands.setdefault(scope, {})

    def _store_command(
        self, scope: int | None, body: dict[str, Any], existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        fake = self.fake
        cmd = json.loads(json.dumps(body))
        cmd.setdefault("type", 1)
        cmd.setdefault("description", "")
        cmd.setdefault("options", [])
        cmd.setdefault("nsfw", False)
        if cmd.get("default_member_permissions") is not None:
            cmd["default_member_permissions"] = str(cmd["default_member_permissions"])
        else:
            cmd["default_member_permissions"] = None
        cmd.setdefault("name_localizations", None)
        cmd.setdefault("description_localizations", None)
        cmd["id"] = existing["id"] if existing else str(fake.new_id())
        cmd["application_id"] = str(fake.application_id)
        cmd["version"] = str(fake.new_id())
        if scope is not None:
            cmd["guild_id"] = str(scope)
        else:
            cmd.pop("guild_id", None)
            cmd.setdefault("contexts", None)
            cmd.setdefault("integration_types", [0])
        return cmd

    async def list_commands(self, call: Call, app_id: str, guild_id: str | None = None) -> tuple[int, Any]:
        _, commands = self._scope(app_id, guild_id)
        return 200, list(commands.values())

    async def bulk_commands(self, call: Call, app_id: str, guild_id: str | None = None) -> tuple[int, Any]:
        scope, commands = self._scope(app_id, guild_id)
        body = call.json
        problems = validation.bulk_command_problems(body)
        if problems:
            raise validation.invalid_form_body(problems)
        old = {(c["type"], c["name"]): c for c in commands.values()}
        new = [self._store_command(scope, c, old.get((c.get("type", 1), c.get("name")))) for c in body]
        commands.clear()
        commands.update({int(c["id"]): c for c in new})
        self.fake.command_syncs.append((scope, new))
        return 200, new

    async def upsert_command(self, call: Call, app_id: str, guild_id: str | None = None) -> tuple[int, Any]:
        scope, commands = self._scope(app_id, guild_id)
        body = self._body(call)
        problems = validation.command_problems(body)
        if problems:
            raise validation.invalid_form_body(problems)
        existing = next(
            (
                c
                for c in commands.values()
                if (c["type"], c["name"]) == (body.get("type", 1), body.get("name"))
            ),
            None,
        )
        cmd = self._store_command(scope, body, existing)
        commands[int(cmd["id"])] = cmd
        return (200 if existing else 201), cmd

    def _command(self, commands: dict[int, dict[str, Any]], command_id: str) -> dict[str, Any]:
        cmd = commands.get(int(command_id)) if command_id.isdigit() else None
        if cmd is None:
            raise unknown("application command", 10063)
        return cmd

    async def get_command(
        self, call: Call, app_id: str, command_id: str, guild_id: str | None = None
    ) -> tuple[int, Any]:
        _, commands = self._scope(app_id, guild_id)
        return 200, self._command(commands, command_id)

    async def edit_command(
        self, call: Call, app_id: str, command_id: str, guild_id: str | None = None
    ) -> tuple[int, Any]:
        scope, commands = self._scope(app_id, guild_id)
        cmd = self._command(commands, command_id)
        merged = {k: v for k, v in cmd.items() if k not in ("id", "application_id", "version", "guild_id")}
        merged.update(self._body(call))
        problems = validation.command_problems(merged)
        if problems:
            raise validation.invalid_form_body(problems)
        updated = self._store_command(scope, merged, cmd)
        commands[int(command_id)] = updated
        return 200, updated

    async def delete_command(
        self, call: Call, app_id: str, command_id: str, guild_id: str | None = None
    ) -> tuple[int, Any]:
        _, commands = self._scope(app_id, guild_id)
        self._command(commands, command_id)
        del commands[int(command_id)]
        return 204, None

    # --- interactions ------------------------------------------------------------------------------------
    async def interaction_callback(self, call: Call, interaction_id: str, token: str) -> tuple[int, Any]:
        fake = self.fake
        record = fake.interactions.get(int(interaction_id)) if interaction_id.isdigit() else None
        if record is None or record.token != token:
            raise ApiError(404, 10062, "Unknown interaction", hint="no such interaction id/token")
        call.interaction_id = record.id
        record.calls.append(call)
        if record.response_type is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        elapsed = call.time - record.created_at
        if elapsed > fake.interaction_timeout:
            raise ApiError(
                404,
                10062,
                "Unknown interaction",
                hint=f"first response after {elapsed:.2f}s > {fake.interaction_timeout}s",
            )
        body = self._body(call)
        kind = body.get("type")
        data = body.get("data") or {}
        if kind not in ALLOWED_CALLBACKS.get(record.type, set()) or (
            kind == 7 and record.source_message_id is None
        ):
            raise validation.invalid_form_body(
                [
                    validation.Problem(
                        ("type",),
                        "INTERACTION_CALLBACK_TYPE_INVALID",
                        f"Callback type {kind} is not valid for interaction type {record.type}",
                    )
                ]
            )
        channel = fake.channels[record.channel_id]
        info: dict[str, Any] = {"id": str(record.id), "type": record.type}
        resource: dict[str, Any] | None = {"type": kind}
        message: Message | None = None
        if kind == 4:
            message = self._new_message(
                data,
                call.files,
                channel=channel,
                allowed_flags=CREATE_FLAGS,
                prefix=("data",),
                record=record,
                message_type=20 if record.type == APPLICATION_COMMAND else 0,
            )
            record.original_message_id = message.id
            resource["message"] = payloads.message(message, fake)
        elif kind == 5:
            message = Message(
                id=fake.new_id(),
                channel_id=channel.id,
                guild_id=channel.guild_id,
                author=fake.bot_user,
                flags=Message.LOADING | (int(data.get("flags") or 0) & Message.EPHEMERAL),
                type=20 if record.type == APPLICATION_COMMAND else 0,
                webhook_id=fake.application_id,
                application_id=fake.application_id,
                interaction_id=record.id,
                interaction_metadata=_interaction_metadata(record, fake),
            )
            fake.messages[message.id] = message
            record.original_message_id = message.id
        elif kind == 6:
            record.original_message_id = record.source_message_id
            if record.source_message_id is not None:
                info["response_message_id"] = str(record.source_message_id)
        elif kind == 7:
            source = fake.messages[record.source_message_id or 0]
            self._edit(source, data, call.files, prefix=("data",))
            message = source
            record.original_message_id = source.id
            resource["message"] = payloads.message(source, fake)
        elif kind == 8:
            problems = validation.autocomplete_problems(data, record.focused_type)
            if problems:
                raise validation.invalid_form_body(problems)
            record.choices = list(data["choices"])
            resource = None
        elif kind == 9:
            problems = validation.modal_problems(data)
            if problems:
                raise validation.invalid_form_body(problems)
            record.modal = data
        if message is not None:
            info.update(
                response_message_id=str(message.id),
                response_message_loading=message.loading,
                response_message_ephemeral=message.ephemeral,
            )
        record.response_type = kind
        record.responded_at = call.time
        if message is not None and kind in (4, 5):
            await self._echo("MESSAGE_CREATE", message)
        elif message is not None and kind == 7:
            await self._echo("MESSAGE_UPDATE", message)
        if call.query.get("with_response") not in ("1", "true", "True"):
            return 204, None
        reply: dict[str, Any] = {"interaction": info}
        if resource is not None:
            reply["resource"] = resource
        return 200, reply

    def _webhook_record(self, call: Call, app_id: str, token: str) -> InteractionRecord:
        record = self.fake.interactions_by_token.get(token)
        if app_id != str(self.fake.application_id) or record is None:
            raise unknown("Webhook", 10015)
        call.interaction_id = record.id
        record.calls.append(call)
        if record.response_type is None:
            raise ApiError(
                404, 10015, "Unknown Webhook", hint="the interaction has not been acknowledged yet"
            )
        if call.time - record.created_at > self.fake.token_lifetime:
            raise ApiError(401, 50027, "Invalid Webhook Token", hint="interaction tokens last 15 minutes")
        return record

    def _webhook_message(self, record: InteractionRecord, message_id: str) -> Message:
        if message_id == "@original":
            mid = record.original_message_id
        elif message_id.isdigit() and (
            int(message_id) in record.followup_ids or int(message_id) == record.original_message_id
        ):
            mid = int(message_id)
        else:
            mid = None
        message = self.fake.messages.get(mid or 0)
        if message is None or message.deleted:
            raise unknown("Message", 10008)
        return message

    async def followup(self, call: Call, app_id: str, token: str) -> tuple[int, Any]:
        record = self._webhook_record(call, app_id, token)
        body = self._body(call)
        channel = self.fake.channels[record.channel_id]
        message = self._new_message(
            body, call.files, channel=channel, allowed_flags=CREATE_FLAGS, record=record
        )
        message.interaction_metadata = {
            **(message.interaction_metadata or {}),
            **(
                {"original_response_message_id": str(record.original_message_id)}
                if record.original_message_id
                else {}
            ),
        }
        record.followup_ids.append(message.id)
        await self._echo("MESSAGE_CREATE", message)
        if call.query.get("wait") in ("1", "true", "True"):
            return 200, payloads.message(message, self.fake)
        return 204, None

    async def get_webhook_message(
        self, call: Call, app_id: str, token: str, message_id: str
    ) -> tuple[int, Any]:
        record = self._webhook_record(call, app_id, token)
        return 200, payloads.message(self._webhook_message(record, message_id), self.fake)

    async def edit_webhook_message(
        self, call: Call, app_id: str, token: str, message_id: str
    ) -> tuple[int, Any]:
        record = self._webhook_record(call, app_id, token)
        message = self._webhook_message(record, message_id)
        self._edit(message, self._body(call), call.files)
        await self._echo("MESSAGE_UPDATE", message)
        return 200, payloads.message(message, self.fake)

    async def delete_webhook_message(
        self, call: Call, app_id: str, token: str, message_id: str
    ) -> tuple[int, Any]:
        record = self._webhook_record(call, app_id, token)
        message = self._webhook_message(record, message_id)
        message.deleted = True
        await self._echo("MESSAGE_DELETE", message)
        return 204, None

    # --- channels and messages -----------------------------------------------------------------------------
    async def get_channel(self, call: Call, channel_id: str) -> tuple[int, Any]:
        return 200, payloads.channel(self._channel(channel_id), self.fake)

    async def list_messages(self, call: Call, channel_id: str) -> tuple[int, Any]:
        channel = self._channel(channel_id)
        self._require(channel, Perm.VIEW_CHANNEL | Perm.READ_MESSAGE_HISTORY, "reading history")
        messages = self.fake.channel_messages(channel)
        limit = int(call.query.get("limit", 50))
        if "before" in call.query:
            messages = [m for m in messages if m.id < int(call.query["before"])]
        if "after" in call.query:
            messages = [m for m in messages if m.id > int(call.query["after"])]
            messages = messages[:limit]
        else:
            messages = messages[-limit:]
        return 200, [payloads.message(m, self.fake) for m in reversed(messages)]

    async def get_message(self, call: Call, channel_id: str, message_id: str) -> tuple[int, Any]:
        return 200, payloads.message(self._channel_message(channel_id, message_id), self.fake)

    async def create_message(self, call: Call, channel_id: str) -> tuple[int, Any]:
        channel = self._channel(channel_id)
        body = self._body(call)
        if channel.is_thread:
            self._require(channel, Perm.VIEW_CHANNEL | Perm.SEND_MESSAGES_IN_THREADS, "sending in a thread")
        else:
            self._require(channel, Perm.VIEW_CHANNEL | Perm.SEND_MESSAGES, "sending a message")
        if call.files:
            self._require(channel, Perm.ATTACH_FILES, "attaching files")
        reference = body.get("message_reference")
        referenced: Message | None = None
        if reference and reference.get("message_id"):
            referenced = self.fake.messages.get(int(reference["message_id"]))
            valid = referenced is not None and not referenced.deleted and not referenced.ephemeral
            if not valid:
                referenced = None
                if reference.get("fail_if_not_exists", True):
                    raise validation.invalid_form_body(
                        [
                            validation.Problem(
                                ("message_reference",), "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
                            )
                        ]
                    )
        message = self._new_message(
            body,
            call.files,
            channel=channel,
            allowed_flags=CREATE_FLAGS & ~Message.EPHEMERAL,
            message_type=19 if referenced else 0,
        )
        if referenced is not None:
            message.message_reference = {
                "type": int(reference.get("type", 0)),
                "message_id": str(referenced.id),
                "channel_id": str(referenced.channel_id),
                **({"guild_id": str(referenced.guild_id)} if referenced.guild_id else {}),
            }
            message.referenced_message_id = referenced.id
            allowed = body.get("allowed_mentions")
            pings = allowed is None or allowed.get("replied_user", False)
            if pings and referenced.author.id not in message.mentions:
                message.mentions.append(referenced.author.id)
        await self._echo("MESSAGE_CREATE", message)
        return 200, payloads.message(message, self.fake)

    async def edit_message(self, call: Call, channel_id: str, message_id: str) -> tuple[int, Any]:
        message = self._channel_message(channel_id, message_id)
        if message.author.id != self.fake.bot_user.id:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        self._edit(message, self._body(call), call.files)
        await self._echo("MESSAGE_UPDATE", message)
        return 200, payloads.message(message, self.fake)

    async def delete_message(self, call: Call, channel_id: str, message_id: str) -> tuple[int, Any]:
        message = self._channel_message(channel_id, message_id)
        if message.author.id != self.fake.bot_user.id:
            self._require(self._channel(channel_id), Perm.MANAGE_MESSAGES, "deleting others' messages")
        message.deleted = True
        await self._echo("MESSAGE_DELETE", message)
        return 204, None

    async def bulk_delete(self, call: Call, channel_id: str) -> tuple[int, Any]:
        channel = self._channel(channel_id)
        self._require(channel, Perm.MANAGE_MESSAGES, "bulk delete")
        ids = self._body(call).get("messages") or []
        if not 2 <= len(ids) <= 100:
            raise validation.invalid_form_body(
                [
                    validation.Problem(
                        ("messages",), "BASE_TYPE_BAD_LENGTH", "Must be between 2 and 100 in length."
                    )
                ]
            )
        for mid in ids:
            message = self.fake.messages.get(int(mid))
            if message is not None and message.channel_id == channel.id:
                message.deleted = True
        return 204, None

    async def list_pins(self, call: Call, channel_id: str) -> tuple[int, Any]:
        channel = self._channel(channel_id)
        pins = [m for m in self.fake.channel_messages(channel) if m.pinned]
        return 200, {
            "items": [{"pinned_at": iso_now(), "message": payloads.message(m, self.fake)} for m in pins],
            "has_more": False,
        }

    async def pin(self, call: Call, channel_id: str, message_id: str) -> tuple[int, Any]:
        message = self._channel_message(channel_id, message_id)
        self._require(self._channel(channel_id), Perm.MANAGE_MESSAGES, "pinning")
        message.pinned = True
        return 204, None

    async def unpin(self, call: Call, channel_id: str, message_id: str) -> tuple[int, Any]:
        message = self._channel_message(channel_id, message_id)
        self._require(self._channel(channel_id), Perm.MANAGE_MESSAGES, "unpinning")
        message.pinned = False
        return 204, None

    async def add_reaction(self, call: Call, channel_id: str, message_id: str, emoji: str) -> tuple[int, Any]:
        message = self._channel_message(channel_id, message_id)
        self._require(self._channel(channel_id), Perm.ADD_REACTIONS | Perm.READ_MESSAGE_HISTORY, "reacting")
        if emoji not in message.reactions:
            message.reactions.append(emoji)
        return 204, None

    async def remove_reaction(
        self, call: Call, channel_id: str, message_id: str, emoji: str
    ) -> tuple[int, Any]:
        message = self._channel_message(channel_id, message_id)
        if emoji in message.reactions:
            message.reactions.remove(emoji)
        return 204, None

    async def _create_thread(self, call: Call, parent: Channel, thread_id: int | None) -> tuple[int, Any]:
        self._require(parent, Perm.CREATE_PUBLIC_THREADS, "creating a thread")
        body = self._body(call)
        name = body.get("name")
        problems = (
            validation._length(("name",), name, 100, 1)
            if name
            else [validation.Problem(("name",), "BASE_TYPE_REQUIRED", "This field is required")]
        )
        if problems:
            raise validation.invalid_form_body(problems)
        guild = self.fake.guilds[parent.guild_id or 0]
        thread = guild.add_channel(
            name, ChannelType.PUBLIC_THREAD, id=thread_id, parent=parent, owner=self.fake.bot_user.id
        )
        session = self.fake.gateway.session_for(guild.id)
        data = payloads.channel(thread, self.fake)
        if session is not None:
            await session.dispatch("THREAD_CREATE", {**data, "newly_created": True})
        return 201, data

    async def thread_from_message(self, call: Call, channel_id: str, message_id: str) -> tuple[int, Any]:
        message = self._channel_message(channel_id, message_id)
        return await self._create_thread(call, self._channel(channel_id), message.id)

    async def thread_without_message(self, call: Call, channel_id: str) -> tuple[int, Any]:
        return await self._create_thread(call, self._channel(channel_id), None)

    async def typing(self, call: Call, channel_id: str) -> tuple[int, Any]:
        self._channel(channel_id)
        self.fake.typing.append(int(channel_id))
        return 204, None

    # --- guilds -----------------------------------------------------------------------------------------------
    async def get_guild(self, call: Call, guild_id: str) -> tuple[int, Any]:
        guild = self._guild(guild_id)
        data = payloads.guild(guild)
        if call.query.get("with_counts") in ("1", "true", "True"):
            data.update(approximate_member_count=len(guild.members), approximate_presence_count=0)
        return 200, data

    async def get_guild_channels(self, call: Call, guild_id: str) -> tuple[int, Any]:
        guild = self._guild(guild_id)
        return 200, [payloads.channel(c, self.fake) for c in guild.channels.values() if not c.is_thread]

    async def get_roles(self, call: Call, guild_id: str) -> tuple[int, Any]:
        return 200, [payloads.role(r) for r in self._guild(guild_id).roles.values()]

    async def active_threads(self, call: Call, guild_id: str) -> tuple[int, Any]:
        guild = self._guild(guild_id)
        return 200, {
            "threads": [payloads.channel(c, self.fake) for c in guild.channels.values() if c.is_thread],
            "members": [],
        }

    async def list_members(self, call: Call, guild_id: str) -> tuple[int, Any]:
        guild = self._guild(guild_id)
        session = self.fake.gateway.session_for(guild.id)
        if session is not None and not session.has_intent(INTENT_GUILD_MEMBERS):
            raise ApiError(
                403, 50001, "Missing Access", hint="listing members needs the GUILD_MEMBERS intent"
            )
        after = int(call.query.get("after", 0))
        limit = int(call.query.get("limit", 1))
        members = sorted((m for m in guild.members.values() if m.id > after), key=lambda m: m.id)[:limit]
        return 200, [payloads.member(m) for m in members]

    async def search_members(self, call: Call, guild_id: str) -> tuple[int, Any]:
        guild = self._guild(guild_id)
        query = call.query.get("query", "").lower()
        limit = int(call.query.get("limit", 1))
        found = [
            m
            for m in guild.members.values()
            if m.user.username.lower().startswith(query) or (m.nick or "").lower().startswith(query)
        ]
        return 200, [payloads.member(m) for m in found[:limit]]

    async def get_member(self, call: Call, guild_id: str, user_id: str) -> tuple[int, Any]:
        guild = self._guild(guild_id)
        member = guild.members.get(int(user_id)) if user_id.isdigit() else None
        if member is None:
            raise unknown("Member", 10007)
        return 200, payloads.member(member)

    async def _member_role(self, guild_id: str, user_id: str, role_id: str, add: bool) -> tuple[int, Any]:
        guild = self._guild(guild_id)
        member = guild.members.get(int(user_id)) if user_id.isdigit() else None
        if member is None:
            raise unknown("Member", 10007)
        role = guild.roles.get(int(role_id)) if role_id.isdigit() else None
        if role is None:
            raise unknown("Role", 10011)
        bot = guild.members[self.fake.bot_user.id]
        if not guild.base_permissions(bot) & Perm.MANAGE_ROLES:
            raise ApiError(403, 50013, "Missing Permissions", hint="MANAGE_ROLES")
        if add and role.id not in member.roles:
            member.roles.append(role.id)
        if not add and role.id in member.roles:
            member.roles.remove(role.id)
        session = self.fake.gateway.session_for(guild.id)
        if session is not None and session.has_intent(INTENT_GUILD_MEMBERS):
            await session.dispatch(
                "GUILD_MEMBER_UPDATE", {"guild_id": str(guild.id), **payloads.member(member)}
            )
        return 204, None

    async def add_member_role(self, call: Call, guild_id: str, user_id: str, role_id: str) -> tuple[int, Any]:
        return await self._member_role(guild_id, user_id, role_id, True)

    async def remove_member_role(
        self, call: Call, guild_id: str, user_id: str, role_id: str
    ) -> tuple[int, Any]:
        return await self._member_role(guild_id, user_id, role_id, False)


# --- module helpers ---------------------------------------------------------------------------------------


async def _read_body(request: web.Request) -> tuple[Any, list[UploadedFile], dict[str, str]]:
    """JSON body, or multipart ``payload_json`` + ``files[n]`` parts, as discord.py sends them."""
    files: list[UploadedFile] = []
    form: dict[str, str] = {}
    if not request.can_read_body:
        return None, files, form
    ctype = request.headers.get("Content-Type", "")
    if ctype.startswith("multipart/"):
        reader = await request.multipart()
        payload: Any = None
        while True:
            part = await reader.next()
            if part is None:
                break
            data = await part.read()  # type: ignore[union-attr]
            name = part.name or ""  # type: ignore[union-attr]
            filename = part.filename  # type: ignore[union-attr]
            if name == "payload_json":
                payload = json.loads(data.decode())
            elif filename is not None or name.startswith("files["):
                files.append(UploadedFile(name, filename, part.headers.get("Content-Type"), bytes(data)))  # type: ignore[union-attr]
            else:
                form[name] = data.decode()
        return payload, files, form
    raw = await request.read()
    if not raw:
        return None, files, form
    try:
        return json.loads(raw.decode()), files, form
    except ValueError:
        return raw.decode(errors="replace"), files, form


def _parse_mentions(content: str, fake: FakeDiscord) -> list[int]:
    ids = [int(m) for m in re.findall(r"<@!?(\d+)>", content or "")]
    return [i for i in dict.fromkeys(ids) if i in fake.users]


def _with_component_ids(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copy of the components with Discord's numeric ``id`` filled in where the bot left it out."""
    copied = json.loads(json.dumps(components))
    counter = 0
    used: set[int] = set()

    def collect(items: list[dict[str, Any]]) -> None:
        for item in items:
            if isinstance(item.get("id"), int):
                used.add(item["id"])
            collect(item.get("components") or [])
            for key in ("accessory", "component"):
                if isinstance(item.get(key), dict):
                    collect([item[key]])

    def assign(items: list[dict[str, Any]]) -> None:
        nonlocal counter
        for item in items:
            if not isinstance(item.get("id"), int):
                counter += 1
                while counter in used:
                    counter += 1
                item["id"] = counter
            assign(item.get("components") or [])
            for key in ("accessory", "component"):
                if isinstance(item.get(key), dict):
                    assign([item[key]])

    collect(copied)
    assign(copied)
    return copied


def _interaction_metadata(record: InteractionRecord, fake: FakeDiscord) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(record.id),
        "type": record.type,
        "user": payloads.user(record.user),
        "authorizing_integration_owners": record.payload.get("authorizing_integration_owners", {}),
    }
    if record.type == APPLICATION_COMMAND and record.command:
        data["name"] = record.command["name"]
        data["command_type"] = record.command.get("type", 1)
    if record.source_message_id is not None:
        data["interacted_message_id"] = str(record.source_message_id)
    return data
