"""Text clean-up shared by indexing and search: one canonical form for matching.

The matching form is lower-case, NFKC (so full-width letters and digits become ASCII), free of zero-width and
control characters, Discord mentions, markdown and URLs, with emoji and RedNote emoji codes (``[笑哭R]``)
removed and counted, tone marks stripped from Latin letters (typed pinyin) and Traditional Chinese folded to
Simplified with OpenCC. Nothing here raises on odd input and every step is linear in the input length.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, repeat

import numpy as np
import opencc

MAX_RAW_CHARS = 4_000
"""Input beyond this is cut before any work is done: a question is never longer, so time stays bounded."""

MAX_MATCH_CHARS = 500
"""The normalised text is cut to this many characters before it is scored."""

# Discord syntax. Custom emoji count as emoji; a slash-command mention keeps the command's name.
_CUSTOM_EMOJI = re.compile(r"<a?:[A-Za-z0-9_~]{1,64}:\d{1,25}>")
_COMMAND_MENTION = re.compile(r"</([\w -]{1,64}):\d{1,25}>")
_MENTION = re.compile(r"<(?:@[!&]?|#)\d{1,25}>|<t:-?\d{1,20}(?::[tTdDfFR])?>")
_MASS_MENTION = re.compile(r"@(?:everyone|here)\b")
# URLs: lower-case schemes by two literal-led patterns (fast); any other case by the slower general one.
_URL_SCHEME = re.compile(r"https?://([^\s/<>()]{1,253})[^\s<>()]*")
_URL_WWW = re.compile(r"www\.([^\s/<>()]{1,253})[^\s<>()]*")
_URL_ANY_CASE = re.compile(r"\b(?:https?://|www\.)([^\s/<>()]{1,253})[^\s<>()]*", re.IGNORECASE)
_MD_LINK = re.compile(r"\[([^\[\]\n]{0,200})\]\((?:[^()\s]{0,500})\)")
# Code fences, emphasis, strike-through and spoilers; headings, quotes and list bullets at a line's start.
# None takes a line break with it: lines stay apart (and a batch of texts cleaned together splits back).
# Each starts with a literal or a class of characters, so the regex engine skips to candidates quickly.
_MD_FENCE = re.compile(r"```[A-Za-z0-9_+-]{0,20}")
_MD_INLINE = re.compile(r"[`*~|]+")
_MD_UNDERLINE = re.compile(r"__+")
_MD_FIRST_LINE = re.compile(r"[^\S\n]{0,3}(?:#{1,3}|-#|>{1,3}|[-*+])[^\S\n]")
_MD_LINE_START = re.compile(r"\n" + _MD_FIRST_LINE.pattern)
# RedNote's own emoji are typed as a short name in brackets ending in R: [笑哭R], [派对R], [哭惹R].
_REDNOTE_EMOJI = re.compile(r"\[[^\[\]\s]{1,10}R\]")

_ZERO_WIDTH = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")


# An emoji (or a stray variation selector or tag character) with the modifiers that follow it. One class
# first, so the regex engine skips ahead to candidates.
_EMOJI_START = (
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\u3030\u303d\u3297\u3299"
    "\u2122\u2139\u00a9\u00ae\ufe0f\U000e0020-\U000e007f]"
)
_EMOJI = re.compile(_EMOJI_START + "[\U0001f3fb-\U0001f3ff\ufe0f\U000e0020-\U000e007f]*")
# Any character `_EMOJI` can start a match with: a cheap test before the costlier pattern.
_EMOJI_CHAR = re.compile(_EMOJI_START)
_COMBINING = re.compile("[\u0300-\u036f]")
_ASCII_CONTROLS = re.compile("[\x00-\x1f\x7f]")
_CONTROLS_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f]")
# For ASCII text, `str.translate` does the same as these patterns many times faster.
_CONTROLS_TABLE = {c: " " for c in [*range(0x20), 0x7F]}
_CONTROLS_BUT_NEWLINE_TABLE = {c: " " for c in [*range(0x20), 0x7F] if c != 0x0A}
_MD_INLINE_TABLE = str.maketrans({c: " " for c in "`*~|"})
_DIACRITIC = re.compile("[\u00c0-\u024f\u1e00-\u1eff]")
# Everything but ASCII, CJK ideographs, CJK and full-width punctuation, and Latin with diacritics.
_RARE = re.compile(
    "[^\x00-\x7f\u00c0-\u024f\u1e00-\u1eff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]"
)
# A combining mark left after a Latin letter once NFKC has composed what it can (a typed tone mark).
_STRAY_MARK = re.compile("(?<=[a-z])[\u0300-\u036f]+")


def _rare_char(match: re.Match[str]) -> str:
    """Controls, format characters, private use, symbols and line separators become spaces."""
    ch = match.group()
    cat = unicodedata.category(ch)
    return " " if cat[0] == "C" or cat in ("So", "Zl", "Zp") else ch


def _base_letter(match: re.Match[str]) -> str:
    ch = match.group()
    return _STRIP_MARKS.get(ord(ch), ch)


def _strip_mark_table() -> dict[int, str]:
    """Latin letters with diacritics -> their base letter (pinyin tones: ǎ -> a, ü -> u)."""
    table: dict[int, str] = {}
    for cp in [*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)]:
        base = unicodedata.normalize("NFD", chr(cp))[0]
        if base != chr(cp) and base.isascii():
            table[cp] = base
    table[ord("ß")] = "ss"
    return table


_STRIP_MARKS = _strip_mark_table()


@dataclass(frozen=True, slots=True)
class Cleaned:
    """A text in matching form, and how many emoji were taken out of it."""

    text: str
    emoji: int


@lru_cache(maxsize=4)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional (incl. Taiwan phrasing: 影片, 軟體) -> Simplified Chinese, for matching."""
    try:
        return _converter("tw2sp").convert(text)
    except Exception:  # OpenCC errors must never reach a user
        return text


HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF))
"""The Han characters the engine matches on (CJK Extension A and the Unified Ideographs), as code points."""
HAN_CLASS = "".join(f"{chr(low)}-{chr(high)}" for low, high in HAN_RANGES)
"""HAN_RANGES inside a regular expression's character class."""
HAN = re.compile(f"[{HAN_CLASS}]")


# Simplified spellings that vary for one word: the knowledge base's form wins (帐号 is common, 账号 standard).
_VARIANTS = {"帐号": "账号", "帐户": "账户", "帐戶": "账户"}
_VARIANT_RE = re.compile("|".join(_VARIANTS))


# Taiwan social-media usage OpenCC's phrase table leaves alone although the mainland says it otherwise:
# 追蹤 is "follow" there (mainland 关注; 追踪 is "track"), 推播 a push notification (推送). Only the phrase-
# converted form reads them so; the character-by-character variant (`simplified_variant`) keeps the literal
# reading, so a question offers both ("追蹤我的位置" is still about tracking; so is "追蹤號碼", a parcel's
# tracking number, which the folded form misreads as following). 推播 is written alike in Simplified, where
# it is rare; it is rewritten there too.
_TAIWAN_USAGE = {"追蹤": "关注", "推播": "推送"}
_TAIWAN_USAGE_RE = re.compile("|".join(_TAIWAN_USAGE))


def fold_chinese(text: str) -> str:
    """Chinese in one Simplified form for matching: Traditional folded with OpenCC `tw2sp` (Taiwan phrasing
    too: 影片 -> 视频, 軟體 -> 软件, plus `_TAIWAN_USAGE`), and variant spellings of one word unified."""
    if not HAN.search(text):
        return text
    text = _TAIWAN_USAGE_RE.sub(lambda m: _TAIWAN_USAGE[m.group()], text)
    return _unify_variants(to_simplified(text))


def _unify_variants(text: str) -> str:
    return _VARIANT_RE.sub(lambda m: _VARIANTS[m.group()], text)


