"""A fake Discord (REST + gateway) on 127.0.0.1 for end-to-end tests of the real discord.py client.

The bot under test runs unmodified: only discord.py's two hard-coded endpoints are redirected
(``discord.http.Route.BASE`` and ``DiscordWebSocket.DEFAULT_GATEWAY``), which `run_bot` does for you.

Fixtures
    ``fake_discord`` (in ``tests.fakediscord.pytest_plugin``; add ``pytest_plugins =
    ["tests.fakediscord.pytest_plugin"]`` to the root conftest.py): a started `FakeDiscord` with
    `FakeDiscord.default_world` — guild "Test Guild" with #general and #staff, users ``fake.member`` (no role,
    the default actor), ``fake.moderator`` (Manage Guild + Manage Messages) and the guild owner. Or build your
    own: ``async with FakeDiscord() as fake: guild = fake.add_guild(...); guild.add_channel(...); ...``.
    Build the world before the bot connects: GUILD_CREATE is sent at IDENTIFY.

Running the bot
    ::

        bot = make_bot()                      # your real Bot; sync commands in setup_hook as usual
        async with run_bot(bot, fake) as runner:   # login, connect, wait until READY + GUILD_CREATEs
            ...
            runner.assert_no_errors()         # nothing logged at ERROR by discord.py (command/view errors)
        fake.assert_clean()                   # no unknown route hit, no request refused

    Pass ``guild_ready_timeout=0.1`` to the Bot if a test needs ``on_ready`` (default 2 s); interactions and
    messages are processed before it anyway.

Injecting (each returns a handle right after the gateway event is sent)
    ::

        h = await fake.slash("faq add", {"topic": "visa"}, user=fake.moderator, locale="zh-CN")
        h = await fake.autocomplete("topic", focused="name", value="vi")
        h = await fake.click(message, "custom-id")          # or label="Next"
        h = await fake.select(message, ["value"])           # or custom_id= / placeholder=
        h = await fake.submit_modal(h_that_opened_modal, {"Question": "...", "answer_input_id": "..."})
        m = await fake.send_message(f"{fake.bot_user.mention} hi", reply_to=msg, attachments=[Upload("a.txt", b"..")])

    Slash commands are built from what the bot registered, so unknown commands/options, missing required
    options, wrong types and ``default_member_permissions`` the user lacks raise right away
    (`CommandNotAvailable`), as the Discord client would refuse them. ``permissions=`` overrides the member's
    computed permissions; ``locale=``/``guild_locale=`` set the interaction's locales.

Asserting
    ::

        await h.wait_response()             # the first callback; a refused one (400/404/40060) fails the test
        msg = await h.wait_message()        # first visible answer: @original (after a defer) or a follow-up
        msg.content, msg.embeds, msg.embed["title"], msg.text, msg.ephemeral, msg.components, msg.buttons
        msg.attachment("export.json").data  # files the bot uploaded
        choices = await h.wait_choices();  modal = await h.wait_modal()
        reply = await m.wait_reply()        # chat reply (message_reference to the user's message)
        fake.command("faq")["name_localizations"]["zh-CN"]
        await fake.wait_for_call("POST", r"/channels/\\d+/messages");  fake.calls;  fake.interaction_responses(h.id)

Discord's rules are enforced on what the bot sends (content <= 2000, <= 10 embeds, embed limits, empty
messages, components, command names/descriptions/options/localisations, <= 25 autocomplete choices, modal
limits, double acknowledgement -> 40060, first response later than ``interaction_timeout`` (3 s) -> 10062):
the bot gets Discord's error body, the call is kept in ``fake.errors`` and the reason is logged.

Gateway: ``await fake.disconnect(4000)`` then ``await fake.wait_for_resume()``; ``fake.invalidate_session()``;
``fake.request_reconnect()``; shards are honoured (each guild goes to shard ``(id >> 22) % count``).
"""

from .interactions import CommandNotAvailable, InteractionHandle, MessageHandle, Upload
from .models import ApiError, Attachment, Call, Channel, ChannelType, Guild, Member, Message, Overwrite, Perm, Role, User, WaitTimeout
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
