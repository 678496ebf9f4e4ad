"""The bulk analysis of curated text (index builds) gives what the one-text-at-a-time definitions give."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine import KnowledgeIndex, corpus
from bot.engine import index as index_module
from bot.engine.corpus import CorpusAnalyser, Ids
from bot.engine.normalize import clean, clean_lines
from bot.engine.tokenize import expand_phrases, segment_terms, word_term
from bot.knowledge.entry import Entry

# Pieces that exercise every rule: phrases (also at a line's end and with "'s"), hyphenated compounds with and
# without a grammar word, stop words, abbreviations, pinyin, digits, Chinese with grammar and concept words.
WORDS = [
    "sign", "up", "signing", "log", "in", "hong", "kong", "kong's", "live", "stream", "streaming", "go", "for",
    "you", "page", "terms", "of", "service", "off-limits", "self-promotion", "check-in", "live-streaming",
    "cat", "tax", "cats", "pics", "ppl", "the", "a", "don't", "mao", "shui", "2025", "rednote", "xhs",
    "小红书", "的", "猫", "税", "照片", "怎么", "发", "笔记", "我", "敏感", "话题", "吗",
    ",", "-", "?", "'", "(", ")", "—", "x-ray", "1-on-1", "--", "x-", "-up", "sign-", "a--b", "1-x", "-'s",
]  # fmt: skip

line_text = st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)


def _reference(line: str, *, pairs: bool) -> Counter[str]:
    if pairs:
        return Counter(segment_terms(expand_phrases(line), expanded=True))
    return Counter(segment_terms(line, phrases=False))


def _bulk(lines: list[str], *, pairs: bool) -> list[Counter[str]]:
    vocab = Ids()
    key = CorpusAnalyser(vocab).analyse(lines, pairs=pairs)
    names = list(vocab)
    out: list[Counter[str]] = [Counter() for _ in lines]
    for k in key.tolist():
        out[k >> 32][names[k & 0xFFFFFFFF]] += 1
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(line_text, min_size=1, max_size=8), st.booleans())
def test_bulk_terms_equal_the_per_line_definition(lines: list[str], pairs: bool) -> None:
    assert _bulk(lines, pairs=pairs) == [_reference(line, pairs=pairs) for line in lines]


def test_bulk_terms_cover_phrases_compounds_and_chinese() -> None:
    lines = [
        "how do i sign up",
        "hong kong's food",
        "off-limits topics",
        "小红书的猫税怎么发",
        "live-streaming",
    ]
    bulk = _bulk(lines, pairs=True)
    assert bulk == [_reference(line, pairs=True) for line in lines]
    assert word_term("register") in bulk[0] and word_term("hongkong") in bulk[1]
    assert word_term("offlimits") in bulk[2]
    assert "猫税" in bulk[3]


UNICODE_PIECES = [
    "Xiǎohóngshū", "\u00a0", "\u0301", "e\u0301", "🏽", "👍🏽", "🐱", "ﬁ", "ΣΑΣ", "—", "don’t", "\u200b",
    "軟體", "影片", "資料", "\u3000", "帳號", "①", "㎏", "\u2028", "ß", "→", "Ｆｕｌｌ", "word", "猫", "\t", "",
]  # fmt: skip
unicode_piece = st.sampled_from(UNICODE_PIECES)
markup = st.sampled_from(
    [
        "**bold**", "`code`", "```py", "~~old~~", "||secret||", "# Heading", "> quote", "- item", "* item",
        "<@123>", "@everyone", "<:cat:123456>", "[笑哭R]", "〇", "https://www.xiaohongshu.com/x",
        "[link](https://a.b)", "zhè", "\n", "\n\n", "  ", *UNICODE_PIECES,
    ]
)  # fmt: skip


def _clean_texts(texts: list[str]) -> list[tuple[str, int]]:
    """`clean_lines`' output regrouped per text: (cleaned text, emoji)."""
    lines, sizes, emoji = clean_lines(texts)
    starts = np.r_[0, np.cumsum(sizes)].tolist()
    return [("\n".join(lines[a:b]), n) for (a, b), n in zip(pairwise(starts), emoji.tolist(), strict=True)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(markup, max_size=10).map(" ".join), max_size=6))
def test_clean_lines_equal_clean_text_by_text(texts: list[str]) -> None:
    for text, (bulk_text, bulk_emoji) in zip(texts, _clean_texts(texts), strict=True):
        one = clean(text, limit=None, lines=True)
        assert bulk_emoji == one.emoji
        # The same lines with the same terms (a markdown mark right after an emoji may stay: it is no term).
        assert [_reference(line, pairs=True) for line in bulk_text.split("\n")] == [
            _reference(line, pairs=True) for line in one.text.split("\n")
        ]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(unicode_piece, max_size=10).map(" ".join), max_size=8))
def test_unicode_steps_per_piece_equal_clean_line_by_line(lines: list[str]) -> None:
    """Lines beyond ASCII get their Unicode steps once per distinct space-separated piece: the same text as
    `clean` gives each line (up to runs of spaces, emoji marked)."""
    for line, cleaned in zip(lines, clean_lines(lines)[0], strict=True):
        assert " ".join(cleaned.split()) == clean(line, limit=None, lines=True).text


def test_bulk_terms_are_right_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines are analysed in chunks; each chunk's lines keep their own numbers."""
    monkeypatch.setattr(corpus, "_CHUNK_LINES", 3)
    lines = ["sign up", "猫税", "", "hong kong", "off-limits", "ppl pics", "的", "cat tax 照片"]
    assert _bulk(lines, pairs=True) == [_reference(line, pairs=True) for line in lines]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=1, max_size=300))