def simplified_variant(text: str, folded: str) -> str | None:
    """The character-by-character Simplified form (OpenCC `t2s`) of a text, where it differs from `folded` (its
    `fold_chinese` form): a Taiwan word converted as a phrase (資料 -> 数据) may be written as the mainland one
    character for character (资料). None when there is no such difference."""
    if not HAN.search(text):
        return None
    try:
        plain = _unify_variants(_converter("t2s").convert(text))
    except Exception:
        return None
    return plain if plain != folded else None


def to_traditional(text: str) -> str:
    """Simplified -> Traditional Chinese with Taiwan phrasing (OpenCC s2twp), for zh-Hant replies."""
    if not text:
        return ""
    try:
        return _converter("s2twp").convert(text)
    except Exception:
        return text


def _url_host(match: re.Match[str]) -> str:
    """A URL -> its host's words ("www.xiaohongshu.com/x" -> "xiaohongshu com"); not inside a word."""
    start = match.start()
    if start and (match.string[start - 1].isalnum() or match.string[start - 1] == "_"):
        return match.group()
    return " " + match.group(1).removeprefix("www.").replace(".", " ") + " "


def strip_discord(text: str) -> str:
    """Remove Discord mentions, markdown marks and URLs (keeping a link's text and a URL's host)."""
    # Each pattern runs only where its telltale character is present (a plain `in` test is far cheaper).
    if "<" in text:
        text = _COMMAND_MENTION.sub(r" \1 ", text)
    if "<" in text:
        text = _MENTION.sub(" ", text)
    if "@" in text:
        text = _MASS_MENTION.sub(" ", text)
    if "](" in text:
        text = _MD_LINK.sub(r" \1 ", text)
    if "://" in text:
        text = _URL_SCHEME.sub(_url_host, text)
    if "www." in text:
        text = _URL_WWW.sub(_url_host, text)
    if any(scheme in text for scheme in ("HTTP", "Http", "WWW.", "Www.")):  # rare
        text = _URL_ANY_CASE.sub(_url_host, text)
    if "```" in text:
        text = _MD_FENCE.sub(" ", text)
    first = _MD_FIRST_LINE.match(text)
    if first:
        text = " " + text[first.end() :]
    if "\n" in text:
        text = _MD_LINE_START.sub("\n ", text)
    if "__" in text:
        text = _MD_UNDERLINE.sub(" ", text)
    return text.translate(_MD_INLINE_TABLE) if text.isascii() else _MD_INLINE.sub(" ", text)


def _squeeze_spaces(text: str, lines: bool) -> str:
    """Runs of white space as one space, none at either end (of each line, with `lines`). `str.split()` splits
    on exactly what `\\s` matches, and is much faster than a regular expression."""
    if lines:
        return "\n".join([" ".join(line.split()) for line in text.split("\n")])
    return " ".join(text.split())


