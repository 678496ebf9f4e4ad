"""Tests of the fake Discord itself, driven by a real discord.py bot defined here."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from typing import ClassVar

import aiohttp
import discord
import pytest
import pytest_asyncio
from discord import app_commands
from discord.ext import commands
from discord.http import Route

from tests.fakediscord import (
    BotRunner,
    CommandNotAvailable,
    FakeDiscord,
    Perm,
    Upload,
    WaitTimeout,
    patch_endpoints,
    run_bot,
    validation,
)

TOPICS = ["visa", "visa-extension", "food", "festival", "language-exchange"]


class Translations(app_commands.Translator):
    """zh-CN names/descriptions for /ask, and translated autocomplete choice names."""

    TABLE: ClassVar[dict[str, str]] = {
        "ask": "提问",
        "Ask a question": "提一个问题",
        "question": "问题",
        "What you want to know": "你想知道什么",
        "Visa": "签证",
    }

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale is discord.Locale.chinese:
            return self.TABLE.get(string.message)
        return None


class FaqModal(discord.ui.Modal, title="Add an FAQ"):
    question = discord.ui.TextInput(label="Question", custom_id="faq-question", max_length=100)
    answer = discord.ui.TextInput(label="Answer", style=discord.TextStyle.paragraph, required=False)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"saved {self.question.value}|{self.answer.value}", ephemeral=True
        )


class TopicsView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)
        self.page = 0

    @discord.ui.button(label="Next", custom_id="topics-next")
    async def next_page(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.page += 1
        await interaction.response.edit_message(content=f"page {self.page}", view=self)

    @discord.ui.select(
        custom_id="topics-pick",
        placeholder="Pick topics",
        max_values=2,
        options=[
            discord.SelectOption(label="Visa", value="visa"),
            discord.SelectOption(label="Food", value="food"),
        ],
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.send_message("picked " + ",".join(select.values))


class PickUserView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)
        self.picked: list[str] = []

    @discord.ui.select(cls=discord.ui.UserSelect, custom_id="pick-user", max_values=2)
    async def pick(self, interaction: discord.Interaction, select: discord.ui.UserSelect) -> None:
        self.picked = [u.name for u in select.values]
        await interaction.response.defer()  # type 6: acknowledge, nothing visible

    @discord.ui.button(label="Done", style=discord.ButtonStyle.success, custom_id="pick-done")
    async def done(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content="picked: " + ",".join(self.picked), view=None)


class FaqGroup(
    app_commands.Group,
    name="faq",
    description="Manage the FAQ",
    default_permissions=discord.Permissions(manage_guild=True),  # Discord only honours it on top level
):
    @app_commands.command(description="Add an entry")
    async def add(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(FaqModal())

    @app_commands.command(name="import", description="Import entries from a file")
    @app_commands.describe(file="A JSON export")
    async def import_(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = json.loads(await file.read())
        await interaction.edit_original_response(content=f"imported {len(data)} entries from {file.filename}")

    tags = app_commands.Group(name="tags", description="Manage tags")

    @tags.command(name="rename", description="Rename a tag")
    async def tags_rename(self, interaction: discord.Interaction, old: str, new: str) -> None:
        await interaction.response.send_message(f"renamed {old} -> {new}", ephemeral=True)

    @app_commands.command(description="Export entries as a file")
    async def export(self, interaction: discord.Interaction) -> None:
        raw = json.dumps({"visa": "Apply early."}).encode()
        await interaction.response.send_message("here", file=discord.File(io.BytesIO(raw), "export.json"))


class ProbeBot(commands.AutoShardedBot):
    """A minimal bot with one of each thing the real bot uses."""

    def __init__(self, **kwargs: object) -> None:
        intents = discord.Intents.default()
        super().__init__(command_prefix="!", intents=intents, **kwargs)  # type: ignore[arg-type]
        self.seen: dict[str, object] = {}

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None  # discord.py sleeps 5 s between shards; nothing to rate-limit here

    async def setup_hook(self) -> None:
        tree = self.tree
        await tree.set_translator(Translations())

        @tree.command(
            name=app_commands.locale_str("ask"), description=app_commands.locale_str("Ask a question")
        )
        @app_commands.describe(question=app_commands.locale_str("What you want to know"))
        @app_commands.rename(question=app_commands.locale_str("question"))
        async def ask(interaction: discord.Interaction, question: str, private: bool = False) -> None:
            await interaction.response.send_message(f"You asked: {question}", ephemeral=private)

        @tree.command(description="Show a topic")
        async def topic(interaction: discord.Interaction, name: str) -> None:
            embed = discord.Embed(title=name, description=f"All about {name}")
            await interaction.response.send_message(embed=embed)

        @topic.autocomplete("name")
        async def topic_complete(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            if current == "*":  # deliberately too many
                return [app_commands.Choice(name=f"t{i}", value=f"t{i}") for i in range(30)]
            names = {"visa": app_commands.locale_str("Visa")}
            return [app_commands.Choice(name=names.get(t, t), value=t) for t in TOPICS if current in t]

        @tree.command(description="Browse topics")
        async def topics(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("page 0", view=TopicsView())

        @tree.command(description="Say something of a given length")
        async def say(interaction: discord.Interaction, length: int, embed: bool = False) -> None:
            try:
                if embed:
                    await interaction.response.send_message(embed=discord.Embed(description="x" * length))
                else:
                    await interaction.response.send_message("x" * length)
            except discord.HTTPException as exc:
                self.seen["say_error"] = exc
                await interaction.response.send_message(f"error {exc.code}", ephemeral=True)

        @tree.command(description="Answer too late")
        async def slow(interaction: discord.Interaction, delay: float) -> None:
            await asyncio.sleep(delay)
            try:
                await interaction.response.send_message("finally")
            except discord.NotFound as exc:
                self.seen["slow_error"] = exc

        @tree.command(description="Who am I")
        @app_commands.guild_only()
        async def whoami(interaction: discord.Interaction) -> None:
            self.seen["whoami"] = interaction
            shard = interaction.guild.shard_id if interaction.guild else None
            await interaction.response.send_message(
                f"{interaction.locale.value}|{interaction.guild_locale}|"
                f"{interaction.permissions.manage_guild}|{interaction.app_permissions.send_messages}|{shard}"
            )

        @tree.command(description="Pick users")
        async def menu(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.followup.send("choose", view=PickUserView(), ephemeral=True)

        @tree.context_menu(name="Profile")
        async def profile(interaction: discord.Interaction, member: discord.Member) -> None:
            await interaction.response.send_message(f"profile of {member.name}", ephemeral=True)

        tree.add_command(FaqGroup())
        self.synced = await tree.sync()

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot:
            self.seen.setdefault("own_messages", []).append(message.id)  # type: ignore[union-attr]
            return
        self.seen.setdefault("contents", []).append(message.content)  # type: ignore[union-attr]
        if self.user in message.mentions or isinstance(message.channel, discord.DMChannel):
            async with message.channel.typing():
                await message.reply(f"pong: {message.content}")


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        server.default_world()
        yield server


@pytest_asyncio.fixture
async def running(fake: FakeDiscord) -> AsyncIterator[BotRunner]:
    async with run_bot(ProbeBot(), fake) as runner:
        yield runner


# --- startup, registration, localisation ----------------------------------------------------------------


@pytest.mark.asyncio
async def test_login_identify_and_command_sync(fake: FakeDiscord, running: BotRunner) -> None:
    bot = running.bot
    assert [c.path for c in fake.calls[:2]] == ["/users/@me", "/oauth2/applications/@me"]
    assert bot.application_id == fake.application_id
    assert all("Authorization" not in c.headers for c in fake.calls) and all(
        c.authorized for c in fake.calls[:3]
    )

    names = sorted(c["name"] for c in fake.commands())
    assert names == ["Profile", "ask", "faq", "menu", "say", "slow", "topic", "topics", "whoami"]
    assert {int(c["id"]) for c in fake.commands()} == {c.id for c in bot.synced}  # type: ignore[attr-defined]
    ask = fake.command("ask")
    assert ask["name_localizations"] == {"zh-CN": "提问"}
    assert ask["description_localizations"] == {"zh-CN": "提一个问题"}
    assert ask["options"][0]["name_localizations"] == {"zh-CN": "问题"}
    faq = fake.command("faq")
    assert [o["name"] for o in faq["options"]] == ["add", "import", "tags", "export"]
    assert faq["options"][2]["type"] == 2 and faq["options"][2]["options"][0]["name"] == "rename"
    assert faq["default_member_permissions"] == str(Perm.MANAGE_GUILD)
    assert faq["options"][1]["options"][0]["type"] == 11  # attachment

    # The gateway: zlib-stream was asked for and is what the fake sends; one IDENTIFY, one guild.
    conn = fake.gateway.connections[0]
    assert conn.compress == "zlib-stream"
    identify = fake.received(op=2)[0]
    assert identify.d["token"] == "<redacted>" and identify.d["intents"] == discord.Intents.default().value
    sent = [f.t for f in fake.gateway_log if f.direction == "send" and f.t]
    assert sent[:2] == ["READY", "GUILD_CREATE"]
    await fake.wait_until(lambda: bot.get_guild(next(iter(fake.guilds))) is not None, 2, "guild cache")
    guild = bot.get_guild(next(iter(fake.guilds)))
    assert guild is not None and guild.me is not None and guild.get_channel(guild.text_channels[0].id)
    assert guild.default_role.permissions.send_messages
    fake.assert_clean()


class BrokenTranslations(app_commands.Translator):
    """zh-TW translations Discord refuses (discord.py does not check translated strings)."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale is discord.Locale.taiwan_chinese:
            return {"probe": "Probe", "Probe things": "說" * 101}.get(string.message)
        return None


