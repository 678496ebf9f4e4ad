"""The fake gateway: HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, RESUME, shards.

A `Session` outlives its websocket: every dispatch is numbered and buffered, so a RESUME replays what the
client missed while it was disconnected, as Discord does. Other opcodes the bot sends (e.g. op 8, member
chunks) are not implemented: they stay in ``FakeDiscord.unknown_frames`` and make `assert_clean` fail.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from . import payloads

if TYPE_CHECKING:
    from .server import FakeDiscord

_log = logging.getLogger(__name__)

# Intents the fake looks at (Discord's bit values).
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT


@dataclass
class GatewayFrame:
    """One frame on the gateway, ``direction`` "recv" (from the bot) or "send" (to the bot)."""

    direction: str
    shard_id: int | None
    op: int
    t: str | None
    d: Any
    s: int | None = None


@dataclass
class Session:
    fake: FakeDiscord = field(repr=False)
    session_id: str
    shard_id: int
    shard_count: int
    intents: int
    seq: int = 0
    buffer: list[dict[str, Any]] = field(default_factory=list, repr=False)
    connection: GatewayConnection | None = field(default=None, repr=False)
    guilds_sent: bool = False
    invalid: bool = False
    resumes: int = 0
    identify: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def connected(self) -> bool:
        return self.connection is not None and not self.connection.closed

    def has_intent(self, intent: int) -> bool:
        return bool(self.intents & intent)

    async def dispatch(self, event: str, data: Any) -> int:
        """Number, buffer and (if connected) send one DISPATCH; returns its sequence number."""
        self.seq += 1
        frame = {"op": 0, "t": event, "s": self.seq, "d": data}
        self.buffer.append(frame)
        self.fake._log_frame("send", self.shard_id, frame)
        if self.connection is not None:
            await self.connection.send(frame)
        return self.seq


class GatewayConnection:
    """One websocket. Sends zlib-stream binary frames when the client asked for ``compress=zlib-stream``."""

    def __init__(
        self,
        fake: FakeDiscord,
        ws: web.WebSocketResponse,
        *,
        path: str,
        compress: str | None,
        transport: asyncio.BaseTransport | None = None,
    ) -> None:
        self.fake = fake
        self.ws = ws
        self.transport = transport
        self.path = path
        self.compress = compress
        self._compressor = zlib.compressobj() if compress == "zlib-stream" and fake.compress_gateway else None
        self._lock = asyncio.Lock()
        self.session: Session | None = None
        self.closed = False
        self.closed_by_server = False
        self.close_code: int | None = None

    async def send(self, frame: dict[str, Any]) -> bool:
        text = json.dumps(frame, separators=(",", ":"), ensure_ascii=False)
        async with self._lock:
            if self.closed or self.ws.closed:
                return False
            try:
                if self._compressor is not None:
                    data = self._compressor.compress(text.encode()) + self._compressor.flush(
                        zlib.Z_SYNC_FLUSH
                    )
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return False
        return True

    async def send_op(self, op: int, d: Any = None) -> None:
        frame = {"op": op, "d": d, "s": None, "t": None}
        self.fake._log_frame("send", self.session.shard_id if self.session else None, frame)
        await self.send(frame)

    async def close(self, code: int, reason: str = "") -> None:
        self.closed_by_server = True
        if not self.ws.closed:
            await self.ws.close(code=code, message=reason.encode())

    def drop(self) -> None:
        """Cut the TCP connection without a close frame (the client sees 1006)."""
        self.closed_by_server = True
        if self.transport is not None:
            self.transport.close()


class Gateway:
    """The websocket endpoint of a `FakeDiscord`."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.connections: list[GatewayConnection] = []
        self.sessions: dict[str, Session] = {}  # every session ever made, by session_id
        self.by_shard: dict[int, Session] = {}  # the current session of each shard
        self.shard_count: int | None = None
        self.identifies = 0
        self.unknown_frames: list[dict[str, Any]] = []  # frames of opcodes the fake does not implement

    # --- websocket ----------------------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = GatewayConnection(
            self.fake,
            ws,
            path=request.path,
            compress=request.query.get("compress"),
            transport=request.transport,
        )
        self.connections.append(conn)
        await conn.send_op(
            10, {"heartbeat_interval": self.fake.heartbeat_interval_ms, "_trace": ["fake-discord"]}
        )
        try:
            async for msg in ws:
                if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    raw = msg.data if isinstance(msg.data, str) else msg.data.decode()
                    try:
                        frame = json.loads(raw)
                    except ValueError:
                        await conn.close(4002, "Error while decoding payload.")
                        break
                    await self._on_frame(conn, frame)
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            conn.closed = True
            conn.close_code = ws.close_code
            session = conn.session
            if session is not None and session.connection is conn:
                session.connection = None
                # A client closing with 1000/1001 ends its session: it cannot be resumed.
                if not conn.closed_by_server and ws.close_code in (1000, 1001):
                    session.invalid = True
            self.fake._notify()
        return ws

    async def _on_frame(self, conn: GatewayConnection, frame: dict[str, Any]) -> None:
        op = frame.get("op")
        shard_id = conn.session.shard_id if conn.session else None
        logged = frame
        if op in (2, 6):
            logged = {**frame, "d": {**(frame.get("d") or {}), "token": "<redacted>"}}
        self.fake._log_frame("recv", shard_id, logged)
        if op == 1:
            if self.fake.ack_heartbeats:
                await conn.send_op(11)
        elif op == 2:
            await self._identify(conn, frame.get("d") or {})
        elif op == 6:
            await self._resume(conn, frame.get("d") or {})
        elif op in (3, 4):
            pass  # presence / voice state updates: recorded in the log only
        elif conn.session is None:
            await conn.close(4003, "Not authenticated.")
        else:
            # Not implemented (e.g. op 8 REQUEST_GUILD_MEMBERS): recorded so that `assert_clean` fails.
            self.unknown_frames.append(logged)
            _log.warning("fake gateway does not implement op %s: %s", op, frame)
        self.fake._notify()

    async def _identify(self, conn: GatewayConnection, d: dict[str, Any]) -> None:
        fake = self.fake
        if conn.session is not None:
            await conn.close(4005, "Already authenticated.")
            return
        if d.get("token") != fake.token:
            await conn.close(4004, "Authentication failed.")
            return
        intents = d.get("intents")
        if not isinstance(intents, int):
            await conn.close(4013, "Invalid intent(s).")
            return
        if intents & PRIVILEGED_INTENTS & ~fake.allowed_privileged_intents:
            await conn.close(4014, "Disallowed intent(s).")
            return
        shard = d.get("shard") or [0, 1]
        shard_id, shard_count = int(shard[0]), int(shard[1])
        if not 0 <= shard_id < shard_count:
            await conn.close(4010, "Invalid shard.")
            return
        self.identifies += 1
        self.shard_count = shard_count
        session = Session(
            fake=fake,
            session_id=secrets.token_hex(16),
            shard_id=shard_id,
            shard_count=shard_count,
            intents=intents,
            identify={k: v for k, v in d.items() if k != "token"},
        )
        old = self.by_shard.get(shard_id)
        if old is not None:
            old.invalid = True
        self.sessions[session.session_id] = session
        self.by_shard[shard_id] = session
        conn.session = session
        session.connection = conn
        guilds = [g for g in fake.guilds.values() if (g.id >> 22) % shard_count == shard_id]
        ready: dict[str, Any] = {
            "v": 10,
            "user": payloads.current_user(fake.bot_user),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": fake.resume_gateway_url,
            "application": {"id": str(fake.application_id), "flags": fake.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "_trace": ["fake-discord"],
        }
        if d.get("shard") is not None:
            ready["shard"] = [shard_id, shard_count]
        await session.dispatch("READY", ready)
        for guild in guilds:
            include = session.has_intent(INTENT_GUILD_MEMBERS)
            await session.dispatch(
                "GUILD_CREATE", payloads.guild_create(guild, fake, include_members=include)
            )
        session.guilds_sent = True

    async def _resume(self, conn: GatewayConnection, d: dict[str, Any]) -> None:
        if d.get("token") != self.fake.token:
            await conn.close(4004, "Authentication failed.")
            return
        session = self.sessions.get(str(d.get("session_id")))
        if session is None or session.invalid or self.fake.refuse_resume:
            await conn.send_op(9, False)
            return
        old = session.connection
        if old is not None and old is not conn:
            session.connection = None
            await old.close(4000, "Session resumed elsewhere.")
        conn.session = session
        last = d.get("seq") or 0
        index = 0
        # Replay what the client missed. Dispatches made while we await are appended to the buffer and
        # picked up by this loop; the connection is attached only after the last buffered frame is sent.
        while index < len(session.buffer):
            frame = session.buffer[index]
            index += 1
            if frame["s"] > last:
                await conn.send(frame)
        session.connection = conn
        session.resumes += 1
        await session.dispatch("RESUMED", {"_trace": ["fake-discord"]})

    # --- control from tests --------------------------------------------------------------------------
    def session_for(self, guild_id: int | None) -> Session | None:
        if not self.by_shard:
            return None
        count = self.shard_count or 1
        shard_id = 0 if guild_id is None else (guild_id >> 22) % count
        return self.by_shard.get(shard_id)

    def is_ready(self) -> bool:
        if self.shard_count is None:
            return False
        for shard_id in range(self.shard_count):
            session = self.by_shard.get(shard_id)
            if session is None or not session.guilds_sent or not session.connected or session.invalid:
                return False
        return True

    def active_connections(self, shard_id: int | None = None) -> list[GatewayConnection]:
        out = []
        for session in self.by_shard.values():
            if shard_id is not None and session.shard_id != shard_id:
                continue
            if session.connection is not None and not session.connection.closed:
                out.append(session.connection)
        return out

    async def close_all(self, code: int = 1001) -> None:
        for conn in list(self.connections):
            if not conn.closed:
                await conn.close(code, "Fake Discord shutting down.")
