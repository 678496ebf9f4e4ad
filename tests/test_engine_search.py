"""Search on a small fixture knowledge base, robustness, and the dev-set floors on the shipped one."""

from __future__ import annotations

import json
import time
from dataclasses import FrozenInstanceError
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine import KnowledgeIndex, Match, common_words
from bot.engine.search import top_entries
from bot.knowledge.entry import Entry
from bot.knowledge.source import load_entries

DATA = Path(__file__).parent / "data"


def entry(
    slug: str,
    title: tuple[str, str],
    questions: tuple[tuple[str, ...], tuple[str, ...]],
    tags: tuple[str, ...],
    answer: tuple[str, str] = ("", ""),
) -> Entry:
    return Entry(
        slug=slug,
        category="culture",
        title={"en": title[0], "zh": title[1]},
        answer={"en": answer[0], "zh": answer[1]},
        questions={"en": questions[0], "zh": questions[1]},
        tags=tags,
    )


FIXTURE = [
    entry(
        "cat-tax",
        ("The cat tax", "什么是猫税"),
        (("what is the cat tax", "why do people want photos of my cat"), ("猫税是什么意思", "怎么交猫税")),
        ("cat tax", "猫税", "mao shui", "pet photos"),
        ("A joke: post a photo of your pet.", "一个玩笑：晒一张你家宠物的照片。"),
    ),
    entry(
        "sign-up",
        ("Creating an account", "注册账号"),
        (("how do I sign up", "the verification code never arrives"), ("怎么注册小红书", "收不到验证码")),
        ("sign up", "register", "注册", "verification code", "验证码"),
        ("Download the app and register with your phone number.", "下载应用，用手机号注册。"),
    ),
    entry(
        "live-streaming",
        ("Live streaming", "直播"),
        (("how do I go live", "who can livestream on rednote"), ("怎么开直播", "直播有什么要求")),
        ("live stream", "go live", "直播", "开播"),
        ("You need real-name verification to go live.", "开直播需要实名认证。"),
    ),
    entry(
        "basic-chinese-phrases",
        ("Basic Chinese phrases", "常用中文"),
        (("how do I say thank you in chinese", "what does ni hao mean"), ("谢谢怎么说", "你好的拼音")),
        ("你好", "ni hao", "谢谢", "xie xie", "greetings"),
        ("你好 (nǐ hǎo) hello; 谢谢 (xièxie) thank you.", "你好、谢谢。"),
    ),
    entry(
        "emoji-and-stickers",
        ("Emoji and stickers", "表情和贴图"),
        (("what does [笑哭R] mean", "is the smiling emoji rude"), ("小红书表情怎么用", "微笑表情是什么意思")),
        ("emoji", "stickers", "表情", "[笑哭R]"),
        ("RedNote has its own emoji like [笑哭R].", "小红书有自己的表情，比如[笑哭R]。"),
    ),
]


@pytest.fixture(scope="module")
def index() -> KnowledgeIndex:
    return KnowledgeIndex.build(FIXTURE)


@pytest.mark.parametrize(
    ("query", "locale", "slug", "lang"),
    [
        ("what is the cat tax?", None, "cat-tax", "en"),
        ("Cat   TAX??", None, "cat-tax", "en"),
        ("猫税是什么", None, "cat-tax", "zh"),
        ("貓稅是什麼", None, "cat-tax", "zh-Hant"),
        ("maoshui", None, "cat-tax", "en"),
        ("can I pay the 猫税 with my dog?", None, "cat-tax", "en"),
        ("how do i signup", None, "sign-up", "en"),
        ("verificaton code not arriving", None, "sign-up", "en"),  # typo
        ("收不到验证码怎么办", None, "sign-up", "zh"),
        ("怎麼註冊", None, "sign-up", "zh-Hant"),
        ("can anyone livestream?", None, "live-streaming", "en"),
        ("怎么开直播", "en-US", "live-streaming", "zh"),
        ("xie xie", None, "basic-chinese-phrases", "en"),
        ("what does [笑哭R] mean", None, "emoji-and-stickers", "en"),
        ("<@123> **what is the cat tax**", None, "cat-tax", "en"),
    ],
)
def test_search_finds(index: KnowledgeIndex, query: str, locale: str | None, slug: str, lang: str) -> None:
    match = index.search(query, locale)
    assert (match.slug, match.lang) == (slug, lang)
    assert 0.0 < match.score <= 1.0
    assert slug not in match.alternatives