@pytest.mark.asyncio
async def test_invalid_localised_registration_is_refused(fake: FakeDiscord, running: BotRunner) -> None:
    tree = running.bot.tree
    await tree.set_translator(BrokenTranslations())

    @tree.command(name=app_commands.locale_str("probe"), description=app_commands.locale_str("Probe things"))
    async def probe(interaction: discord.Interaction) -> None:  # pragma: no cover - never invoked
        pass

    with pytest.raises(discord.HTTPException) as info:
        await tree.sync()
    assert info.value.code == 50035
    refused = fake.errors[-1]
    assert refused.method == "PUT" and refused.status == 400
    assert "name_localizations.zh-TW" in str(refused) and "must be lowercase" in str(refused)
    assert "description_localizations.zh-TW" in str(refused) and "100 or fewer" in str(refused)
    assert "probe" not in [c["name"] for c in fake.commands()]  # the previous set is untouched


def test_validation_rules() -> None:
    ok = {"name": "问答", "description": "d", "type": 1, "options": []}
    assert validation.command_problems(ok) == []
    assert validation.command_problems({**ok, "name": "a" * 33})
    assert validation.command_problems({**ok, "name": "has space"})
    assert validation.command_problems({**ok, "name_localizations": {"xx-XX": "a"}})
    assert validation.command_problems({**ok, "name_localizations": {"zh-TW": "Upper"}})
    assert validation.command_problems({**ok, "description": ""})
    options = [
        {"type": 3, "name": "a", "description": "d"},
        {"type": 3, "name": "b", "description": "d", "required": True},
    ]
    assert any(
        "Required options" in p.message for p in validation.command_problems({**ok, "options": options})
    )
    many = [{"type": 3, "name": f"o{i}", "description": "d"} for i in range(26)]
    assert validation.command_problems({**ok, "options": many})
    choices = {
        "type": 3,
        "name": "c",
        "description": "d",
        "autocomplete": True,
        "choices": [{"name": "a", "value": "a"}],
    }
    assert validation.command_problems({**ok, "options": [choices]})
    assert validation.command_problems({"name": "User Info", "description": "", "type": 2}) == []
    assert validation.message_problems({"content": "x" * 2001}, files=0)
    assert validation.message_problems({"embeds": [{"title": "t" * 257}]}, files=0)
    assert validation.message_problems({"embeds": [{}] * 11}, files=0)
    assert validation.is_empty_message({"content": "  "}, files=0)
    assert not validation.is_empty_message({"content": ""}, files=1)


