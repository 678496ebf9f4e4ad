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
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz.distance import DamerauLevenshtein

from bot.engine.common_words import is_common_english
from bot.engine.index import K1, MIN_TYPO_WORD, deletions
from bot.engine.language import language_of_cleaned, locale_language
from bot.engine.normalize import MAX_MATCH_CHARS, Cleaned, clean, fold_chinese, simplified_variant
from bot.engine.tokenize import (
    HAN,
    HOME_APP_TERM,
    OTHER_APP_TERMS,
    QueryTerm,
    english_words,
    query_terms,
    word_term,
)

if TYPE_CHECKING:
    from bot.engine.index import KnowledgeIndex


TYPO_WEIGHT = 0.8
"""A corrected word counts a little less than one typed right."""

MAX_QUERY_TERMS = 120
"""Scoring uses at most this many terms (a 500-character question has fewer)."""


@dataclass(frozen=True, slots=True)
class Match:
    """The engine's answer: the entry to show (None = abstain), its confidence (the probability that the best
    entry is the answer; 0 for a question about another app), the reply language, and up to three other
    slugs worth offering as "did you mean"."""

    slug: str | None
    score: float
    lang: str
    alternatives: tuple[str, ...] = ()


FEATURES = ("coverage", "key", "nearest", "concept", "coverage*concept", "nearest*concept", "key*concept")
"""Per-entry evidence the ranking weighs (see `features`)."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """Per-entry evidence for one query (rows: entries, columns: FEATURES), and facts about the query."""

    features: np.ndarray
    known_share: float
    """Share of the question's words (and Chinese n-grams) that the knowledge base knows at all, each counted
    alike: weighted by idf, one ordinary word the knowledge base happens to lack ("section") outweighed all
    the common words it knows ("comment", "rules")."""
    han_share: float
    """Share of the question's term weight that is Chinese."""
    elsewhere: np.ndarray
    """Per entry: whether the question is about another app or site (Twitch, Instagram, 微信 ...), does not
    name RedNote, and the entry names none of those apps."""


def _correct_typo(index: KnowledgeIndex, word: str) -> str | None:
    """The known word one edit away from `word` (most frequent wins), if any."""
    candidates: set[str] = set()
    for variant in deletions(word):
        candidates.update(index.typo_deletes.get(variant, ()))
    best, best_key = None, None
    for cand in candidates:
        if DamerauLevenshtein.distance(word, cand, score_cutoff=1) <= 1:
            key = (index.word_freq.get(cand, 0), cand)
            if best_key is None or key > best_key:
                best, best_key = cand, key
    return best


def _query_vector(
    index: KnowledgeIndex, text: str, emoji: int, variant: str | None = None
) -> tuple[list[int], list[float], list[float], float, float, list[str]]:
    """Known term ids with their query weights, the weights of required terms the index does not know, the
    share of the question's weight that is Chinese, the share of its required terms the index knows, and the
    other apps it names (none when it also names RedNote).
    `variant`: the question's Chinese converted character by character (see `simplified_variant`); its terms
    are offered too, and where the two differ neither counts fully against a match."""
    terms = query_terms(text, emoji, index.zh_words)
    if variant:
        other = query_terms(variant, emoji, index.zh_words)
        for term, qt in terms.items():
            if term not in other:
                terms[term] = QueryTerm(qt.weight, qt.miss * 0.5)
        for term, qt in other.items():
            if term not in terms:
                terms[term] = QueryTerm(qt.weight, 0.0)
    for word in english_words(text):
        term = word_term(word)
        if term is None or term in index.vocab or term in OTHER_APP_TERMS or len(word) < MIN_TYPO_WORD:
            continue  # an app's name is not a typo ("twitch" is not "switch")
        fixed = _correct_typo(index, word)
        if fixed and is_common_english(word):
            continue  # a word in its own right ("contract" is not "contact")
        fixed_term = word_term(fixed) if fixed else None
        if fixed_term and fixed_term in index.vocab and fixed_term not in terms:
            terms.pop(term, None)
            terms[fixed_term] = QueryTerm(TYPO_WEIGHT, 1.0)
    ids, known, unknown = [], [], []
    han = total = 0.0
    required = known_required = 0.0
    for term, qt in list(terms.items())[:MAX_QUERY_TERMS]:
        total += qt.weight
        han += qt.weight if HAN.match(term) else 0.0
        tid = index.vocab.get(term)
        required += qt.miss
        if tid is not None:
            known_required += qt.miss
            ids.append(tid)
            known.append(qt.weight)
        elif qt.miss:
            unknown.append(qt.miss)
    if not any(t.miss for t in terms.values()):
        # Emoji alone, or only joined pairs: nothing the question is about.
        return [], [], [], 0.0, 0.0, []
    apps = [] if HOME_APP_TERM in terms else [term for term in terms if term in OTHER_APP_TERMS]
    return ids, known, unknown, han / total if total else 0.0, known_required / max(required, 1e-9), apps


