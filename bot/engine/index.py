"""The searchable form of a set of entries: built once (pure, fast), then queried many times.

Three views of the same entries, all as compressed postings (term -> entries) in numpy arrays so a search
touches only the terms of the question:

* BM25F over each entry's fields (titles, tags, example questions, answers; both languages), giving how much
  of the question's information an entry covers;
* every example question and title on its own, for the nearest known phrasing (idf-weighted cosine);
* every tag (and title) on its own, for the entry's *defining concepts*: a question has to name one of them,
  not just share a word with the entry.

English words the entries use are also kept for typo correction (one edit, Damerau-Levenshtein, through a
deletion index as in SymSpell).
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np

from bot.engine.normalize import clean, to_simplified
from bot.engine.tokenize import (
    BASE_ZH_WORDS,
    EMOJI_TERM,
    MAX_WORD,
    english_words,
    expand_phrases,
    segment_terms,
    word_term,
)
from bot.knowledge.entry import Entry

if TYPE_CHECKING:
    from bot.engine.search import Match

# BM25F field weights and length normalisation. Titles and tags name the topic; example questions are how
# people ask; answers are long and say much besides the point, so they weigh least.
FIELDS: tuple[str, ...] = ("title", "tags", "questions", "answer")
FIELD_WEIGHT = np.array([3.0, 3.0, 2.0, 1.0], dtype=np.float32)
FIELD_B = np.array([0.3, 0.3, 0.5, 0.75], dtype=np.float32)
K1 = 1.2

CONCEPT_MIN_IDF = 1.0
"""A tag (or title) counts as fully named only when its words carry at least this much idf together: a tag
made of words most entries use ("get the app" -> "app") says little about what an entry is about."""

MIN_TYPO_WORD = 4
"""Shorter words are too ambiguous to correct."""


@dataclass(frozen=True, slots=True)
class Postings:
    """Compressed sparse rows: the items and weights of term t are at ptr[t]:ptr[t + 1]."""

    ptr: np.ndarray
    item: np.ndarray
    weight: np.ndarray

    @staticmethod
    def sort_pairs(terms: np.ndarray, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distinct (term, item) pairs sorted by term, then item: one in-place sort of a packed key, lighter
        than an argsort and three gathers (weights are computed afterwards from the sorted pairs)."""
        key = terms.astype(np.int64)
        key <<= 32
        key |= items
        key.sort()
        sorted_items = (key & 0xFFFFFFFF).astype(np.int32)
        key >>= 32
        return key.astype(np.int32), sorted_items

    @staticmethod
    def from_sorted(terms: np.ndarray, items: np.ndarray, weights: np.ndarray, n_terms: int) -> Postings:
        """From (term, item, weight) rows already sorted by term."""
        ptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(np.bincount(terms, minlength=n_terms), out=ptr[1:])
        return Postings(ptr, items.astype(np.int32, copy=False), weights.astype(np.float32, copy=False))

    def gather(self, terms: Sequence[int], query_weights: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
        """All (item, query weight * posting weight) pairs of the given terms."""
        if not terms:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        ptr = self.ptr
        items = [self.item[ptr[t] : ptr[t + 1]] for t in terms]
        weights = [self.weight[ptr[t] : ptr[t + 1]] * w for t, w in zip(terms, query_weights, strict=True)]
        return np.concatenate(items), np.concatenate(weights)


@dataclass(frozen=True, slots=True)
class _Block:
    """One analysed piece of curated text: the terms of each of its segments, and the emoji it held."""

    segments: tuple[list[str], ...]
    emoji: int


def _blocks(entry: Entry) -> dict[str, tuple[str, ...]]:
    """The raw text of each field as blocks (one per language where the field has two)."""
    questions = entry.questions
    return {
        "title": (entry.title.get("en", ""), entry.title.get("zh", "")),
        "tags": ("\n".join(t.replace("\n", " ") for t in entry.tags),),
        "questions": tuple(
            "\n".join(q.replace("\n", " ") for q in questions.get(lang, ())) for lang in ("en", "zh")
        ),
        "answer": (entry.answer.get("en", ""), entry.answer.get("zh", "")),
    }


def _analyse(text: str, field: str) -> _Block:
    """Clean and analyse one block. Titles, tags and questions: one segment per line, phrases kept; answers:
    phrases dropped (long prose joins many pairs by accident)."""
    if not text:
        return _Block((), 0)
    if field == "title":
        cleaned = clean(text.replace("\n", " "), limit=None)
        return _Block((segment_terms(cleaned.text),), cleaned.emoji)
    cleaned = clean(text, limit=None, lines=True)
    if field == "answer":  # one segment: no phrases, so lines need not be kept apart
        return _Block((segment_terms(cleaned.text, phrases=False),), cleaned.emoji)
    lines = expand_phrases(cleaned.text).split("\n")
    return _Block(tuple(segment_terms(x, expanded=True) for x in lines if x), cleaned.emoji)


def _bm25(
    terms: np.ndarray, docs: np.ndarray, raw_tf: np.ndarray, n: int, n_terms: int
) -> tuple[Postings, np.ndarray]:
    """BM25 postings and idf from (term, entry, weighted frequency) rows sorted by term, then entry."""
    if terms.size:
        starts = np.flatnonzero(np.r_[True, (terms[1:] != terms[:-1]) | (docs[1:] != docs[:-1])])
        pseudo_tf = np.add.reduceat(raw_tf, starts)
        terms, docs = terms[starts], docs[starts]
        del starts
    else:
        pseudo_tf = np.zeros(0, dtype=np.float32)
    df = np.bincount(terms, minlength=n_terms)
    idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
    # In place, in float32: these arrays have a row per (term, entry) and dominate the build's peak memory.
    weight = pseudo_tf * np.float32(K1 + 1.0)
    pseudo_tf += np.float32(K1)
    weight /= pseudo_tf
    del pseudo_tf
    weight *= idf[terms]
    return Postings.from_sorted(terms, docs, weight, n_terms), idf


class _Vocabulary(dict[str, int]):
    """Term -> id; an unseen term gets the next id."""

    def __missing__(self, term: str) -> int:
        self[term] = tid = len(self)
        return tid


_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


class KnowledgeIndex:
    """Entries a guild sees, ready to search. Build with `KnowledgeIndex.build(entries)`."""

    def __init__(
        self,
        slugs: tuple[str, ...],
        vocab: dict[str, int],
        idf: np.ndarray,
        bm25: Postings,
        key_idf: np.ndarray,
        keys: Postings,
        questions: Postings,
        question_entry: np.ndarray,
        tags: Postings,
        tag_entry: np.ndarray,
        typo_deletes: dict[str, tuple[str, ...]],
        word_freq: dict[str, int],
        zh_words: frozenset[str] = BASE_ZH_WORDS,
    ) -> None:
        self._slugs = slugs
        self.vocab = vocab
        self.idf = idf
        self.bm25 = bm25
        self.key_idf = key_idf
        self.keys = keys
        self.questions = questions
        self.question_entry = question_entry
        self.tags = tags
        self.tag_entry = tag_entry
        self.typo_deletes = typo_deletes
        self.word_freq = word_freq
        self.zh_words = zh_words
        n = len(slugs)
        self.max_idf = float(math.log(1.0 + (n + 0.5) / 0.5)) if n else 1.0

    @property
    def slugs(self) -> tuple[str, ...]:
        """Slugs of the indexed entries, in the order given to `build`."""
        return self._slugs

    def __len__(self) -> int:
        return len(self._slugs)

    @classmethod
    def build(cls, entries: Sequence[Entry]) -> KnowledgeIndex:
        """Index `entries` (hidden ones are skipped; a repeated slug keeps its first entry). Pure, no I/O."""
        seen: set[str] = set()
        kept = []
        for entry in entries:
            if not entry.hidden and entry.slug not in seen:
                seen.add(entry.slug)
                kept.append(entry)
        n = len(kept)
        vocab: _Vocabulary = _Vocabulary()
        term_id = vocab.__getitem__
        # BM25F raw material: one row per (term, entry, field).
        # (Entry and field are kept once per (entry, field) with the number of its rows, and repeated at the end.)
        f_term, f_tf, f_rows = array("i"), array("f"), array("i")
        lengths = np.zeros((n, len(FIELDS)), dtype=np.float32)
        # Example questions and titles, and tags (and titles), each as a set of terms.
        # (Item numbers likewise: each item's number of terms, repeated at the end.)
        q_term, q_size, q_entry = array("i"), array("i"), array("i")
        t_term, t_size, t_entry = array("i"), array("i"), array("i")
        word_freq: Counter[str] = Counter()
        zh_words: set[str] = set(BASE_ZH_WORDS)

        def add_items(
            owner: int, analysed: list[list[int]], term: array, size: array, entry_of: array
        ) -> None:
            for ids in analysed:
                if ids:
                    term.extend(ids)
                    size.append(len(ids))
                    entry_of.append(owner)

        # Text that occurs more than once (shared tags, copied answers) is analysed once.
        blocks = [_blocks(e) for e in kept]
        seen_twice = {
            text
            for text, count in Counter(t for b in blocks for f in b.values() for t in f).items()
            if count > 1
        }
        cache: dict[tuple[str, str], _Block] = {}

        def analysed(text: str, field: str) -> _Block:
            if text not in seen_twice:
                return _analyse(text, field)
            block = cache.get((text, field))
            if block is None:
                block = cache[(text, field)] = _analyse(text, field)
            return block

        for doc, entry_blocks in enumerate(blocks):
            per_segment: dict[str, list[list[int]]] = {}
            for f, name in enumerate(FIELDS):
                parts = [analysed(text, name) for text in entry_blocks[name]]
                segments = [seg for part in parts for seg in part.segments]
                counts = Counter(chain.from_iterable(segments))
                emoji = sum(part.emoji for part in parts)
                if emoji:
                    counts[EMOJI_TERM] += emoji
                ids = list(map(term_id, counts))
                if name != "answer":
                    per_segment[name] = [list(dict.fromkeys(map(term_id, seg))) for seg in segments]
                f_term.extend(ids)
                f_rows.append(len(ids))
                f_tf.extend(counts.values())
                lengths[doc, f] = counts.total()
            for text in (*entry_blocks["title"], *entry_blocks["tags"], *entry_blocks["questions"]):
                word_freq.update(english_words(text.lower()))
            if _HAN_RUN.search(entry_blocks["tags"][0]):
                for tag in to_simplified(entry_blocks["tags"][0]).split("\n"):
                    zh_words.update(w for w in _HAN_RUN.findall(tag) if 1 < len(w) <= MAX_WORD)
            add_items(doc, per_segment["title"] + per_segment["questions"], q_term, q_size, q_entry)
            add_items(doc, per_segment["title"] + per_segment["tags"], t_term, t_size, t_entry)

        del blocks
        cache.clear()
        n_terms = len(vocab)
        terms = np.frombuffer(f_term, dtype=np.int32)
        rows = np.frombuffer(f_rows, dtype=np.int32)
        docs = np.repeat(np.arange(n, dtype=np.int32), rows.reshape(n, len(FIELDS)).sum(axis=1))
        field = np.repeat(np.tile(np.arange(len(FIELDS), dtype=np.int8), n), rows)
        del rows, f_rows
        avg = np.maximum(lengths.mean(axis=0), 1.0) if n else np.ones(len(FIELDS), dtype=np.float32)
        # Field weight over BM25 length normalisation, per (entry, field); then per row, times the frequency.
        scale = (FIELD_WEIGHT / (1.0 - FIELD_B + FIELD_B * lengths / avg)).astype(np.float32)
        raw_tf = scale[docs, field]
        raw_tf *= np.frombuffer(f_tf, dtype=np.float32)
        del scale, f_tf
        # Rows come entry by entry; sorting them by term (stable, so entries stay in order) puts the rows of one
        # (term, entry) side by side: summed, they are that entry's BM25F pseudo-frequency of the term.
        order = np.argsort(terms, kind="stable")
        s_terms, s_docs = terms[order], docs[order]
        del terms, docs, f_term
        s_tf, s_key = raw_tf[order], field[order] < 2
        del order, raw_tf, field
        bm25, idf = _bm25(s_terms, s_docs, s_tf, n, n_terms)
        # The same over titles and tags alone, with idf counted there: the app's bare name is in every answer
        # (idf ~ 0) but in the titles and tags of few entries, where it does say what an entry is about.
        keys_postings, key_idf = _bm25(s_terms[s_key], s_docs[s_key], s_tf[s_key], n, n_terms)
        del s_terms, s_docs, s_tf, s_key

        def item_terms(term: array, size: array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            items = np.repeat(np.arange(len(size), dtype=np.int32), np.frombuffer(size, dtype=np.int32))
            t, i = Postings.sort_pairs(np.frombuffer(term, dtype=np.int32), items)
            return t, i, idf[t]

        # Cosine between a question and each example question: postings hold idf^2 / |example|.
        qt, qi, qidf = item_terms(q_term, q_size)
        del q_term, q_size
        question_sq = np.bincount(qi, weights=qidf * qidf, minlength=len(q_entry))
        question_norm = np.maximum(np.sqrt(question_sq), 1e-6).astype(np.float32)
        qidf *= qidf
        qidf /= question_norm[qi]
        questions = Postings.from_sorted(qt, qi, qidf, n_terms)
        del qt, qi, qidf
        # Share of a tag's information a question names: postings hold idf / (sum of the tag's idf).
        tt, ti, tidf = item_terms(t_term, t_size)
        del t_term, t_size
        tag_total = np.maximum(np.bincount(ti, weights=tidf, minlength=len(t_entry)), CONCEPT_MIN_IDF)
        tidf /= tag_total[ti].astype(np.float32)
        tags = Postings.from_sorted(tt, ti, tidf, n_terms)

        words = {w for w in word_freq if len(w) >= MIN_TYPO_WORD and w.isalpha() and word_term(w) is not None}
        deletes: dict[str, list[str]] = {}
        for word in words:
            for variant in {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}:
                deletes.setdefault(variant, []).append(word)

        return cls(
            slugs=tuple(e.slug for e in kept),
            vocab=vocab,
            idf=idf,
            bm25=bm25,
            key_idf=key_idf,
            keys=keys_postings,
            questions=questions,
            question_entry=np.frombuffer(q_entry, dtype=np.int32).copy(),
            tags=tags,
            tag_entry=np.frombuffer(t_entry, dtype=np.int32).copy(),
            typo_deletes={k: tuple(v) for k, v in deletes.items()},
            word_freq={w: word_freq[w] for w in words},
            zh_words=frozenset(zh_words),
        )

    def search(self, query: object, locale: str | None = None) -> Match:
        """The best entry for `query`, or an abstention; see `bot.engine.search.search`."""
        from bot.engine.search import search

        return search(self, query, locale)