# --- slash commands, autocomplete, permissions, locales ----------------------------------------------------


@pytest.mark.asyncio
async def test_slash_command_message_and_ephemeral(fake: FakeDiscord, running: BotRunner) -> None:
    public = await fake.slash("ask", {"question": "Why?"})
    message = await public.wait_message()
    assert message.content == "You asked: Why?" and not message.ephemeral
    assert (
        message.type == 20 and message.interaction_metadata and message.interaction_metadata["name"] == "ask"
    )
    callback = fake.interaction_responses(public.id)[0]
    assert callback.query == {"with_response": "1"} and callback.json["type"] == 4
    assert callback.response["resource"]["message"]["id"] == str(message.id)
    assert callback.response["interaction"]["response_message_id"] == str(message.id)

    private = await fake.slash("ask", {"question": "Secret?", "private": True})
    assert (await private.wait_message()).ephemeral and private.ephemeral
    assert fake.channel_messages(message.channel_id) == [message]  # ephemeral ones are not in the channel

    group = await fake.slash("faq tags rename", {"old": "a", "new": "b"}, user=fake.moderator)
    assert (await group.wait_message()).content == "renamed a -> b"
    (sub_group,) = group.payload["data"]["options"]
    assert sub_group["type"] == 2 and sub_group["options"][0] == {
        "type": 1,
        "name": "rename",
        "options": [{"type": 3, "name": "old", "value": "a"}, {"type": 3, "name": "new", "value": "b"}],
    }
    with pytest.raises(CommandNotAvailable, match="needs a sub-command"):
        await fake.slash("faq tags", user=fake.moderator)

    with pytest.raises(KeyError):
        await fake.slash("ask", {"questoin": "typo"})
    with pytest.raises(ValueError):
        await fake.slash("ask", {})
    with pytest.raises(CommandNotAvailable):
        await fake.slash("nope")
    running.assert_no_errors()
    fake.assert_clean()


