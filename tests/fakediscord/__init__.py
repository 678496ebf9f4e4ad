"""A fake Discord (REST + gateway) on 127.0.0.1 for end-to-end tests of the real discord.py client.

The bot under test runs unmodified: only discord.py's two hard-coded endpoints are redirected
(``discord.http.Route.BASE`` and ``DiscordWebSocket.DEFAULT_GATEWAY``), which `run_bot` / `patch_endpoints` do.

The fake
    ``async with FakeDiscord() as fake:`` starts it on a free port (``fake.api_base``, ``fake.gateway_url``).
    ``fake.default_world()`` builds guild "Test Guild" (#general, #staff) with ``fake.member`` (no role, the
    default actor of every injection), ``fake.moderator`` (Manage Guild + Manage Messages) and the owner; or
    build your own with ``fake.add_guild(...)``, ``guild.add_channel/add_role/add_member``, ``fake.add_user``.
    Build the world before the bot connects: GUILD_CREATE is sent at IDENTIFY. Options of the constructor:
    ``interaction_timeout`` (3 s), ``recommended_shards``, ``allowed_privileged_intents``,
    ``compress_gateway``, ``echo_bot_messages``, ``token``, ``application_id``.

Running the bot
    ::

        async with run_bot(make_bot(), fake) as runner:   # login, connect, wait for READY + GUILD_CREATEs
            ...
            runner.assert_no_errors()   # nothing logged at ERROR by the "discord" logger (command/view errors)
        fake.assert_clean()             # no unknown route or gateway opcode, no request refused

    Sync commands in ``setup_hook`` as usual (it runs at login). ``on_ready`` comes ``guild_ready_timeout``
    (2 s) after the last GUILD_CREATE; interactions and messages are processed before it anyway.

Injecting (each returns as soon as the gateway event is sent)
    ::

        h = await fake.slash("faq add", {"slug": "visa"}, user=fake.moderator, locale="zh-CN")
        h = await fake.autocomplete("topic", "name", "vi")                 # focused option, typed value
        h = await fake.click(message, "custom-id")                         # or label="Next"
        h = await fake.select(message, ["value"])                          # or custom_id= / placeholder=
        h = await fake.submit_modal(h_that_opened_it, {"Question": "...", "other-custom-id": "..."})
        h = await fake.context_menu("Profile", fake.member)                # or a Message for message menus
        m = await fake.send_message(f"{fake.bot_user.mention} hi", reply_to=msg, attachments=[Upload(...)])

    Slash commands are built from what the bot registered: unknown commands/options, missing required
    options, wrong types, non-choices and ``default_member_permissions`` the user lacks raise right away
    (`CommandNotAvailable` / KeyError / ValueError), as the Discord client refuses them. Attachment options
    take ``Upload(filename, bytes)``; the bot's ``Attachment.read()`` downloads it from the fake. Every
    injection takes ``user=``, ``channel=``/``guild=`` (or ``dm=True``), ``locale=``, ``guild_locale=``,
    ``permissions=`` (overrides the member's computed permissions) and ``app_permissions=``.

Asserting
    ::

        await h.wait_response()            # first callback; a refused one (400/404/40060) fails the test
        msg = await h.wait_message()       # first visible answer: @original (after a defer) or a follow-up
        msg.content, msg.embeds, msg.embed, msg.text, msg.ephemeral, msg.flags, msg.buttons, msg.selects,
        msg.attachment("export.json").data, msg.history (earlier versions), h.original, h.followups
        await h.wait_choices();  await h.wait_modal();  await h.wait_followup();  await h.wait_edit()
        reply = await m.wait_reply()       # chat reply (message_reference to the user's message)
        fake.command("faq")["name_localizations"]["zh-CN"];  fake.commands(guild)
        await fake.wait_for_call("POST", r"/channels/\\d+/messages");  fake.calls;  fake.interaction_responses(id)

    Every REST call is a `Call` (method, path without /api/v10, query, json, files, form, headers without
    Authorization, status, response). Waits raise `WaitTimeout` (an AssertionError) with the recent calls.

Discord's rules are enforced on what the bot sends (content <= 2000, <= 10 embeds and embed limits, empty
messages, components, command names/descriptions/options/localisations, <= 25 autocomplete choices, modal
limits, a second acknowledgement -> 40060, a first response after ``interaction_timeout`` -> 10062, bot
permissions in the channel): the bot gets Discord's error body, the call stays in ``fake.errors`` and the
reason is logged by the "tests.fakediscord" logger. ``fake.fail_next(method, pattern, status=429)`` injects
failures (429s come with ``retry_after`` and ``Via`` so discord.py retries).

Gateway: ``fake.disconnect(4000)`` / ``fake.drop_connection()`` then ``fake.wait_for_resume()`` (missed events
are replayed). Shards are honoured: each guild goes to shard ``(id >> 22) % count``.

Only what the bot and these tests use is implemented: REST routes for login, command sync, interaction
callbacks/follow-ups/@original edits, channel messages and typing; gateway IDENTIFY/RESUME/heartbeats. Any other
route answers 404 or 405 (``fake.unknown_calls``), any other opcode is recorded (``fake.unknown_frames``), and
`assert_clean` fails on either: add the route or opcode here when the bot starts to use it.
"""

from .interactions import CommandNotAvailable, InteractionHandle, MessageHandle, Upload
from .models import (
    ApiError,
    Attachment,
    Call,
    Channel,
    ChannelType,
    Guild,
    Member,
    Message,
    Overwrite,
    Perm,
    Role,
    User,
    WaitTimeout,
)
from .runner import BotRunner, patch_endpoints, run_bot
from .server import FakeDiscord

__all__ = [
    "ApiError",
    "Attachment",
    "BotRunner",
    "Call",
    "Channel",
    "ChannelType",
    "CommandNotAvailable",
    "FakeDiscord",
    "Guild",
    "InteractionHandle",
    "Member",
    "Message",
    "MessageHandle",
    "Overwrite",
    "Perm",
    "Role",
    "Upload",
    "User",
    "WaitTimeout",
    "patch_endpoints",
    "run_bot",
]
