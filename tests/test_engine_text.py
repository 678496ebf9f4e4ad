"""Normalisation and reply-language detection, as tables of cases."""

from __future__ import annotations

import pytest

from bot.engine import detect_language, normalize, to_traditional
from bot.engine.normalize import clean


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ｈｅｌｌｏ　ＷＯＲＬＤ！", "hello world!"),
        ("What IS the Cat Tax", "what is the cat tax"),
        ("zero\u200bwidth\u200d joiner\ufeff", "zerowidth joiner"),
        ("bell\x07 and\x00 nul", "bell and nul"),
        ("<@123> <@!45> <#67> <@&89> @everyone @here hi", "hi"),
        ("**bold** __under__ ~~gone~~ ||spoiler|| `code`", "bold under gone spoiler code"),
        ("> quoted\n# heading\n- bullet", "quoted heading bullet"),
        ("[the docs](https://example.com/a/b) now", "the docs now"),
        ("see https://www.xiaohongshu.com/explore/1", "see xiaohongshu com"),
        ("HTTPS://Example.COM/x or Www.Rednote.com", "example com or rednote com"),
        ("awww.so cute, xhttp://no", "awww.so cute, xhttp://no"),
        ("```py\nprint()\n```", "print()"),
        ("好笑[笑哭R][派对R]", "好笑"),
        ("cat 🐱👍🏽 tax ❤️", "cat tax"),
        ("xièxie nǐ hǎo", "xiexie ni hao"),
        ("臺灣的網路 影片 軟體", "台湾的网络 视频 软件"),
        ("", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_emoji_are_counted_not_kept() -> None:
    cleaned = clean("[笑哭R] 😂 <:pepe:123456789>")
    assert cleaned.text == ""
    assert cleaned.emoji == 3


@pytest.mark.parametrize(
    "text",
    [
        "  Sign\tUP\x0b now\x1c\x1dplease\r\n\n  <@12> **bold** [x](y) www.a.b/c  ",
        "line one \n\n   line\x0ctwo  \n",
        "",
    ],
)
def test_ascii_fast_path_matches_the_general_path(text: str) -> None:
    # ASCII text skips the Unicode steps; one non-ASCII character (removed again) takes the general path.
    for kwargs in ({}, {"lines": True, "limit": None}):
        fast, general = clean(text, **kwargs), clean(text + "\u200b", **kwargs)
        assert (fast.text, fast.emoji) == (general.text, general.emoji)


def test_unicode_white_space_is_squeezed() -> None:
    assert clean("a\u3000\u3000b\xa0c\u2028d").text == "a b c d"
    assert clean(" a \u2009 b \n\u3000c ", lines=True).text == "a b\nc"


def test_normalize_bounds_length() -> None:
    assert len(normalize("a " * 50_000)) <= 500


def test_normalize_accepts_non_strings() -> None:
    assert normalize(None) == ""
    assert normalize(42) == "42"


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("what is the cat tax?", None, "en"),
        ("猫税是什么意思", None, "zh"),
        ("貓稅是什麼意思", None, "zh-Hant"),
        ("臺灣用戶也能註冊嗎", "en-US", "zh-Hant"),
        # Same characters in both scripts: the locale decides.
        ("你好", "zh-TW", "zh-Hant"),
        ("你好", "zh-CN", "zh"),
        ("你好", None, "zh"),
        # No letters of either script: the locale decides, English by default.
        ("😀😀", "zh-TW", "zh-Hant"),
        ("???", "zh-CN", "zh"),
        ("!!!", None, "en"),
        ("", "en-GB", "en"),
        # Code-switching: the language of the grammatical frame.
        ("no pets here, can I pay the 猫税 with a stuffed animal?", None, "en"),
        ("what does 种草 mean when someone says it to me", None, "en"),
        ("这个 app 的 algorithm 是怎么推荐的?", None, "zh"),
        ("我的 account 被 ban 了怎么办", None, "zh"),
        ("我的帳號被 ban 了怎麼辦", None, "zh-Hant"),
    ],
)
def test_detect_language(text: str, locale: str | None, expected: str) -> None:
    assert detect_language(text, locale) == expected


@pytest.mark.parametrize("bad", [None, 3.5, b"bytes", "\ud800 lone surrogate", "\x00" * 10])
def test_detect_language_never_raises(bad: object) -> None:
    assert detect_language(bad) in ("en", "zh", "zh-Hant")


def test_to_traditional() -> None:
    assert to_traditional("什么是猫税") == "什麼是貓稅"
    assert to_traditional("") == ""


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("streamers", "直播"),  # concept groups: general synonyms and their Chinese
        ("president", "politics"),
        ("price", "多少钱"),
        ("taken down", "deleted"),  # a phrase as one word
        ("sign-up", "register"),  # a hyphenated grammar compound stays one word
        ("檢舉", "举报"),  # Taiwan wording meets the mainland word
        ("按讚", "点赞"),
        ("封鎖", "拉黑"),
        ("停權", "封号"),
        ("相簿", "照片"),
        ("how do i unfollow", "取关"),
        ("my parrot", "宠物"),  # pet animals under "pet"
    ],
)
def test_words_that_mean_the_same_meet(a: str, b: str) -> None:
    from bot.engine.tokenize import query_terms

    assert set(query_terms(clean(a).text)) & set(query_terms(clean(b).text))


def test_hyphenated_compound_with_a_grammar_word_is_one_word() -> None:
    from bot.engine.tokenize import query_terms, word_term

    assert not {"limit", "limits", "~limit"} & set(query_terms("that beach is off-limits at night"))
    # Other compounds keep their parts.
    assert {"self", word_term("promotion")} <= set(query_terms("self-promotion"))


def test_taiwan_follow_is_read_as_follow_and_as_track() -> None:
    """追蹤 is "follow" on Taiwanese social media and "track" elsewhere: the folded text reads it as 关注, the
    character-by-character variant keeps 追踪, so a question offers both."""
    from bot.engine.normalize import fold_chinese, simplified_variant

    folded = fold_chinese("怎麼取消追蹤別人")
    assert "关注" in folded and "追踪" not in folded
    assert simplified_variant("怎麼取消追蹤別人", folded) == "怎么取消追踪别人"
    assert fold_chinese("小红书会追踪我的位置吗") == "小红书会追踪我的位置吗"  # Simplified text: untouched


def test_phrasal_expressions_keep_their_point() -> None:
    """ "make" and "stop" say little alone; a phrase keeps what the expression means."""
    from bot.engine.tokenize import query_terms, word_term

    assert word_term("register") in query_terms("how do i make an account")
    assert word_term("unfollow") in query_terms("he stopped following me")
    assert word_term("download") in query_terms("is it on the app store")  # not the shop