@pytest.mark.asyncio
async def test_autocomplete_and_localised_choices(fake: FakeDiscord, running: BotRunner) -> None:
    handle = await fake.autocomplete("topic", "name", "vi")
    assert await handle.wait_choices() == [
        {"name": "Visa", "value": "visa"},
        {"name": "visa-extension", "value": "visa-extension"},
    ]
    zh = await fake.autocomplete("topic", "name", "visa", locale="zh-CN")
    assert (await zh.wait_choices())[0] == {"name": "签证", "value": "visa"}

    too_many = await fake.autocomplete("topic", "name", "*")
    await fake.wait_until(lambda: too_many.errors, 5, "the refused autocomplete")
    assert too_many.errors[0].status == 400 and "25 or fewer" in str(too_many.errors[0])
    assert not too_many.responded

    with pytest.raises(CommandNotAvailable):
        await fake.autocomplete("ask", "question", "x")  # no autocomplete on that option


@pytest.mark.asyncio
async def test_permissions_locales_and_default_member_permissions(
    fake: FakeDiscord, running: BotRunner
) -> None:
    guild = next(iter(fake.guilds.values()))
    handle = await fake.slash("whoami", user=fake.moderator, locale="zh-CN", guild_locale="zh-TW")
    message = await handle.wait_message()
    assert message.content == "zh-CN|zh-TW|True|True|0"
    member_perms = int(handle.payload["member"]["permissions"])
    assert member_perms & Perm.MANAGE_GUILD and member_perms == guild.permissions_for(fake.moderator)

    plain = await fake.slash("whoami", permissions=0)
    assert (await plain.wait_message()).content.startswith("en-US|en-US|False|")

    # /faq add requires Manage Guild: Discord would not even show it to a plain member.
    assert not fake.can_use("faq", user=fake.member)
    with pytest.raises(CommandNotAvailable, match="default_member_permissions"):
        await fake.slash("faq add", user=fake.member)
    opened = await fake.slash("faq add", user=fake.moderator)
    assert (await opened.wait_modal())["title"] == "Add an FAQ"


@pytest.mark.asyncio
async def test_modal_submit(fake: FakeDiscord, running: BotRunner) -> None:
    opened = await fake.slash("faq add", user=fake.moderator)
    modal = await opened.wait_modal()
    assert opened.response_type == 9 and modal["custom_id"]

    with pytest.raises(ValueError, match="required"):
        await fake.submit_modal(opened, {"Answer": "only the answer"})
    with pytest.raises(ValueError, match="characters"):
        await fake.submit_modal(opened, {"faq-question": "q" * 101})

    submitted = await fake.submit_modal(opened, {"Question": "Where?", "Answer": "Here."})
    reply = await submitted.wait_message()
    assert reply.content == "saved Where?|Here." and reply.ephemeral
    assert submitted.payload["type"] == 5 and submitted.record.user.id == fake.moderator.id
    running.assert_no_errors()


