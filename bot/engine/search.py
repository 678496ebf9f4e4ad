"""Answer a question from an index: rank entries, then decide whether the best one is good enough.

Evidence per entry, each in [0, 1] whatever the script, so one threshold serves English and Chinese alike:

* coverage - the entry's BM25F score divided by the query's *self-score* (what an entry matching every term
  of the question perfectly would get, with unknown words counted at the highest idf). Chinese bigrams and
  English words are thereby on one scale, and a question that is mostly about something else scores low;
* nearest - idf-weighted cosine to the closest example question or title: a known way of asking;
* concept - the largest share of one tag (or title) that the question names. An entry's defining concept must
  be named, not merely one word shared with it ("tax" alone is not "cat tax").

The confidence blends them; the engine answers only when the confidence clears a floor *and* leads the
runner-up by a margin, otherwise it abstains and offers the closest entries as "did you mean" alternatives.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz.distance import DamerauLevenshtein

from bot.engine.index import K1, MIN_TYPO_WORD
from bot.engine.language import detect_language, locale_language
from bot.engine.normalize import MAX_MATCH_CHARS, clean
from bot.engine.tokenize import QueryTerm, english_words, query_terms, word_term

if TYPE_CHECKING:
    from bot.engine.index import KnowledgeIndex

_HAN = re.compile(r"[\u3400-\u9fff]")

TYPO_WEIGHT = 0.8
"""A corrected word counts a little less than one typed right."""

MAX_QUERY_TERMS = 120
"""Scoring uses at most this many terms (a 500-character question has fewer)."""


@dataclass(frozen=True, slots=True)
class Match:
    """The engine's answer: the entry to show (None = abstain), its confidence, the reply language, and up to
    three other slugs worth offering as "did you mean"."""

    slug: str | None
    score: float
    lang: str
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    """Per-entry evidence arrays for one query (for search and for inspecting the ranking)."""

    coverage: np.ndarray
    nearest: np.ndarray
    concept: np.ndarray
    key_coverage: np.ndarray
    confidence: np.ndarray
    han_share: float


def _correct_typo(index: KnowledgeIndex, word: str) -> str | None:
    """The known word one edit away from `word` (most frequent wins), if any."""
    candidates: set[str] = set()
    for variant in {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}:
        candidates.update(index.typo_deletes.get(variant, ()))
    best, best_key = None, None
    for cand in candidates:
        if DamerauLevenshtein.distance(word, cand, score_cutoff=1) <= 1:
            key = (index.word_freq.get(cand, 0), cand)
            if best_key is None or key > best_key:
                best, best_key = cand, key
    return best


def _query_vector(
    index: KnowledgeIndex, text: str, emoji: int
) -> tuple[list[int], list[float], list[float], float]:
    """Known term ids with their query weights, the weights of required terms the index does not know, and
    the share of the question's weight that is Chinese."""
    terms = query_terms(text, emoji)
    for word in english_words(text):
        term = word_term(word)
        if term is None or term in index.vocab or len(word) < MIN_TYPO_WORD:
            continue
        fixed = _correct_typo(index, word)
        fixed_term = word_term(fixed) if fixed else None
        if fixed_term and fixed_term in index.vocab and fixed_term not in terms:
            terms.pop(term, None)
            terms[fixed_term] = QueryTerm(TYPO_WEIGHT, True)
    ids, known, unknown = [], [], []
    han = total = 0.0
    for term, qt in list(terms.items())[:MAX_QUERY_TERMS]:
        total += qt.weight
        han += qt.weight if _HAN.match(term) else 0.0
        tid = index.vocab.get(term)
        if tid is not None:
            ids.append(tid)
            known.append(qt.weight)
        elif qt.required:
            unknown.append(qt.weight)
    if not any(terms[t].required for t in terms):
        # Emoji alone, or only joined pairs: nothing the question is about.
        return [], [], [], 0.0
    return ids, known, unknown, han / total if total else 0.0


