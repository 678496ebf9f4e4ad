"""The fake REST API: the routes the bot and the tests use, with Discord's status codes and error bodies.

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
from .gateway import INTENT_DIRECT_MESSAGES, INTENT_GUILD_MESSAGES
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    InteractionRecord,
)
from .models import (
    ApiError,
    Attachment,
    Call,
    Channel,
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
        """Only what discord.py calls for the bot and the tests; anything else is an unknown route."""
        a = self.add
        a("GET", "/gateway", self.get_gateway, auth=False)
        a("GET", "/gateway/bot", self.get_gateway_bot)
        a("GET", "/users/@me", self.get_me)
        a("GET", "/oauth2/applications/@me", self.get_application)
        # command sync (tree.sync), global and per guild
        for prefix in ("/applications/{app_id}", "/applications/{app_id}/guilds/{guild_id}"):
            a("PUT", prefix + "/commands", self.bulk_commands)
        # interactions
        a("POST", "/interactions/{interaction_id}/{token}/callback", self.interaction_callback, auth=False)
        a("POST", "/webhooks/{app_id}/{token}", self.followup, auth=False)
        a("PATCH", "/webhooks/{app_id}/{token}/messages/{message_id}", self.edit_webhook_message, auth=False)
        # channels
        a("POST", "/channels/{channel_id}/messages", self.create_message)
        a("POST", "/channels/{channel_id}/typing", self.typing)

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
        await session.dispatch(event, payloads.message(message, fake, gateway=True))

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

    async def get_application(self, call: Call) -> tuple[int, Any]:
        return 200, payloads.application(self.fake)

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
        if message is None:
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

    async def edit_webhook_message(
        self, call: Call, app_id: str, token: str, message_id: str
    ) -> tuple[int, Any]:
        record = self._webhook_record(call, app_id, token)
        message = self._webhook_message(record, message_id)
        self._edit(message, self._body(call), call.files)
        await self._echo("MESSAGE_UPDATE", message)
        return 200, payloads.message(message, self.fake)

    # --- channels and messages -----------------------------------------------------------------------------
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
            valid = referenced is not None and not referenced.ephemeral
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

    async def typing(self, call: Call, channel_id: str) -> tuple[int, Any]:
        self._channel(channel_id)
        self.fake.typing.append(int(channel_id))
        return 204, None


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
