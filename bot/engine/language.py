"""Which language to reply in: "en", "zh" (Simplified) or "zh-Hant" (Traditional).

Script decides first: text with Han characters and no Latin words is Chinese, text with Latin words and no Han
characters is English. Code-switched text is answered in the language of its grammatical *frame* (the matrix
language of the Matrix Language Frame model): the language that supplies the function words (question
particles, pronouns, auxiliaries), while the other language only lends content words. "can I pay the 猫税 with
a stuffed animal?" has an English frame; "那个 refugee hashtag 现在还有人在用吗?" has a Chinese
one. When function
words tie, the language with more words wins, then the locale hint.

Traditional vs Simplified is decided by characters that exist in only one of the two scripts (OpenCC tells
which): more Traditional-only characters -> "zh-Hant". Text that is the same in both scripts (你好) and text
without letters of either script follow the locale hint ("zh-TW" -> "zh-Hant", "en-US" -> "en").
"""

from __future__ import annotations

import re

from bot.engine.normalize import _converter, clean

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_LATIN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")

# Words that carry the grammar of an English sentence rather than its topic.
_EN_FUNCTION_TEXT = """
    i i'm i've i'd i'll me my mine you you're your yours he him his she her it it's its we us our they
    them their is are was were be been being am do does did don't doesn't didn't can can't could should
    would will won't
    shall may might must have has had the a an of to in on at for with from by about as into than then
    what what's how why when where who which whose whom if or and but so because that this these those there
    not no any some just also too very really still ever yet is isn't aren't wasn't there's here
    anyone anything
    someone something
"""
EN_FUNCTION_WORDS = frozenset(_EN_FUNCTION_TEXT.split())

# Chinese function words: question particles, pronouns, auxiliaries, adverbs of degree, measure words.
_ZH_FUNCTION = re.compile(
    r"为什么|怎么样|怎么办|怎么|什么|哪里|哪儿|哪个|是不是|有没有|会不会|能不能|可不可以|要不要|可以|如何|多少|"
    r"一直|还是|还有|已经|应该|需要|我们|你们|他们|她们|大家|这个|那个|这些|那些|这样|那样|"
    r"[的了吗呢吧啊呀嘛么是在有不没我你他她它这那会能要想还也都就和跟给被把让对很几]"
)

_TRADITIONAL_LOCALES = ("zh-tw", "zh-hk", "zh-mo", "zh-hant")


def locale_language(locale: str | None) -> str | None:
    """A Discord / BCP-47 locale -> "en", "zh" or "zh-Hant"; None when it says neither."""
    if not isinstance(locale, str) or not locale:
        return None
    loc = locale.strip().replace("_", "-").lower()
    if loc.startswith("zh"):
        return "zh-Hant" if loc.startswith(_TRADITIONAL_LOCALES) else "zh"
    if loc.startswith("en"):
        return "en"
    return None


def han_script(text: str, locale: str | None = None) -> str:
    """ "zh-Hant" or "zh" for Chinese text, from characters that belong to one script only."""
    han = "".join(_HAN.findall(text))
    if not han:
        return "zh-Hant" if locale_language(locale) == "zh-Hant" else "zh"
    as_simplified = _converter("t2s").convert(han)
    as_traditional = _converter("s2tw").convert(han)
    traditional_only = sum(a != b for a, b in zip(han, as_simplified, strict=False))
    simplified_only = sum(a != b for a, b in zip(han, as_traditional, strict=False))
    if traditional_only > simplified_only:
        return "zh-Hant"
    if simplified_only > traditional_only:
        return "zh"
    return "zh-Hant" if locale_language(locale) == "zh-Hant" else "zh"


def frame(text: str) -> tuple[float, float]:
    """(Chinese, English) frame scores of a cleaned text: a function word counts 2, a content word 0.5.

    Code-switching mostly borrows content words (nouns, verbs) into the frame language, so function words are
    the stronger evidence of the frame.
    """
    han_runs = "".join(_HAN.findall(text))
    zh_function = _ZH_FUNCTION.findall(han_runs)
    zh_function_chars = sum(map(len, zh_function))
    # Chinese words average about 1.5 characters.
    zh_content = max(0.0, (len(han_runs) - zh_function_chars) / 1.5)
    words = _LATIN_WORD.findall(text)
    en_function = sum(w in EN_FUNCTION_WORDS for w in words)
    return 2.0 * len(zh_function) + 0.5 * zh_content, 2.0 * en_function + 0.5 * (len(words) - en_function)


def detect_language(text: object, locale: str | None = None) -> str:
    """The reply language for `text`: "en", "zh" or "zh-Hant". Never raises."""
    try:
        return language_of_cleaned(clean(text, simplify=False).text, locale)
    except Exception:  # detection must never fail a reply
        return locale_language(locale) or "en"


def language_of_cleaned(text: str, locale: str | None = None) -> str:
    """`detect_language` for text already cleaned with `clean(text, simplify=False)`."""
    try:
        cleaned = text[:1000]
        has_han = _HAN.search(cleaned) is not None
        has_latin = _LATIN_WORD.search(cleaned) is not None
        hint = locale_language(locale)
        if not has_han and not has_latin:
            return hint or "en"
        if has_han and has_latin:
            zh, en = frame(cleaned)
            if en > zh or (en == zh and hint == "en"):
                return "en"
        elif not has_han:
            return "en"
        return han_script(cleaned, locale)
    except Exception:  # detection must never fail a reply
        return locale_language(locale) or "en"