def _elsewhere(index: KnowledgeIndex, apps: list[str]) -> np.ndarray:
    """Per entry: whether `apps` (the other apps a question is about) is not empty and the entry names none of
    them."""
    out = np.full(len(index), bool(apps))
    for app in apps:
        tid = index.vocab.get(app)
        if tid is not None:
            docs, _ = index.bm25.gather([tid], [1.0])
            out[docs] = False
    return out


def _best_per_entry(items: np.ndarray, weights: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """The best item score of each entry, from (item, weight) pairs. Items are numbered entry by entry, so
    sorted items have sorted owners and one `reduceat` finds each best. A small index sums over all its items
    at once; a large one only over the items touched."""
    best = np.zeros(n, dtype=np.float64)
    if not items.size:
        return best
    if owner.size <= _DENSE_ITEMS or items.size * _DENSE_SHARE >= owner.size:
        every = np.bincount(items, weights=weights, minlength=owner.size)
        touched = np.flatnonzero(every)
        scores = every[touched]
    else:
        touched, inverse = np.unique(items, return_inverse=True)
        scores = np.bincount(inverse, weights=weights)
    if touched.size:
        owners = owner[touched]
        starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
        best[owners[starts]] = np.maximum.reduceat(scores, starts)
    return best


_DENSE_ITEMS = 20_000
_DENSE_SHARE = 16
"""`_best_per_entry` sums over every item when there are at most _DENSE_ITEMS, or when the question touches
at least one item in _DENSE_SHARE (common words): one pass over all items is then cheaper than sorting the
ones touched."""


def evidence(index: KnowledgeIndex, text: str, emoji: int = 0, variant: str | None = None) -> Evidence | None:
    """Evidence for every entry, for a cleaned question; None when the question has no usable terms."""
    n = len(index)
    ids, known, unknown, han_share, known_share, apps = _query_vector(index, text, emoji, variant)
    if not ids or n == 0:
        return None
    idf = index.idf[ids].astype(np.float64)
    qw = np.asarray(known, dtype=np.float64)
    unknown_w = np.asarray(unknown, dtype=np.float64) * index.max_idf
    self_score = (K1 + 1.0) * (float(qw @ idf) + float(unknown_w.sum()))
    docs, w = index.bm25.gather(ids, known)
    coverage = np.bincount(docs, weights=w, minlength=n) / max(self_score, 1e-9)
    key_idf = index.key_idf[ids].astype(np.float64)
    in_keys = key_idf < index.max_idf - 1e-6  # terms some title or tag holds
    key_self = (K1 + 1.0) * float(qw[in_keys] @ key_idf[in_keys])
    docs, w = index.keys.gather(ids, known)
    key_coverage = np.bincount(docs, weights=w, minlength=n) / max(key_self, 1e-9)

    q_norm = math.sqrt(float((qw * idf) @ (qw * idf)) + float(unknown_w @ unknown_w))
    items, w = index.questions.gather(ids, (qw / max(q_norm, 1e-9)).tolist())
    nearest = _best_per_entry(items, w, index.question_entry, n)

    items, w = index.tags.gather(ids, np.minimum(qw, 1.0).tolist())
    concept = np.minimum(_best_per_entry(items, w, index.tag_entry, n), 1.0)

    features = np.stack(
        [
            coverage,
            key_coverage,
            nearest,
            concept,
            coverage * concept,
            nearest * concept,
            key_coverage * concept,
        ],
        axis=1,
    )
    return Evidence(features, known_share, han_share, _elsewhere(index, apps))


RANK_WEIGHTS = np.array([0.5489, 0.1264, 0.0844, 0.172, 0.0684, 0.0, 0.0])
"""Weights of FEATURES in an entry's ranking score (fitted by `benchmarks.engine_fit` on the knowledge base's
own example questions, each held out in turn)."""


DECISION_INPUTS = ("bias", "best score", "lead", "Chinese share", "known share", "nearest question")


def decision_inputs(ev: Evidence, scores: np.ndarray, order: np.ndarray) -> np.ndarray:
    """What the answer-or-abstain decision looks at (DECISION_INPUTS): the best score; its lead over the
    runner-up (as a share of the best score: a question that only shares a word common to several entries
    has little); how Chinese the question is (an off-topic Chinese question leaves more bigrams unmatched
    than an English one leaves words); the share of the question's words the knowledge base knows at all
    (an off-topic question is mostly about things it never mentions); and how close the question is to
    one of the best entry's own example questions.

    The known share only helps when fitted on questions worded like real ones: the knowledge base's own
    example questions reuse its words, so a decision fitted on them alone leans on it too much
    (`benchmarks.engine_fit` fits on hand-written real-style questions).
    """
    best = int(order[0])
    top = float(scores[best])
    runner_up = float(scores[order[1]]) if order.size > 1 else 0.0
    nearest = float(ev.features[best, FEATURES.index("nearest")])
    return np.array([1.0, top, (top - runner_up) / max(top, 1e-9), ev.han_share, ev.known_share, nearest])


DECISION_WEIGHTS = np.array([-9.32, 7.484, 0.0, 0.569, 6.709, 1.547])
"""Logistic weights of `decision_inputs`: the probability that the best entry is the answer (fitted by
`benchmarks.engine_fit`: hand-written real-style questions ranked right against off-topic questions)."""

ANSWER_FLOOR = 0.117
"""Answer when that probability reaches this, else abstain: the cross-validated 90th percentile of the
everyday off-topic questions' probabilities (fitted by `benchmarks.engine_fit`, not chosen on the dev set)."""


ALTERNATIVE_SHARE = 0.5
"""Entries scoring at least this share of the best score are worth offering as alternatives."""

ALTERNATIVE_MIN_CONFIDENCE = 0.02
"""An abstention offers alternatives only when the best entry's probability reaches this: below it the
question is plainly about something else ("what is the weather in paris today" offered the entry on app
settings). Chosen on the fitting data: every abstaining real-style question whose entry was among the
alternatives had at least 0.026, while 50 of the 74 everyday off-topic questions that showed alternatives
had less."""


def about_other_app(ev: Evidence, best: int) -> bool:
    """Whether the question is about another app or site that the best entry never names ("got banned on
    Instagram" is not about RedNote's bans): it is not answered, however well it matches. A question that
    also names RedNote is about RedNote."""
    return bool(ev.elsewhere[best])


def confidence(inputs: np.ndarray) -> float:
    z = float(inputs @ DECISION_WEIGHTS)
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def top_entries(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the `k` best scores, best first; ties go to the earlier entry (as a stable sort would).
    A partial selection, so a large index is not sorted in full for every question."""
    if scores.size > 4 * k:
        kth = np.partition(scores, scores.size - k)[scores.size - k]
        candidates = np.flatnonzero(scores >= kth)  # ties at the k-th score included, in entry order
    else:
        candidates = np.arange(scores.size)
    return candidates[np.argsort(-scores[candidates], kind="stable")][:k]


def question_text(raw: Cleaned) -> tuple[str, int, str | None]:
    """A question cleaned with `clean(..., simplify=False)` -> (matching text, emoji, character-by-character
    Simplified variant or None), as `evidence` takes them."""
    text = raw.text[:MAX_MATCH_CHARS]
    folded = fold_chinese(text)
    return folded, raw.emoji, simplified_variant(text, folded)


def search(index: KnowledgeIndex, query: object, locale: str | None = None) -> Match:
    """Rank the index's entries for `query` and answer or abstain. Any input; never raises."""
    lang = locale_language(locale) or "en"
    try:
        raw = clean(query, simplify=False)
        lang = language_of_cleaned(raw.text, locale)
        ev = evidence(index, *question_text(raw))
    except Exception:  # a question must never crash the bot
        ev = None
    if ev is None:
        return Match(None, 0.0, lang, ())
    scores = ev.features @ RANK_WEIGHTS
    order = top_entries(scores, 4)
    best = int(order[0])
    if scores[best] <= 0.0:
        return Match(None, 0.0, lang, ())
    p = confidence(decision_inputs(ev, scores, order))
    elsewhere = about_other_app(ev, best)
    answer = p >= ANSWER_FLOOR and not elsewhere
    others = [int(i) for i in order if scores[i] > 0.0 and scores[i] >= ALTERNATIVE_SHARE * scores[best]]
    if answer:
        others = others[1:]
    elif p < ALTERNATIVE_MIN_CONFIDENCE:
        others = []
    alternatives = tuple(index.slugs[i] for i in others[:3])
    # About another app: no confidence in the best entry, though it may still be worth offering.
    score = 0.0 if elsewhere else round(p, 4)
    return Match(index.slugs[best] if answer else None, score, lang, alternatives)