def test_abbreviations_reach_the_entry(index: KnowledgeIndex) -> None:
    # Five entries are too few for the floor fitted on the shipped knowledge base; the ranking must be right.
    match = index.search("ppl keep asking for pics of my cat")
    assert (match.slug or match.alternatives[0]) == "cat-tax"


@pytest.mark.parametrize(
    "query",
    [
        "who won the world cup",
        "今天天气怎么样",
        "solve x^2 - 5x + 6 = 0",
        "",
        "😀😀😀",
        "?!.,;",
        "[笑哭R]",
    ],
)
def test_search_abstains(index: KnowledgeIndex, query: str) -> None:
    assert index.search(query).slug is None


def test_match_shape(index: KnowledgeIndex) -> None:
    match = index.search("what is the cat tax")
    assert isinstance(match, Match)
    assert isinstance(match.alternatives, tuple) and len(match.alternatives) <= 3
    assert set(match.alternatives) <= set(index.slugs)
    with pytest.raises(FrozenInstanceError):
        match.slug = "x"  # type: ignore[misc]


def test_slugs_and_hidden_entries() -> None:
    hidden = Entry(
        "secret",
        "app",
        {"en": "Secret", "zh": "秘密"},
        {"en": "", "zh": ""},
        {"en": (), "zh": ()},
        hidden=True,
    )
    idx = KnowledgeIndex.build([*FIXTURE, hidden, FIXTURE[0]])
    assert idx.slugs == tuple(e.slug for e in FIXTURE)


def test_empty_index() -> None:
    idx = KnowledgeIndex.build([])
    assert idx.slugs == ()
    assert idx.search("what is the cat tax") == Match(None, 0.0, "en", ())


def test_entry_with_empty_fields() -> None:
    blank = Entry("blank", "app", {"en": "", "zh": ""}, {"en": "", "zh": ""}, {"en": (), "zh": ()})
    idx = KnowledgeIndex.build([blank, *FIXTURE])
    assert idx.search("what is the cat tax").slug == "cat-tax"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000), st.one_of(st.none(), st.sampled_from(["en-US", "zh-CN", "zh-TW", "xx", ""])))
def test_any_text_any_locale(index: KnowledgeIndex, text: str, locale: str | None) -> None:
    match = index.search(text, locale)
    assert match.lang in ("en", "zh", "zh-Hant")
    assert match.slug is None or match.slug in index.slugs


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=st.sampled_from("😀🐱👍🏽❤️\ufe0f\u200d🇺🇸"), max_size=300))
def test_only_emoji(index: KnowledgeIndex, text: str) -> None:
    assert index.search(text).slug is None


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=st.characters(categories=["P", "Z"]), max_size=300))
def test_only_punctuation(index: KnowledgeIndex, text: str) -> None:
    assert index.search(text).slug is None


@pytest.mark.parametrize("text", ["猫税" * 50_000, "cat tax " * 12_500, "\u200b" * 100_000, "<@1>" * 25_000])
def test_huge_input_is_bounded(index: KnowledgeIndex, text: str) -> None:
    start = time.perf_counter()
    index.search(text)
    # Generous: only catches work that grows with the input (a few ms in practice).
    assert time.perf_counter() - start < 2.0


# --- The shipped knowledge base against the dev set -----------------------------------------------------------