@pytest.mark.asyncio
async def test_buttons_and_selects_are_routed_to_the_view(fake: FakeDiscord, running: BotRunner) -> None:
    browse = await fake.slash("topics")
    message = await browse.wait_message()
    assert [b["label"] for b in message.buttons] == ["Next"] and message.selects[0][
        "placeholder"
    ] == "Pick topics"

    first = await fake.click(message, label="Next")
    await first.wait_response()
    assert first.response_type == 7 and first.original is message and message.content == "page 1"
    assert first.payload["message"]["id"] == str(message.id)
    second = await fake.click(message, "topics-next")
    await second.wait_response()
    assert message.content == "page 2" and len(message.history) == 2

    picked = await fake.select(message, ["visa", "food"])
    assert (await picked.wait_message()).content == "picked visa,food"
    with pytest.raises(ValueError):
        await fake.select(message, ["nope"])
    with pytest.raises(KeyError):
        await fake.click(message, "missing")
    running.assert_no_errors()
    fake.assert_clean()


@pytest.mark.asyncio
async def test_followup_view_deferred_update_and_context_menu(fake: FakeDiscord, running: BotRunner) -> None:
    menu = await fake.slash("menu")
    choose = await menu.wait_followup()
    assert (
        choose.content == "choose"
        and choose.ephemeral
        and menu.original is not None
        and menu.original.loading
    )
    assert menu.messages == [choose]  # the "thinking" placeholder is never edited, so it is not an answer

    picked = await fake.select(choose, [fake.member, fake.moderator])
    await picked.wait_response()
    assert picked.response_type == 6 and picked.payload["data"]["resolved"]["members"]
    done = await fake.click(choose, label="Done")
    edited = await done.wait_edit()
    assert edited is choose and choose.content == "picked: member,moderator" and choose.components == []

    profile = await fake.context_menu("Profile", fake.moderator)
    assert (await profile.wait_message()).content == "profile of moderator"
    running.assert_no_errors()
    fake.assert_clean()


@pytest.mark.asyncio
async def test_direct_messages(fake: FakeDiscord, running: BotRunner) -> None:
    handle = await fake.slash("ask", {"question": "in a DM?"}, dm=True)
    message = await handle.wait_message()
    assert message.content == "You asked: in a DM?" and message.guild_id is None
    assert handle.payload["context"] == 1 and "member" not in handle.payload

    dm = await fake.send_message("no mention needed", dm=True)
    assert dm.payload["content"] == "no mention needed"  # DMs keep their content without the intent
    assert (await dm.wait_reply()).content == "pong: no mention needed"
    with pytest.raises(CommandNotAvailable, match="not available in DMs"):
        await fake.slash("whoami", dm=True)  # guild_only: contexts=[0]
    fake.assert_clean()


@pytest.mark.asyncio
async def test_attachment_option_defer_and_file_export(fake: FakeDiscord, running: BotRunner) -> None:
    upload = Upload("faq.json", json.dumps([{"a": 1}, {"b": 2}]).encode())
    imported = await fake.slash("faq import", {"file": upload}, user=fake.moderator)
    await imported.wait_response()
    assert imported.response_type == 5 and imported.deferred
    done = await imported.wait_message()
    assert done.content == "imported 2 entries from faq.json" and done.ephemeral and not done.loading
    assert imported.original is done and len(done.history) == 1
    assert [c.method for c in imported.calls] == ["POST", "PATCH"]
    assert imported.calls[1].path.endswith("/messages/@original")

    exported = await fake.slash("faq export", user=fake.moderator)
    message = await exported.wait_message()
    assert message.content == "here"
    assert json.loads(message.attachment("export.json").data) == {"visa": "Apply early."}
    callback = exported.calls[0]
    assert callback.json["data"]["attachments"] == [{"id": 0, "filename": "export.json"}]
    assert callback.files[0].field == "files[0]" and callback.files[0].filename == "export.json"
    running.assert_no_errors()


# --- Discord's rules on what the bot sends ----------------------------------------------------------------