def _best_per_entry(scores: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    best = np.zeros(n, dtype=np.float64)
    if scores.size:
        np.maximum.at(best, owner, scores)
    return best


def evidence(index: KnowledgeIndex, text: str, emoji: int = 0) -> Evidence | None:
    """Evidence for every entry, for a cleaned question; None when the question has no usable terms."""
    n = len(index)
    ids, known, unknown, han_share = _query_vector(index, text, emoji)
    if not ids or n == 0:
        return None
    idf = index.idf[ids].astype(np.float64)
    qw = np.asarray(known, dtype=np.float64)
    unknown_w = np.asarray(unknown, dtype=np.float64) * index.max_idf
    self_score = (K1 + 1.0) * (float(qw @ idf) + float(unknown_w.sum()))
    docs, w = index.bm25.gather(ids, known)
    coverage = np.bincount(docs, weights=w, minlength=n) / max(self_score, 1e-9)
    key_idf = index.key_idf[ids].astype(np.float64)
    key_self = (K1 + 1.0) * (float(qw @ key_idf) + float(unknown_w.sum()))
    docs, w = index.keys.gather(ids, known)
    key_coverage = np.bincount(docs, weights=w, minlength=n) / max(key_self, 1e-9)

    q_norm = math.sqrt(float((qw * idf) @ (qw * idf)) + float(unknown_w @ unknown_w))
    items, w = index.questions.gather(ids, (qw / max(q_norm, 1e-9)).tolist())
    item_scores = np.bincount(items, weights=w, minlength=index.question_entry.size)
    nearest = _best_per_entry(item_scores, index.question_entry, n)

    items, w = index.tags.gather(ids, np.minimum(qw, 1.0).tolist())
    tag_scores = np.bincount(items, weights=w, minlength=index.tag_entry.size)
    concept = _best_per_entry(tag_scores, index.tag_entry, n)

    confidence = combine(coverage, nearest, concept, key_coverage)
    return Evidence(coverage, nearest, concept, key_coverage, confidence, han_share)


def combine(coverage: np.ndarray, nearest: np.ndarray, concept: np.ndarray, key: np.ndarray) -> np.ndarray:
    """One confidence in [0, 1]: mostly coverage, helped by a known phrasing and by naming a key term; an
    entry whose defining concept (a whole tag or title) goes unnamed keeps 70% of it."""
    return (0.6 * coverage + 0.2 * nearest + 0.2 * key) * (0.7 + 0.3 * np.minimum(concept, 1.0))


ANSWER_FLOOR_EN = 0.21
ANSWER_FLOOR_ZH = 0.14
"""Confidence below which the engine abstains, for an all-English and an all-Chinese question (a mixed one
gets the blend by its share of Chinese terms). Off-topic Chinese questions leave more of their bigrams
unmatched than English ones leave words, so Chinese confidences of a wrong entry run lower."""

MARGIN = 0.02
"""The best entry must lead the runner-up by this much, or the engine abstains (two entries tie)."""

ALTERNATIVE_FLOOR = 0.1
"""Entries below this confidence are not worth offering as alternatives."""


def search(index: KnowledgeIndex, query: object, locale: str | None = None) -> Match:
    """Rank the index's entries for `query` and answer or abstain. Any input; never raises."""
    try:
        lang = detect_language(query, locale)
    except Exception:
        lang = locale_language(locale) or "en"
    try:
        cleaned = clean(query)
        ev = evidence(index, cleaned.text[:MAX_MATCH_CHARS], cleaned.emoji)
    except Exception:  # a question must never crash the bot
        ev = None
    if ev is None:
        return Match(None, 0.0, lang, ())
    conf = ev.confidence
    order = np.argsort(-conf, kind="stable")[:4]
    best = int(order[0])
    top = float(conf[best])
    runner_up = float(conf[order[1]]) if order.size > 1 else 0.0
    floor = ANSWER_FLOOR_EN * (1.0 - ev.han_share) + ANSWER_FLOOR_ZH * ev.han_share
    answer = top >= floor and top - runner_up >= MARGIN
    others = [int(i) for i in order if conf[i] >= ALTERNATIVE_FLOOR]
    if answer:
        others = others[1:]
    alternatives = tuple(index.slugs[i] for i in others[:3])
    return Match(index.slugs[best] if answer else None, round(top, 4), lang, alternatives)
