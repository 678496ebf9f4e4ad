"""Pure core pieces: schema, drafts, replies, messages, chat policy, and the core's independence of discord."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from bot.chat_policy import Cooldowns, can_curate, looks_like_question
from bot.errors import ValidationError
from bot.knowledge.drafts import EntryForm, entry_from_form, split_questions, split_tags
from bot.knowledge.entry import Entry
from bot.knowledge.schema import parse_document
from bot.messages import MESSAGES, lang_for_locale, t
from bot.replies import MESSAGE_LIMIT, clip, compose_entry, compose_unknown, render_text, reply_language
from tests.conftest import REPO_ROOT

ENTRY = Entry(
    slug="cat-tax",
    category="culture",
    title={"en": "Cat tax", "zh": "猫税"},
    answer={"en": "Post a pet.", "zh": "发宠物照片。"},
    questions={"en": ("cat tax?",), "zh": ("猫税？",)},
)


def test_core_never_imports_discord() -> None:
    offenders = []
    for path in (REPO_ROOT / "bot").rglob("*.py"):
        if path.name == "client.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "discord" or n.startswith(("discord.", "cogs")) for n in names):
                offenders.append(str(path.relative_to(REPO_ROOT)))
    assert offenders == []


def test_every_message_has_both_languages() -> None:
    for key, (en, zh) in MESSAGES.items():
        assert en.strip() and zh.strip(), key


@pytest.mark.parametrize(
    ("locale", "lang"), [("zh-TW", "zh-Hant"), ("zh-CN", "zh"), ("en-US", "en"), (None, "en"), ("fr", "en")]
)
def test_lang_for_locale(locale: str | None, lang: str) -> None:
    assert lang_for_locale(locale) == lang


def test_traditional_messages() -> None:
    assert t("faq.cancelled", "zh-Hant") == "已取消，沒有任何修改。"


def test_compose_entry_languages_and_fallback() -> None:
    assert compose_entry(ENTRY, "zh-Hant").title == "貓稅"
    english_only = Entry("x", "app", {"en": "T"}, {"en": "A"}, {"en": ()})
    assert compose_entry(english_only, "zh").body == "A"


def test_render_text_within_limit() -> None:
    long = Entry("x", "app", {"en": "T"}, {"en": "word " * 2000}, {"en": ()})
    text = render_text(compose_entry(long, "en"))
    assert len(text) <= MESSAGE_LIMIT and text.endswith("app")
    unknown = render_text(compose_unknown("en", (ENTRY,)))
    assert "Cat tax" in unknown and "`cat-tax`" in unknown


def test_clip() -> None:
    assert clip("short", 10) == "short"
    assert len(clip("a b c d e f g h i j k", 10)) <= 10


@pytest.mark.parametrize(
    ("detected", "mode", "lang"),
    [
        ("en", "auto", "en"),
        ("zh-Hant", "zh", "zh-Hant"),
        ("en", "zh", "zh"),
        ("zh", "en", "en"),
        ("zh", "both", "zh"),
    ],
)
def test_reply_language(detected: str, mode: str, lang: str) -> None:
    assert reply_language(detected, mode) == lang


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("what is the cat tax", True),
        ("cat tax?", True),
        ("猫税是什么", True),
        ("怎么注册", True),
        ("lol nice cat", False),
        ("", False),
        ("谢谢大家", False),
        ("Anyone know how to post?", True),
    ],
)
def test_looks_like_question(text: str, expected: bool) -> None:
    assert looks_like_question(text) is expected


def test_can_curate() -> None:
    assert can_curate(True, [], None)
    assert can_curate(False, [5, 6], 6)
    assert not can_curate(False, [5], 6) and not can_curate(False, [5], None)


def test_cooldowns_per_user_and_channel() -> None:
    now = [0.0]
    cooldowns = Cooldowns(
        user_limit=2, user_window=30, channel_limit=3, channel_window=60, clock=lambda: now[0]
    )
    assert cooldowns.allow(1, 100) and cooldowns.allow(1, 100)
    assert not cooldowns.allow(1, 100)  # user limit
    assert cooldowns.allow(2, 100)
    assert not cooldowns.allow(3, 100)  # channel limit
    assert cooldowns.allow(3, 200)
    now[0] = 61.0
    assert cooldowns.allow(1, 100)


def test_split_tags() -> None:
    assert split_tags("visa run,  border   run ，签证、Visa Run; ;") == ("visa run", "border run", "签证")
    assert split_tags(None) == () == split_tags("")


def test_too_many_or_too_long_tags_are_refused() -> None:
    form = EntryForm(title_en="T", answer_en="A", title_zh="标题", answer_zh="回答", questions="q\n问")
    with pytest.raises(ValidationError) as too_long:
        entry_from_form(form, "new-topic", "app", split_tags("x" * 61))
    assert "tags" in str(too_long.value.problems)
    with pytest.raises(ValidationError):
        entry_from_form(form, "new-topic", "app", split_tags(",".join(f"tag{i}" for i in range(41))))


def test_split_questions_and_form_round_trip() -> None:
    assert split_questions("what is it?\n- 这是什么\n\n  how?") == {
        "en": ["what is it?", "how?"],
        "zh": ["这是什么"],
    }
    form = EntryForm.of(ENTRY)
    entry = entry_from_form(form, "cat-tax", "culture", ENTRY.tags)
    assert entry.to_export() == ENTRY.to_export()
    assert "# 回答（中文）" in form.as_text()


def test_form_validation_lists_problems() -> None:
    with pytest.raises(ValidationError) as info:
        entry_from_form(EntryForm(title_en="Only a title"), "x-y", "culture")
    assert any("title needs an answer" in p for p in info.value.problems)
    with pytest.raises(ValidationError):
        entry_from_form(EntryForm(), "x-y", "culture")


@pytest.mark.parametrize(
    "doc",
    [
        None,
        [],
        {"version": 2, "entries": []},
        {"version": 1, "entries": {}},
        {"version": 1, "entries": [{"slug": "a"}]},
    ],
)
def test_parse_document_rejects(doc: object) -> None:
    with pytest.raises(ValidationError):
        parse_document(doc)


def test_parse_document_accepts_export_shape() -> None:
    assert parse_document({"version": 1, "entries": [ENTRY.to_export()]})[0].slug == "cat-tax"


def test_no_sql_or_file_io_in_cogs() -> None:
    for path in Path(REPO_ROOT / "cogs").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "sqlalchemy" not in source and "open(" not in source, path


def test_topic_finder_prefix_first_traditional_and_limit() -> None:
    from bot.knowledge.autocomplete import TopicFinder
    from bot.knowledge.source import load_entries

    finder = TopicFinder(load_entries())
    assert finder.find("cat", "en")[0].slug == "cat-tax"
    assert finder.find("貓稅", "zh-Hant")[0].slug == "cat-tax"
    assert len(finder.find("", "en")) == 25
    assert finder.find("zzzz-nothing", "en") == []
    many = TopicFinder([dataclasses.replace(ENTRY, slug=f"cat-{i}") for i in range(60)])
    assert len(many.find("cat", "en")) == 25


def test_errors_speak_each_reply_language() -> None:
    from bot.errors import BotError

    error = BotError("Topic not found.", "没有找到这个主题。")
    assert error.message("en") == "Topic not found."
    assert error.message("zh") == "没有找到这个主题。"
    assert error.message("zh-Hant") == "沒有找到這個主題。"  # zh-TW users read Traditional