def clean(
    text: object,
    *,
    simplify: bool = True,
    limit: int | None = MAX_RAW_CHARS,
    lines: bool = False,
    squeeze: bool = True,
    emoji_mark: str = " ",
) -> Cleaned:
    """Any input -> matching form (see module doc). Never raises; bounded by MAX_RAW_CHARS.

    `simplify=False` keeps Traditional characters (language detection needs to see them); `limit=None`
    cleans curated text of any length; `lines=True` keeps line breaks (curated fields are cleaned a whole
    field at a time, one segment per line); `squeeze=False` leaves runs of spaces (for callers that split
    words themselves); `emoji_mark` replaces each emoji (so a batch can count them per text afterwards).
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if limit is not None:
        text = text[:limit]
    # ASCII text (most English) has no surrogates, emoji, zero-width or rare characters, marks or diacritics,
    # is already NFKC and has no Han: those steps are skipped (same output, a cheap test).
    ascii_only = text.isascii()
    if not ascii_only:
        # Surrogates (from broken decoders) cannot be encoded or converted: drop them first.
        text = text.encode("utf-8", "ignore").decode("utf-8")
    text, emoji = _strip_markup(text, emoji_mark)
    if ascii_only:
        text = text.lower().translate(_CONTROLS_BUT_NEWLINE_TABLE if lines else _CONTROLS_TABLE)
        return Cleaned(_squeeze_spaces(text, lines) if squeeze else text, emoji)
    text, found = _clean_unicode(text, lines=lines, simplify=simplify, emoji_mark=emoji_mark)
    return Cleaned(_squeeze_spaces(text, lines) if squeeze else text, emoji + found)


def _strip_markup(text: str, emoji_mark: str) -> tuple[str, int]:
    """Discord's custom emoji, mentions, markdown and URLs, and RedNote emoji codes taken out: the first
    steps of `clean`, which work on whole texts. Returns the text and how many emoji it had."""
    emoji = 0
    if "<" in text:
        text, emoji = _CUSTOM_EMOJI.subn(emoji_mark, text)
    text = strip_discord(text)
    if "[" in text:
        text, found = _REDNOTE_EMOJI.subn(emoji_mark, text)
        emoji += found
    return text, emoji


def _clean_unicode(text: str, *, lines: bool, simplify: bool, emoji_mark: str) -> tuple[str, int]:
    """The steps of `clean` that only text beyond ASCII needs, with the emoji they took out. Each changes
    characters where they stand (a zero-width character, an emoji with its modifiers, a letter and its
    marks, a Chinese phrase): none reaches across a space or a line break."""
    emoji = 0
    text = _ZERO_WIDTH.sub("", text)
    # Emoji go before NFKC too: it would turn some (🈐) into letters.
    if _EMOJI_CHAR.search(text):
        text, found = _EMOJI.subn(emoji_mark, text)
        emoji += found
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
    if _EMOJI_CHAR.search(text):
        text, found = _EMOJI.subn(emoji_mark, text)
        emoji += found
    # Only characters outside the common scripts need a look at their Unicode category.
    text = _RARE.sub(_rare_char, (_CONTROLS_BUT_NEWLINE if lines else _ASCII_CONTROLS).sub(" ", text))
    if _COMBINING.search(text):
        text = _STRAY_MARK.sub("", text)
    text = _DIACRITIC.sub(_base_letter, text)
    if simplify:
        text = fold_chinese(text)
    return text, emoji


def normalize(text: object) -> str:
    """The matching form of `text`, cut to MAX_MATCH_CHARS."""
    return clean(text).text[:MAX_MATCH_CHARS]


_EMOJI_MARK = "\u3007"
"""Stands for an emoji while a batch is cleaned (〇, kept by every step); texts holding one are cleaned alone."""


def clean_lines(texts: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The lines of many curated texts in matching form, for index builds: (every text's cleaned lines, one
    text after another; how many lines each text has; how many emoji each text held).

    Every step of `clean` is line-local, so the lines of all texts are cleaned in two joined batches: ASCII
    lines, which skip the Unicode steps, and the rest (`_clean_other_lines`). Emoji are marked while a batch
    is cleaned, then counted per line, so a markdown mark right after an emoji may stay where `clean` drops it
    (it is never part of a word). Texts that hold the mark itself are cleaned alone."""
    plain = list(texts)
    emoji = np.zeros(len(texts), dtype=np.int64)
    alone: dict[int, list[str]] = {}
    for i, text in enumerate(texts):
        if _EMOJI_MARK in text:
            one = clean(text, limit=None, lines=True)
            alone[i], emoji[i] = one.text.split("\n"), one.emoji
            plain[i] = "\n" * one.text.count("\n")  # as many empty lines for now
    sizes = np.fromiter(map(str.count, plain, repeat("\n")), dtype=np.int64, count=len(plain)) + 1
    raw = "\n".join(plain).split("\n") if plain else []
    del plain
    is_ascii = np.fromiter(map(str.isascii, raw), dtype=bool, count=len(raw))
    cleaned = np.empty(len(raw), dtype=object)  # no fixed-width str array
    marked = np.zeros(len(raw), dtype=bool)
    for rows, clean_batch in ((is_ascii, _clean_ascii_lines), (~is_ascii, _clean_other_lines)):
        batch = list(compress(raw, rows))
        if batch:
            out, has_mark = clean_batch(batch)
            cleaned[rows] = np.fromiter(out, dtype=object, count=len(out))
            marked[rows] = has_mark
    lines: list[str] = cleaned.tolist()
    del raw, cleaned
    if marked.any():
        _count_marks(lines, np.flatnonzero(marked).tolist(), np.repeat(np.arange(len(texts)), sizes), emoji)
    if alone:
        first = np.r_[0, np.cumsum(sizes)].tolist()
        for i, parts in alone.items():
            lines[first[i] : first[i] + len(parts)] = parts
    return lines, sizes, emoji