@pytest.mark.asyncio
async def test_message_limits_are_enforced(fake: FakeDiscord, running: BotRunner) -> None:
    bot = running.bot
    too_long = await fake.slash("say", {"length": 2001})
    assert (await too_long.wait_message()).content == "error 50035"
    assert "data.content" in str(bot.seen["say_error"]) and "2000 or fewer" in str(bot.seen["say_error"])  # type: ignore[attr-defined]

    empty = await fake.slash("say", {"length": 0})
    assert (await empty.wait_message()).content == "error 50006"

    embed = await fake.slash("say", {"length": 4097, "embed": True})
    assert (await embed.wait_message()).content == "error 50035"
    assert "embeds.0.description" in str(too_long.fake.errors[-1])

    fine = await fake.slash("say", {"length": 2000})
    assert len((await fine.wait_message()).content) == 2000
    assert len(fake.errors) == 3


@pytest.mark.asyncio
async def test_late_and_double_acknowledgement(fake: FakeDiscord, running: BotRunner) -> None:
    fake.interaction_timeout = 0.2
    late = await fake.slash("slow", {"delay": 0.4})
    await fake.wait_until(lambda: "slow_error" in running.bot.seen, 5, "the bot to see 10062")  # type: ignore[attr-defined]
    assert running.bot.seen["slow_error"].code == 10062  # type: ignore[attr-defined]
    assert not late.responded and late.errors[0].response["code"] == 10062

    fake.interaction_timeout = 3.0
    answered = await fake.slash("ask", {"question": "once"})
    await answered.wait_response()
    # A second acknowledgement (e.g. a second bot process on the same token) is refused.
    url = f"{fake.api_base}/interactions/{answered.id}/{answered.token}/callback"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json={"type": 4, "data": {"content": "twice"}}) as resp,
    ):
        assert resp.status == 400 and resp.headers["Content-Type"] == "application/json"
        assert (await resp.json())["code"] == 40060


# --- chat messages -------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_message_create_and_reply(fake: FakeDiscord, running: BotRunner) -> None:
    bot = running.bot
    unseen = await fake.send_message("hello there")
    pinged = await fake.send_message(f"{fake.bot_user.mention} ping")
    reply = await pinged.wait_reply()
    assert reply.content == f"pong: <@{fake.bot_user.id}> ping"
    assert reply.message_reference and reply.message_reference["message_id"] == str(pinged.id)
    assert reply.type == 19 and fake.typing == [reply.channel_id]
    # Without the message-content intent the bot sees empty content unless mentioned.
    assert bot.seen["contents"] == ["", f"<@{fake.bot_user.id}> ping"]  # type: ignore[attr-defined]
    assert unseen.delivered and unseen.payload["content"] == ""
    # Discord echoes the bot's own message back on the gateway.
    await fake.wait_until(lambda: bot.seen.get("own_messages"), 2, "the echo")  # type: ignore[attr-defined]

    # A reply to the bot's reply mentions it, so it is answered too.
    again = await fake.send_message("and again", reply_to=reply)
    assert (await again.wait_reply()).content == "pong: and again"

    post = await fake.wait_for_call("POST", r"/channels/\d+/messages")
    assert int(post.json["message_reference"]["message_id"]) == pinged.id
    running.assert_no_errors()
    fake.assert_clean()


@pytest.mark.asyncio
async def test_rate_limit_is_retried_and_unknown_routes_are_recorded(
    fake: FakeDiscord, running: BotRunner
) -> None:
    fake.fail_next("POST", r"/channels/\d+/messages", status=429, retry_after=0.05)
    pinged = await fake.send_message(f"{fake.bot_user.mention} hi")
    await pinged.wait_reply()
    posts = fake.find_calls("POST", r"/channels/\d+/messages")
    assert [c.status for c in posts] == [429, 200]

    guild = next(iter(fake.guilds))
    with pytest.raises(discord.NotFound):
        await running.bot.http.request(Route("GET", "/guilds/{guild_id}/audit-logs", guild_id=guild))
    assert [c.path for c in fake.unknown_calls] == [f"/guilds/{guild}/audit-logs"]
    with pytest.raises(AssertionError, match="audit-logs"):
        fake.assert_clean()