def test_slice_by_slice_bincount_equals_numpy(values: list[int]) -> None:
    """The index build's memory-bounded bincount gives what numpy's one call gives."""
    array = np.array(values, dtype=np.int32)
    assert index_module._bincount(array, 51).tolist() == np.bincount(array, minlength=51).tolist()


row = st.tuples(st.integers(0, 5), st.integers(0, 3), st.integers(0, 3), st.integers(1, 9))


@settings(max_examples=100, deadline=None)
@given(st.lists(row, min_size=1, max_size=300))
def test_merged_rows_sum_each_term_and_entry(rows: list[tuple[int, int, int, int]]) -> None:
    """Sorted (term, entry, field, frequency) keys, merged slice by slice, give per (term, entry) the sum of
    scale[entry, field] * frequency over all fields, and over titles and tags (fields 0 and 1) alone."""
    tf_bits, doc_bits = 8, 2
    packed = [((t << doc_bits | d) << 2 | f) << tf_bits | c for t, d, f, c in rows]
    key = np.sort(np.array(packed, dtype=np.int64))
    scale = np.arange(1, 17, dtype=np.float32)  # by entry << 2 | field
    merged = index_module._merged_rows(key, tf_bits, doc_bits, scale)
    expect: tuple[dict[tuple[int, int], float], dict[tuple[int, int], float]] = ({}, {})
    for t, d, f, c in rows:
        for which in (expect[0], expect[1]) if f < 2 else (expect[0],):
            which[t, d] = which.get((t, d), 0.0) + float(scale[d << 2 | f]) * c
    for i, want in enumerate(expect):
        terms, docs, weights = index_module._joined(merged[i])
        assert list(zip(terms.tolist(), docs.tolist(), strict=True)) == sorted(want)
        assert np.allclose(weights, [want[k] for k in sorted(want)])


odd_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80) | st.sampled_from(
    ["", "\n\n", "🐱🐱", "[笑哭R]", "<:a:1>", "***", "- - -", "sign-up", "小红书\n\n猫税", "〇"]
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(odd_text, odd_text, st.lists(odd_text, max_size=3)), min_size=1, max_size=4), odd_text
)
def test_any_curated_text_builds_an_index_that_answers(
    fields: list[tuple[str, str, list[str]]], question: str
) -> None:
    """Whatever admins type into an entry, the bulk build works and a search never raises."""
    entries = [
        Entry(
            slug=f"e{i}",
            category="culture",
            title={"en": title or "t", "zh": title},
            answer={"en": answer or "a", "zh": answer},
            questions={"en": tuple(questions), "zh": tuple(questions)},
            tags=tuple(questions),
        )
        for i, (title, answer, questions) in enumerate(fields)
    ]
    index = KnowledgeIndex.build(entries)
    match = index.search(question)
    assert match.slug is None or match.slug in index.slugs


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 9)), max_size=60))
def test_occurrences_by_term_count_each_term_and_line(occurrences: list[tuple[int, int]]) -> None:
    """Packed (line, term) occurrences -> each distinct (term, line) pair, term by term, with its count."""
    key = np.array([line << 32 | term for line, term in occurrences], dtype=np.int64)
    ptr, lines, counts = index_module._by_term(key)
    terms = np.repeat(np.arange(ptr.size - 1), np.diff(ptr))
    pairs = Counter((term, line) for line, term in occurrences)
    assert list(zip(terms.tolist(), lines.tolist(), counts.tolist(), strict=True)) == [
        (term, line, pairs[term, line]) for term, line in sorted(pairs)
    ]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(line_text, st.lists(line_text, max_size=3), line_text), min_size=1, max_size=6),
    st.integers(1, 5),
)
def test_rows_and_items_do_not_depend_on_slices(
    fields: list[tuple[str, list[str], str]], slices: int
) -> None:
    """Rows and items are built from the (term, line) pairs slice by slice; any slicing gives the same, and
    each item has exactly its line's distinct terms."""
    entries = [
        Entry(
            slug=f"e{i}",
            category="culture",
            title={"en": title or "t", "zh": ""},
            answer={"en": answer or "a", "zh": ""},
            questions={"en": tuple(questions), "zh": ()},
            tags=tuple(questions[:1]),
        )
        for i, (title, questions, answer) in enumerate(fields)
    ]
    vocab = Ids()
    corpus = index_module._Corpus.of(entries, CorpusAnalyser(vocab))
    whole = corpus.bm25_rows(len(vocab)), corpus.items((0, 2))
    old = index_module._PACK_CHUNKS
    try:
        index_module._PACK_CHUNKS = slices
        sliced = corpus.bm25_rows(len(vocab)), corpus.items((0, 2))
    finally:
        index_module._PACK_CHUNKS = old
    for a, b in zip(_flat(whole), _flat(sliced), strict=True):
        assert a.tolist() == b.tolist()
    terms_of_line: dict[int, list[int]] = {}
    ptr = corpus.term_ptr.tolist()
    for term in range(len(ptr) - 1):
        for line in corpus.line[ptr[term] : ptr[term + 1]].tolist():
            terms_of_line.setdefault(line, []).append(term)
    rows = [r for r, field in enumerate(corpus.line_field.tolist()) if field in (0, 2)]
    item_lines = [line for line in corpus.line_id[rows].tolist() if line in terms_of_line]
    expect = sorted((term, item) for item, line in enumerate(item_lines) for term in terms_of_line[line])
    _, item_terms, items = whole[1]
    assert list(zip(item_terms.tolist(), items.tolist(), strict=True)) == expect


def _flat(arrays: object) -> list[np.ndarray]:
    """The arrays of nested tuples of arrays, in order."""
    if isinstance(arrays, np.ndarray):
        return [arrays]
    assert isinstance(arrays, tuple)
    return [a for part in arrays for a in _flat(part)]
