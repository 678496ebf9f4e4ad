"""Answers in chat: enabled channels, mentions, replies, silence on low confidence, cooldowns, no pings."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import World
from tests.fakediscord import WaitTimeout


async def enable_general(world: World) -> None:
    general = world.guild.channel("general")
    h = await world.fake.slash("config channels", {"action": "add", "channel": general}, user=world.moderator)
    assert "Saved" in (await h.wait_message()).content


async def no_reply(handle, seconds: float = 0.6) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(WaitTimeout):
        await handle.wait_reply(timeout=seconds)


async def test_enabled_channel_answers_confident_questions_only(world: World) -> None:
    fake = world.fake
    silent = await fake.send_message("how do I sign up for rednote?")
    await no_reply(silent)  # channel not enabled yet
    await enable_general(world)
    question = await fake.send_message("how do I sign up for rednote? @everyone")
    reply = await question.wait_reply()
    assert "sign-up" in reply.embed["footer"]["text"]
    call = next(c for c in reversed(fake.calls) if c.method == "POST" and c.path.endswith("/messages"))
    mentions = call.json["allowed_mentions"]
    assert mentions["parse"] == [] and mentions.get("replied_user") is False
    assert "@everyone" not in reply.text
    chatter = await fake.send_message("haha nice cat", author=world.editor)
    await no_reply(chatter)
    off_topic = await fake.send_message("does anyone know a good pizza place in naples?", author=world.editor)
    await no_reply(off_topic)
    # Answered, but not confidently enough to interrupt a channel unasked; put to the bot, it is answered.
    unsure = "my posts get zero views, why?"
    await no_reply(await fake.send_message(unsure, author=world.moderator))
    asked = await fake.send_message(f"{fake.bot_user.mention} {unsure}", author=world.moderator)
    assert "post-removed-or-limited" in (await asked.wait_reply()).embed["footer"]["text"]


async def test_threads_of_an_enabled_channel_are_enabled(world: World) -> None:
    fake = world.fake
    thread = world.guild.channel("general-questions")
    await no_reply(await fake.send_message("how do I sign up for rednote?", channel=thread))
    await enable_general(world)
    question = await fake.send_message("how do I sign up for rednote?", channel=thread)
    reply = await question.wait_reply()
    assert "sign-up" in reply.embed["footer"]["text"]
    assert reply.channel_id == thread.id


async def test_mention_answers_or_says_it_does_not_know(world: World) -> None:
    fake = world.fake
    me = fake.bot_user.mention
    known = await fake.send_message(f"{me} what is the cat tax")
    assert "cat-tax" in (await known.wait_reply()).embed["footer"]["text"]
    unknown = await fake.send_message(f"{me} who won the football match yesterday", author=world.editor)
    reply = await unknown.wait_reply()
    assert "not sure" in reply.embed["title"].lower()
    empty = await fake.send_message(me, author=world.moderator)
    assert "Ask me a question" in (await empty.wait_reply()).content


async def test_reply_to_the_bot_is_answered(world: World) -> None:
    fake = world.fake
    first = await fake.send_message(f"{fake.bot_user.mention} what is the cat tax")
    answer = await first.wait_reply()
    follow = await fake.send_message(
        "and what does 姐妹 mean?", reply_to=answer, reply_ping=False, author=world.editor
    )
    assert "sister-address" in (await follow.wait_reply()).embed["footer"]["text"]


async def test_cooldowns_and_bots_ignored(world: World) -> None:
    fake = world.fake
    await enable_general(world)
    first = await fake.send_message("what is the cat tax?")
    await first.wait_reply()
    second = await fake.send_message("what does yyds mean?")
    await second.wait_reply()
    third = await fake.send_message("how do I go live on rednote?")
    await no_reply(third)  # per-user cooldown: two answers per 30 s
    other_bot = fake.add_user("otherbot", bot=True)
    world.guild.add_member(other_bot)
    from_bot = await fake.send_message("what is the cat tax?", author=other_bot)
    await no_reply(from_bot)


async def test_direct_messages_are_answered_in_their_language(world: World) -> None:
    fake = world.fake
    known = await fake.send_message("what is the cat tax?", author=world.member, dm=True)
    reply = await known.wait_reply()
    assert "cat-tax" in reply.embed["footer"]["text"]
    chinese = await fake.send_message("貓稅是什麼", author=world.member, dm=True)
    assert "貓稅" in json.dumps((await chinese.wait_reply()).embed, ensure_ascii=False)
    unknown = await fake.send_message("who won the football match yesterday", author=world.editor, dm=True)
    assert "not sure" in (await unknown.wait_reply()).embed["title"].lower()
    assert await world.core.unanswered.top(None) == []  # DMs are not logged
