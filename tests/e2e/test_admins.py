"""Admins end to end: /faq and /config, permissions, concurrency, import all-or-nothing, guild isolation."""

from __future__ import annotations

import json

from tests.e2e.conftest import World
from tests.fakediscord import Upload

MODAL_EN_ANSWER = "Answer (English)"


async def ask(world: World, question: str, **kwargs):  # type: ignore[no-untyped-def]
    return await (await world.fake.slash("ask", {"question": question}, **kwargs)).wait_message()


async def test_member_without_permission_is_refused(world: World) -> None:
    before = await world.core.knowledge.export(world.guild.id)
    for command, options in [
        ("faq add", {"slug": "new-topic", "category": "app"}),
        ("faq remove", {"topic": "cat-tax"}),
        ("faq export", {}),
        ("config language", {"mode": "zh"}),
    ]:
        h = await world.fake.slash(command, options, check_permissions=False)
        msg = await h.wait_message()
        assert msg.ephemeral and "Manage Server" in msg.content, command
    assert await world.core.knowledge.export(world.guild.id) == before
    assert (await world.core.guild_settings.get(world.guild.id)).language == "auto"


async def test_add_topic_via_modal_only_in_that_guild(world: World) -> None:
    fake = world.fake
    h = await fake.slash(
        "faq add",
        {"slug": "visa-run", "category": "app", "tags": "visa run, border run，签证续签、visa run"},
        user=world.moderator,
    )
    modal = await h.wait_modal()
    assert "visa-run" in modal["title"]
    sub = await fake.submit_modal(
        h,
        {
            "Title (English)": "Visa runs",
            MODAL_EN_ANSWER: "Our server's advice about visa runs.",
            "标题（中文）": "签证续签",
            "回答（中文）": "本服务器关于签证续签的建议。",
            "Example questions, one per line / 示例问题": "what is a visa run\nhow do visa runs work\n签证续签怎么办",
        },
        user=world.moderator,
    )
    assert "Added" in (await sub.wait_message()).content
    answer = await ask(world, "how do visa runs work?")
    assert "visa-run" in answer.embed["footer"]["text"]
    other = await ask(world, "how do visa runs work?", guild=world.other, user=world.member)
    assert "visa-run" not in (other.embed.get("footer") or {}).get("text", "")
    assert all(e.slug != "visa-run" for e in await world.core.knowledge.entries(world.other.id))
    added = await world.core.knowledge.get("visa-run", world.guild.id)
    assert added.tags == ("visa run", "border run", "签证续签")


async def test_edit_prefilled_and_concurrent_edit_refused(world: World) -> None:
    fake = world.fake
    first = await fake.slash("faq edit", {"topic": "cat-tax"}, user=world.moderator)
    modal = await first.wait_modal()
    assert "cat tax" in json.dumps(modal, ensure_ascii=False).lower() and "猫税" in json.dumps(
        modal, ensure_ascii=False
    )
    second = await fake.slash("faq edit", {"topic": "cat-tax"}, user=world.moderator)
    await second.wait_modal()
    done = await fake.submit_modal(first, {MODAL_EN_ANSWER: "First admin's version."}, user=world.moderator)
    assert "Saved" in (await done.wait_message()).content
    refused = await fake.submit_modal(
        second, {MODAL_EN_ANSWER: "Second admin's version."}, user=world.moderator
    )
    msg = await refused.wait_message()
    assert "changed by someone else" in msg.content
    assert "Second admin's version." in msg.attachment("your-text.md").data.decode()
    assert (await ask(world, "what is the cat tax")).embed["description"] == "First admin's version."
    # the other guild still sees the shipped text
    assert (
        "First admin" not in (await ask(world, "what is the cat tax", guild=world.other)).embed["description"]
    )


async def test_remove_restore_history_revert(world: World) -> None:
    fake = world.fake
    h = await fake.slash("faq remove", {"topic": "cat-tax"}, user=world.moderator)
    confirm = await h.wait_message()
    not_owner = await fake.click(confirm, label="Confirm", user=world.editor)
    assert "someone else" in (await not_owner.wait_message()).content
    click = await fake.click(confirm, label="Confirm", user=world.moderator)
    await click.wait_response()
    assert "Hidden" in h.original.content
    assert all(e.slug != "cat-tax" for e in await world.core.knowledge.entries(world.guild.id))
    hidden = await (await fake.autocomplete("faq restore", "topic", "", user=world.moderator)).wait_choices()
    assert [c["value"] for c in hidden] == ["cat-tax"]
    restored = await fake.slash("faq restore", {"topic": "cat-tax"}, user=world.moderator)
    assert "Restored" in (await restored.wait_message()).content

    history = await (
        await fake.slash("faq history", {"topic": "cat-tax"}, user=world.moderator)
    ).wait_message()
    text = history.embed["description"]
    assert "hide" in text and "restore" in text and "seed" in text
    revisions = await world.core.knowledge.history("cat-tax", world.guild.id)
    hide_rev = next(r for r in revisions if r.action == "hide")
    reverted = await fake.slash(
        "faq revert", {"topic": "cat-tax", "revision": hide_rev.id}, user=world.moderator
    )
    assert "Reverted" in (await reverted.wait_message()).content
    assert all(e.slug != "cat-tax" for e in await world.core.knowledge.entries(world.guild.id))
    other_guild_rev = await fake.slash(
        "faq revert", {"topic": "cat-tax", "revision": hide_rev.id}, user=world.other_admin, guild=world.other
    )
    assert "not in the history" in (await other_guild_rev.wait_message()).content