FLOORS = {
    "en": 0.86,
    "zh": 0.85,
    "zh-Hant": 0.73,
    "mixed": 0.94,
    "abstain": 0.85,
    "reply language": 0.97,
    "en ranked first": 0.86,
}
"""A little below what the engine measures today (docs/engine.md); raise them as it improves. The weights and
the answer floor are fitted on the knowledge base's own questions and on hand-written real-style and off-topic
questions, not on the dev set (benchmarks/engine_fit.py), so these move a little as the knowledge base
changes."""


@pytest.fixture(scope="module")
def shipped() -> KnowledgeIndex:
    entries = load_entries()
    if not entries:
        pytest.skip("data/knowledge has no entries yet: nothing to measure the dev set against")
    return KnowledgeIndex.build(entries)


def test_dev_set_floors(shipped: KnowledgeIndex) -> None:
    frames = json.loads((DATA / "dev_mixed_frames.json").read_text(encoding="utf-8"))["frames"]
    rows = [
        json.loads(x) for x in (DATA / "dev_questions.jsonl").read_text(encoding="utf-8").splitlines() if x
    ]
    hits: dict[str, list[int]] = {}
    lang_ok = 0
    for row in rows:
        match = shipped.search(row["q"])
        expected_lang = frames.get(row["q"], row["lang"]) if row["lang"] == "mixed" else row["lang"]
        lang_ok += match.lang == expected_lang
        group = hits.setdefault(row["lang"] if row["slug"] else "abstain", [0, 0])
        group[0] += match.slug == row["slug"]
        group[1] += 1
        if row["lang"] == "en" and row["slug"]:
            # Ranked first: the answer, or the first "did you mean" when the engine abstains.
            first = match.slug or (match.alternatives[0] if match.alternatives else None)
            ranked = hits.setdefault("en ranked first", [0, 0])
            ranked[0] += first == row["slug"]
            ranked[1] += 1
    measured = {g: ok / n for g, (ok, n) in hits.items()}
    measured["reply language"] = lang_ok / len(rows)
    below = {g: round(v, 3) for g, v in measured.items() if v < FLOORS[g]}
    assert not below, f"below the floor: {below} (floors {FLOORS})"


def test_engine_does_not_import_discord() -> None:
    import subprocess
    import sys

    code = "import sys, bot.engine; sys.exit('discord' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_a_tag_of_common_words_is_no_defining_concept() -> None:
    # Every entry says "app"; an entry tagged just "the app" is not thereby what any "app" question names.
    from bot.engine.search import FEATURES, evidence

    words = ["cats", "taxes", "streams", "drafts", "stickers", "emoji"]
    entries = [
        entry(
            f"e{i}",
            (f"Lost {w}", f"话题{i}"),
            ((f"where are my {w} in the app",), (f"{i}号",)),
            (f"lost {w}",),
        )
        for i, w in enumerate(words)
    ]
    generic = entry("generic", ("Getting it", "下载"), (("where is it",), ("下载",)), ("the app",))
    idx = KnowledgeIndex.build([*entries, generic])
    ev = evidence(idx, "drafts vanished from the app")
    assert ev is not None
    concept = ev.features[:, FEATURES.index("concept")]
    assert concept[idx.slugs.index("generic")] < 0.2 < concept[idx.slugs.index("e3")]


def test_top_entries_is_a_stable_sort_prefix() -> None:
    rng = np.random.default_rng(3)
    for size in (1, 3, 10, 50, 1000):
        scores = rng.integers(0, 5, size).astype(float)  # many ties
        assert top_entries(scores, 4).tolist() == np.argsort(-scores, kind="stable")[:4].tolist()


def test_did_you_mean_only_when_the_question_is_close(shipped: KnowledgeIndex) -> None:
    """An abstention offers alternatives when the question is near an entry, none when it is plainly about
    something else."""
    near = shipped.search("is it safe to talk about trump or biden on there")
    assert near.slug is None and near.alternatives[:1] == ("political-discussion",)
    far = shipped.search("what is the weather in paris today")
    assert far.slug is None and far.alternatives == ()