def _count_marks(lines: list[str], candidates: list[int], owner: np.ndarray, emoji: np.ndarray) -> None:
    """Add the emoji marks of lines `candidates` to their texts' `emoji`, and blank the marks."""
    marked = [i for i in candidates if _EMOJI_MARK in lines[i]]
    counts = [lines[i].count(_EMOJI_MARK) for i in marked]
    np.add.at(emoji, owner[marked], counts)
    for i in marked:
        lines[i] = lines[i].replace(_EMOJI_MARK, " ")


_BATCH_MARK = f" {_EMOJI_MARK} "


def _clean_ascii_lines(lines: list[str]) -> tuple[list[str], bool]:
    """ASCII lines cleaned together (emoji marked), and whether any emoji was marked."""
    parts = clean("\n".join(lines), limit=None, lines=True, squeeze=False, emoji_mark=_BATCH_MARK)
    return _same_lines(parts.text.split("\n"), lines, _clean_line), parts.emoji > 0


def _clean_other_lines(lines: list[str]) -> tuple[list[str], bool]:
    """Lines with characters beyond ASCII cleaned together (emoji marked), and whether any may hold a mark.
    Discord syntax and markdown go first over the whole batch (`_strip_markup`, as in `clean`); the Unicode
    steps, which never reach across a space, are then done once per distinct space-separated piece (pinyin,
    quotes and dashes in English lines leave most of the text ASCII and the pieces repeat), and the lines
    put back together."""
    text = _strip_markup("\n".join(lines).encode("utf-8", "ignore").decode("utf-8"), _BATCH_MARK)[0]
    marked = _EMOJI_MARK in text
    pieces = text.replace("\n", " \n ").split(" ")  # "\n" alone is a piece: no other has one
    del text
    distinct = dict.fromkeys(pieces)
    distinct.pop("\n", None)
    parts = _clean_unicode("\n".join(distinct), lines=True, simplify=True, emoji_mark=_BATCH_MARK)[0]
    cleaned = dict(zip(distinct, _same_lines(parts.split("\n"), list(distinct), _clean_piece), strict=True))
    cleaned["\n"] = "\n"
    out = " ".join(map(cleaned.__getitem__, pieces)).split(" \n ")
    return _same_lines(out, lines, _clean_line), marked or _EMOJI_MARK in parts


def _same_lines(parts: list[str], lines: list[str], clean_one: Callable[[str], str]) -> list[str]:
    """`parts`, the cleaned `lines`; one by one with `clean_one` if a step had lost a line break (it cannot
    happen: every step keeps them, but texts must never be mixed up)."""
    return parts if len(parts) == len(lines) else list(map(clean_one, lines))


def _clean_line(line: str) -> str:
    return clean(line, limit=None, lines=True, squeeze=False, emoji_mark=_BATCH_MARK).text


def _clean_piece(piece: str) -> str:
    return _clean_unicode(piece, lines=True, simplify=True, emoji_mark=_BATCH_MARK)[0]