@pytest.mark.asyncio
async def test_unknown_gateway_opcodes_are_recorded(fake: FakeDiscord, running: BotRunner) -> None:
    guild = next(iter(fake.guilds))
    ws = running.bot._get_websocket(guild)  # type: ignore[attr-defined]
    await ws.request_chunks(guild, query="", limit=0, nonce="probe")  # op 8: not implemented by the fake
    frames = await fake.wait_until(lambda: fake.unknown_frames, 2, "the op 8 frame")
    assert [f["op"] for f in frames] == [8]
    with pytest.raises(AssertionError, match="unknown gateway opcodes: 8"):
        fake.assert_clean()


# --- gateway: resume, sharding, shutdown ---------------------------------------------------------------------


@pytest.mark.asyncio
async def test_resume_after_close_4000_replays_missed_events(fake: FakeDiscord, running: BotRunner) -> None:
    session = fake.sessions[0]
    await fake.disconnect(4000)
    missed = await fake.send_message(f"{fake.bot_user.mention} while away")  # buffered, replayed on RESUME
    resumed = await fake.wait_for_resume()
    assert resumed is session and fake.gateway.identifies == 1
    resume = fake.received(op=6)[0]
    assert resume.d["session_id"] == session.session_id
    assert fake.gateway.connections[-1].path == "/resume-gateway"
    assert (await missed.wait_reply()).content == f"pong: <@{fake.bot_user.id}> while away"
    after = await fake.slash("ask", {"question": "still there?"})
    assert (await after.wait_message()).content == "You asked: still there?"

    await fake.drop_connection()  # no close frame at all: discord.py sees 1006 and resumes too
    await fake.wait_for_resume(count=2)
    assert fake.gateway.identifies == 1


@pytest.mark.asyncio
async def test_shards_get_their_own_guilds() -> None:
    async with FakeDiscord(recommended_shards=2, compress_gateway=False) as fake:  # plain-text frames
        even = fake.add_guild("Even", id=1000 << 22)
        odd = fake.add_guild("Odd", id=1001 << 22)
        for guild in (even, odd):
            guild.add_channel("general")
            fake.default_user = fake.add_user(f"user-{guild.name}")
            guild.add_member(fake.default_user)
        async with run_bot(ProbeBot(), fake) as runner:
            assert fake.find_calls("GET", "/gateway/bot")
            assert sorted(fake.sessions) == [0, 1] and runner.bot.shard_count == 2
            for shard_id, guild in ((0, even), (1, odd)):
                creates = [f for f in fake.gateway_log if f.t == "GUILD_CREATE" and f.shard_id == shard_id]
                assert [int(f.d["id"]) for f in creates] == [guild.id]
            member = next(m for m in odd.members.values() if m.user.username == "user-Odd")
            handle = await fake.slash("whoami", guild=odd, user=member)
            assert (await handle.wait_message()).content.endswith("|1")


@pytest.mark.asyncio
async def test_privileged_intents_and_clean_shutdown(fake: FakeDiscord) -> None:
    fake.allowed_privileged_intents = 0
    intents = discord.Intents.default()
    intents.message_content = True
    bot = commands.Bot(command_prefix="!", intents=intents)
    with patch_endpoints(fake):
        await bot.login(fake.token)
        with pytest.raises(discord.PrivilegedIntentsRequired):
            await asyncio.wait_for(bot.connect(reconnect=True), 5)
        await bot.close()
    assert discord.http.Route.BASE == "https://discord.com/api/v10"

    runner = run_bot(ProbeBot(), fake)
    await runner.start()
    session = fake.sessions[0]
    await runner.stop()
    assert runner.bot.is_closed() and runner.task is not None and runner.task.done()
    await fake.wait_until(lambda: not session.connected, 2, "the socket to close")
    assert session.invalid and fake.gateway.connections[-1].close_code == 1000


@pytest.mark.asyncio
async def test_wait_timeout_reports_what_happened(fake: FakeDiscord, running: BotRunner) -> None:
    with pytest.raises(WaitTimeout, match="REST calls"):
        await fake.wait_for_call("DELETE", r"/nothing", timeout=0.1)
    async with aiohttp.ClientSession() as session, session.get(f"{fake.api_base}/gateway") as resp:
        assert resp.headers["Content-Type"] == "application/json"
        assert (await resp.json())["url"] == fake.gateway_url
