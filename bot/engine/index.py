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
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bot.engine.normalize import clean
from bot.engine.tokenize import EMOJI_TERM, document_terms, english_words, warm_up, word_term
from bot.knowledge.entry import Entry

if TYPE_CHECKING:
    from bot.engine.search import Match

# BM25F field weights and length normalisation. Titles and tags name the topic; example questions are how
# people ask; answers are long and say much besides the point, so they weigh least.
FIELDS: tuple[str, ...] = ("title", "tags", "questions", "answer")
FIELD_WEIGHT = np.array([3.0, 3.0, 2.0, 1.0], dtype=np.float32)
FIELD_B = np.array([0.3, 0.3, 0.5, 0.75], dtype=np.float32)
K1 = 1.2

MIN_TYPO_WORD = 4
"""Shorter words are too ambiguous to correct."""


@dataclass(frozen=True, slots=True)
class Postings:
    """Compressed sparse rows: the items and weights of term t are at ptr[t]:ptr[t + 1]."""

    ptr: np.ndarray
    item: np.ndarray
    weight: np.ndarray

    @staticmethod
    def from_pairs(terms: np.ndarray, items: np.ndarray, weights: np.ndarray, n_terms: int) -> Postings:
        order = np.lexsort((items, terms))
        ptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(np.bincount(terms, minlength=n_terms), out=ptr[1:])
        return Postings(ptr, items[order].astype(np.int32), weights[order].astype(np.float32))

    def gather(self, terms: Sequence[int], query_weights: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
        """All (item, query weight * posting weight) pairs of the given terms."""
        if not terms:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        ptr = self.ptr
        items = [self.item[ptr[t] : ptr[t + 1]] for t in terms]
        weights = [self.weight[ptr[t] : ptr[t + 1]] * w for t, w in zip(terms, query_weights, strict=True)]
        return np.concatenate(items), np.concatenate(weights)


def _entry_segments(entry: Entry) -> dict[str, tuple[list[str], int]]:
    """Cleaned text of each field as segments (so phrases never span two), and the emoji it held."""
    fields: dict[str, tuple[list[str], int]] = {}
    parts = {
        "title": [entry.title.get("en", ""), entry.title.get("zh", "")],
        "tags": list(entry.tags),
        "questions": [*entry.questions.get("en", ()), *entry.questions.get("zh", ())],
        "answer": [entry.answer.get("en", ""), entry.answer.get("zh", "")],
    }
    for name, texts in parts.items():
        segments, emoji = [], 0
        for text in texts:
            cleaned = clean(text, limit=None)
            segments.append(cleaned.text)
            emoji += cleaned.emoji
        fields[name] = (segments, emoji)
    return fields


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
        warm_up()
        seen: set[str] = set()
        kept = []
        for entry in entries:
            if not entry.hidden and entry.slug not in seen:
                seen.add(entry.slug)
                kept.append(entry)
        n = len(kept)
        vocab: dict[str, int] = {}
        term_of = vocab.setdefault
        # BM25F raw material: one row per (term, entry, field).
        f_term, f_doc, f_field, f_tf = array("i"), array("i"), array("b"), array("f")
        lengths = np.zeros((n, len(FIELDS)), dtype=np.float32)
        # Example questions and titles, and tags (and titles), each as a set of terms.
        q_term, q_item, q_entry = array("i"), array("i"), array("i")
        t_term, t_item, t_entry = array("i"), array("i"), array("i")
        word_freq: Counter[str] = Counter()

        def add_items(
            owner: int, analysed: list[Counter[str]], term: array, item: array, entry_of: array
        ) -> None:
            for counts in analysed:
                ids = {term_of(t, len(vocab)) for t in counts}
                if ids:
                    term.extend(ids)
                    item.extend([len(entry_of)] * len(ids))
                    entry_of.append(owner)

        for doc, entry in enumerate(kept):
            fields = _entry_segments(entry)
            # Each title, tag and example question is analysed once and used three ways.
            per_segment = {
                name: [document_terms([seg]) for seg in fields[name][0]]
                for name in ("title", "tags", "questions")
            }
            for f, name in enumerate(FIELDS):
                segments, emoji = fields[name]
                if name == "answer":
                    counts = document_terms(segments, emoji, phrases=False)
                else:
                    counts = sum(per_segment[name], Counter())
                    if emoji:
                        counts[EMOJI_TERM] += emoji
                    for segment in segments:
                        word_freq.update(english_words(segment))
                ids = [term_of(t, len(vocab)) for t in counts]
                f_term.extend(ids)
                f_doc.extend([doc] * len(ids))
                f_field.extend([f] * len(ids))
                f_tf.extend(counts.values())
                lengths[doc, f] = sum(counts.values())
            add_items(doc, per_segment["title"] + per_segment["questions"], q_term, q_item, q_entry)
            add_items(doc, per_segment["title"] + per_segment["tags"], t_term, t_item, t_entry)

        n_terms = len(vocab)
        terms = np.frombuffer(f_term, dtype=np.int32).astype(np.int64)
        docs = np.frombuffer(f_doc, dtype=np.int32).astype(np.int64)
        field = np.frombuffer(f_field, dtype=np.int8).astype(np.int64)
        tf = np.frombuffer(f_tf, dtype=np.float32)
        avg = np.maximum(lengths.mean(axis=0), 1.0) if n else np.ones(len(FIELDS), dtype=np.float32)
        norm = 1.0 - FIELD_B[field] + FIELD_B[field] * lengths[docs, field] / avg[field]
        pseudo_tf = pseudo_tf_raw = FIELD_WEIGHT[field] * tf / norm
        keys, inverse = np.unique(terms * max(n, 1) + docs, return_inverse=True)
        pseudo_tf = np.bincount(inverse, weights=pseudo_tf)
        key_terms, key_docs = keys // max(n, 1), keys % max(n, 1)
        df = np.bincount(key_terms, minlength=n_terms)
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        weight = idf[key_terms] * pseudo_tf * (K1 + 1.0) / (pseudo_tf + K1)
        bm25 = Postings.from_pairs(key_terms, key_docs, weight, n_terms)

        # The same over titles and tags alone, with idf counted there: the app's bare name is in every answer
        # (idf ~ 0) but in the titles and tags of few entries, where it does say what an entry is about.
        in_key = field < 2
        k_keys, k_inverse = np.unique(terms[in_key] * max(n, 1) + docs[in_key], return_inverse=True)
        k_tf = np.bincount(k_inverse, weights=pseudo_tf_raw[in_key])
        k_terms, k_docs = k_keys // max(n, 1), k_keys % max(n, 1)
        key_df = np.bincount(k_terms, minlength=n_terms)
        key_idf = np.log(1.0 + (n - key_df + 0.5) / (key_df + 0.5)).astype(np.float32)
        key_weight = key_idf[k_terms] * k_tf * (K1 + 1.0) / (k_tf + K1)
        keys_postings = Postings.from_pairs(k_terms, k_docs, key_weight, n_terms)

        def item_terms(term: array, item: array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            t = np.frombuffer(term, dtype=np.int32).astype(np.int64)
            i = np.frombuffer(item, dtype=np.int32).astype(np.int64)
            return t, i, idf[t].astype(np.float64)

        # Cosine between a question and each example question: postings hold idf^2 / |example|.
        qt, qi, qidf = item_terms(q_term, q_item)
        question_sq = np.bincount(qi, weights=qidf * qidf, minlength=len(q_entry))
        question_norm = np.maximum(np.sqrt(question_sq), 1e-6)
        questions = Postings.from_pairs(qt, qi, qidf * qidf / question_norm[qi], n_terms)
        # Share of a tag's information a question names: postings hold idf / (sum of the tag's idf).
        tt, ti, tidf = item_terms(t_term, t_item)
        tag_total = np.maximum(np.bincount(ti, weights=tidf, minlength=len(t_entry)), 1e-6)
        tags = Postings.from_pairs(tt, ti, tidf / tag_total[ti], n_terms)

        words = {w for w, c in word_freq.items() if len(w) >= MIN_TYPO_WORD and word_term(w) is not None}
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
        )

    def search(self, query: object, locale: str | None = None) -> Match:
        """The best entry for `query`, or an abstention; see `bot.engine.search.search`."""
        from bot.engine.search import search

        return search(self, query, locale)
