"""Members end to end: /ask, buttons, /topic autocomplete, /topics menus, localised registration."""

from __future__ import annotations

from tests.e2e.conftest import World


def custom_ids(message) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.get("custom_id", "") for c in message.buttons + message.selects]


async def test_commands_registered_with_localisations(world: World) -> None:
    fake = world.fake
    ask = fake.command("ask")
    assert ask["name_localizations"]["zh-CN"] == "提问" and ask["name_localizations"]["zh-TW"] == "提問"
    assert ask["description_localizations"]["zh-CN"].startswith("用中文或英文")
    faq = fake.command("faq")
    assert int(faq["default_member_permissions"]) == 0x20
    assert {o["name"] for o in faq["options"]} >= {"add", "edit", "remove", "import", "export"}


async def test_ask_in_english_with_buttons(world: World) -> None:
    h = await world.fake.slash("ask", {"question": "what is the cat tax? @everyone"})
    msg = await h.wait_message()
    assert not msg.ephemeral
    assert "cat-tax" in msg.embed["footer"]["text"] and "pet" in msg.embed["description"].lower()
    assert custom_ids(msg) == ["rn:lang:cat-tax:zh", "rn:vote:cat-tax:en:1", "rn:vote:cat-tax:en:0"]
    callback = world.fake.interaction_responses(h.id)[0].json
    assert callback["data"]["allowed_mentions"]["parse"] == []
    assert "@everyone" not in msg.text


async def test_ask_in_chinese_simplified_and_traditional(world: World) -> None:
    zh = await (await world.fake.slash("ask", {"question": "小红书上的猫税是什么意思"})).wait_message()
    assert "猫税" in zh.embed["description"] and "主题" in zh.embed["footer"]["text"]
    hant = await world.fake.slash("ask", {"question": "什麼是貓稅？"}, locale="zh-TW")
    msg = await hant.wait_message()
    assert "貓稅" in msg.embed["description"] and "猫税" not in msg.embed["description"]


async def test_switch_language_button(world: World) -> None:
    h = await world.fake.slash("ask", {"question": "how do I sign up for rednote"})
    msg = await h.wait_message()
    english = msg.embed["description"]
    click = await world.fake.click(msg, "rn:lang:sign-up:zh")
    await click.wait_response()
    switched = h.original
    assert switched.embed["description"] != english and "注册" in switched.embed["description"]
    assert "rn:lang:sign-up:en" in custom_ids(switched)
    # a zh-TW reader gets Traditional when switching to Chinese
    again = await world.fake.click(switched, "rn:lang:sign-up:en")
    await again.wait_response()
    back = await world.fake.click(h.original, "rn:lang:sign-up:zh", locale="zh-TW")
    await back.wait_response()
    assert "註冊" in h.original.embed["description"]


async def test_votes_one_per_user_per_answer(world: World) -> None:
    msg = await (await world.fake.slash("ask", {"question": "what does yyds mean"})).wait_message()
    up = await world.fake.click(msg, "rn:vote:rednote-slang:en:1")
    assert "Thanks" in (await up.wait_message()).content
    same = await world.fake.click(msg, "rn:vote:rednote-slang:en:1")
    assert "already" in (await same.wait_message()).content
    changed = await world.fake.click(msg, "rn:vote:rednote-slang:en:0")
    assert "changed" in (await changed.wait_message()).content
    other = await world.fake.click(msg, "rn:vote:rednote-slang:en:1", user=world.moderator)
    assert (await other.wait_message()).ephemeral
    assert await world.core.feedback.tally(str(msg.id)) == (1, 1)


async def test_unknown_question_suggests_and_is_logged(world: World) -> None:
    h = await world.fake.slash("ask", {"question": "what's the best pizza topping in naples?"})
    msg = await h.wait_message()
    assert "not sure" in msg.embed["title"].lower()
    for button in msg.buttons:
        assert button["custom_id"].startswith("rn:show:")
    top = await world.core.unanswered.top(world.guild.id)
    assert top and "pizza" in top[0].question
    if msg.buttons:
        shown = await world.fake.click(msg, msg.buttons[0]["custom_id"])
        answer = await shown.wait_message()
        assert answer.ephemeral and answer.embed["footer"]["text"].startswith("Topic:")


async def test_topic_autocomplete_localised_and_limited(world: World) -> None:
    fake = world.fake
    english = await (await fake.autocomplete("topic", "name", "")).wait_choices()
    assert 1 <= len(english) <= 25
    chinese = await (await fake.autocomplete("topic", "name", "猫", locale="zh-CN")).wait_choices()
    assert chinese[0]["value"] == "cat-tax" and "猫税" in chinese[0]["name"]
    taiwan = await (await fake.autocomplete("topic", "name", "貓", locale="zh-TW")).wait_choices()
    assert taiwan[0]["value"] == "cat-tax" and "貓稅" in taiwan[0]["name"]
    h = await fake.slash("topic", {"name": "cat-tax"}, locale="zh-CN")
    msg = await h.wait_message()
    assert "猫税" in msg.embed["title"]


async def test_topics_browser(world: World) -> None:
    h = await world.fake.slash("topics", {})
    msg = await h.wait_message()
    assert msg.ephemeral and "Culture" in msg.embed["description"]
    pick = await world.fake.select(msg, ["app"], custom_id="rn:cats:en")
    await pick.wait_response()
    page = h.original
    assert "sign-up" in page.embed["description"]
    topic = await world.fake.select(page, ["sign-up"], custom_id="rn:pick:en")
    answer = await topic.wait_message()
    assert "sign-up" in answer.embed["footer"]["text"]