async def test_export_import_all_or_nothing(world: World) -> None:
    fake = world.fake
    exported = await (await fake.slash("faq export", {}, user=world.moderator)).wait_message()
    doc = json.loads(exported.attachment(f"faq-{world.guild.id}.json").data)
    assert doc["version"] == 1 and len(doc["entries"]) >= 34
    assert set(doc["entries"][0]) == {"slug", "category", "title", "answer", "questions", "tags", "guild_id"}

    bad = {"version": 1, "entries": [doc["entries"][0], {**doc["entries"][1], "category": "nope"}]}
    h = await fake.slash(
        "faq import", {"file": Upload("bad.json", json.dumps(bad).encode())}, user=world.moderator
    )
    msg = await h.wait_message()
    assert (
        "nothing was written" in msg.content
        and "category" in msg.attachment("import-problems.txt").data.decode()
    )
    broken = await fake.slash(
        "faq import", {"file": Upload("x.json", b"\xff{not json")}, user=world.moderator
    )
    assert "not a JSON file" in (await broken.wait_message()).content

    doc["entries"][0]["answer"]["en"] = "Imported text."
    doc["entries"].append({**doc["entries"][1], "slug": "brand-new"})
    h = await fake.slash(
        "faq import", {"file": Upload("good.json", json.dumps(doc).encode())}, user=world.moderator
    )
    summary = await h.wait_message()
    assert "1 new, 1 changed" in summary.content
    cancel = await fake.click(summary, label="Cancel", user=world.moderator)
    await cancel.wait_response()
    assert await world.core.knowledge.find("brand-new", world.guild.id) is None

    h = await fake.slash(
        "faq import", {"file": Upload("good.json", json.dumps(doc).encode())}, user=world.moderator
    )
    summary = await h.wait_message()
    ok = await fake.click(summary, label="Confirm", user=world.moderator)
    await ok.wait_response()
    assert await world.core.knowledge.find("brand-new", world.guild.id) is not None
    assert await world.core.knowledge.find("brand-new", world.other.id) is None


async def test_unanswered_list_escapes_user_text(world: World) -> None:
    await ask(world, "@everyone **who** won the football match yesterday?")
    await ask(world, "@everyone **who** won the football match yesterday?")
    msg = await (await world.fake.slash("faq unanswered", {}, user=world.moderator)).wait_message()
    text = msg.embed["description"]
    assert text.startswith("`2×`") and "@\u200beveryone" in text and "\\*\\*who" in text


async def test_editor_role_may_curate(world: World) -> None:
    fake = world.fake
    denied = await fake.slash("faq export", {}, user=world.editor, check_permissions=False)
    assert "Manage Server" in (await denied.wait_message()).content
    set_role = await fake.slash("config editor-role", {"role": world.editor_role}, user=world.moderator)
    assert "Saved" in (await set_role.wait_message()).content
    allowed = await fake.slash("faq export", {}, user=world.editor, check_permissions=False)
    assert (await allowed.wait_message()).attachments
    config = await fake.slash("config show", {}, user=world.editor, check_permissions=False)
    assert "Manage Server" in (await config.wait_message()).content


async def test_config_language_and_rules(world: World) -> None:
    fake = world.fake
    await (await fake.slash("config language", {"mode": "zh"}, user=world.moderator)).wait_message()
    answer = await ask(world, "what is the cat tax")
    assert "猫税" in answer.embed["title"]
    await (await fake.slash("config language", {"mode": "both"}, user=world.moderator)).wait_message()
    both = await ask(world, "what is the cat tax")
    assert "猫税" in both.embed["description"] and "pet" in both.embed["description"].lower()

    h = await fake.slash("config rules", {}, user=world.moderator)
    await h.wait_modal()
    sub = await fake.submit_modal(
        h, {"Rules (English)": "1. Be kind.", "规则（中文）": "1. 友善待人。"}, user=world.moderator
    )
    assert "Saved" in (await sub.wait_message()).content
    await (await fake.slash("config language", {"mode": "auto"}, user=world.moderator)).wait_message()
    rules = await (await fake.slash("topic", {"name": "server-rules"})).wait_message()
    assert rules.embed["description"] == "1. Be kind."
    shown = await (await fake.slash("config show", {}, user=world.moderator, locale="zh-CN")).wait_message()
    assert "已通过 /config rules 设置" in shown.text


async def test_empty_rules_refused_and_text_kept(world: World) -> None:
    h = await world.fake.slash("config rules", {}, user=world.moderator)
    await h.wait_modal()
    sub = await world.fake.submit_modal(
        h, {"Rules (English)": "   ", "规则（中文）": ""}, user=world.moderator
    )
    msg = await sub.wait_message()
    assert "nothing was written" in msg.content and msg.attachment("your-rules.md")
    rules = await (await world.fake.slash("topic", {"name": "server-rules"})).wait_message()
    assert "/config rules" in rules.embed["description"]