@pytest.mark.parametrize(
    "query",
    [
        "how do I go live on twitch",
        "怎么在抖音开直播",
        "who can livestream on youtube?",
        "my whatsapp verification code never arrives",
    ],
)
def test_a_question_about_another_app_abstains(index: KnowledgeIndex, query: str) -> None:
    """Near misses: the entry's words, but another app the entry never names."""
    match = index.search(query)
    assert (match.slug, match.score) == (None, 0.0)


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("I stream on twitch, how do I go live on rednote too?", "live-streaming"),
        ("can I go live on 小红书 like on youtube", "live-streaming"),
        ("sign up with my wechat, the verification code never arrives", "sign-up"),
    ],
)
def test_another_app_named_beside_rednote_or_by_the_entry_is_fine(query: str, slug: str) -> None:
    wechat = entry(
        "sign-up",
        ("Creating an account", "注册账号"),
        (("how do I sign up", "the verification code never arrives"), ("怎么注册小红书", "收不到验证码")),
        ("sign up", "register", "注册", "verification code", "验证码"),
        ("Register with your phone number or WeChat.", "用手机号或微信注册。"),
    )
    idx = KnowledgeIndex.build([*(e for e in FIXTURE if e.slug != "sign-up"), wechat])
    assert idx.search(query).slug == slug


def test_an_app_name_is_not_corrected_as_a_typo() -> None:
    switch = entry(
        "language-settings",
        ("Switch the language", "切换语言"),
        (("how do I switch the app to english",), ("怎么切换语言",)),
        ("switch language", "切换语言"),
    )
    idx = KnowledgeIndex.build([*FIXTURE, switch])
    assert idx.search("how do I switch to english").slug == "language-settings"  # the entry is reachable
    assert idx.search("how do I twitch to english").slug is None  # not read as "switch"


def test_an_ordinary_word_is_not_corrected_as_a_typo() -> None:
    contact = entry(
        "contact-support",
        ("Contact support", "联系客服"),
        (("how do I contact support",), ("怎么联系客服",)),
        ("contact support", "客服"),
    )
    idx = KnowledgeIndex.build([*FIXTURE, contact])
    assert idx.search("how do I contcat support").slug == "contact-support"  # a misspelling is corrected
    assert idx.search("how do I contract support").slug is None  # a word in its own right is not


def test_ordinary_english_words_are_told_from_misspellings() -> None:
    common_words.warm()
    assert [common_words.is_common_english(w) for w in ("contract", "bread", "feel")] == [True] * 3
    assert [common_words.is_common_english(w) for w in ("recieve", "acount", "zzqx")] == [False] * 3


INDEPENDENT_FLOORS = {
    "third writer": {"en": 0.87, "zh": 0.92, "zh-Hant": 0.95, "mixed": 0.95, "abstain": 0.78},
    "fourth writer": {"en": 0.81, "zh": 0.94, "zh-Hant": 0.88, "mixed": 0.88, "abstain": 0.70},
}
"""A little below what the engine measures on the two independent sets (`engine_bench.INDEPENDENT`, README):
they guard against a change that helps the dev set and the fitting data at the expense of questions written
apart from both."""


@pytest.mark.parametrize("name", sorted(INDEPENDENT_FLOORS))
def test_independent_set_floors(shipped: KnowledgeIndex, name: str) -> None:
    from benchmarks.engine_bench import INDEPENDENT, evaluate, load_independent

    measured = evaluate(shipped.search, load_independent(INDEPENDENT[name]))
    floors = INDEPENDENT_FLOORS[name]
    below = {g: round(measured[g], 3) for g in floors if measured[g] < floors[g]}
    assert not below, f"{name} below the floor: {below} (floors {floors})"
    assert measured["reply language"] >= 0.98


def test_chinese_tag_words_are_folded_as_questions_are() -> None:
    """A Traditional tag joins the segmenting dictionary in the form a question takes after `fold_chinese`."""
    taiwan = entry("followers", ("Followers", "粉丝"), (("followers",), ("粉丝",)), ("追蹤者",))
    idx = KnowledgeIndex.build([taiwan])
    assert "关注者" in idx.zh_words and "追踪者" not in idx.zh_words
