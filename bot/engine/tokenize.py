"""Turn cleaned text into weighted matching terms, the same way for curated entries and for questions.

English: words, casual abbreviations expanded (ppl, pics, algo), stop words dropped, Snowball-stemmed, then
folded into bilingual concept groups (pics / photos / 照片 -> one term). Adjacent content words also give a
joined term ("cat tax" -> "cattax", "mao shui" -> "maoshui"), which both rewards the phrase over its parts and
lets pinyin typed with or without spaces meet.

Chinese (already folded to Simplified): character bigrams of every run of Han characters (a lone character
stands for itself), plus the concept term of any concept word found in the run. In a *question*, bigrams that
touch a grammar word (的, 吗, 怎么 ...) weigh little, so "在哪" does not outweigh "草稿".
"""

from __future__ import annotations

import itertools
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import jieba
import snowballstemmer

from bot.engine.lexicon import ABBREVIATIONS, CONCEPTS, EN_STOPWORDS, ZH_STOPWORDS

EMOJI_TERM = "emoji"
"""Emitted for emoji in a text, so "what does 🙂 mean" can reach the entry about emoji."""

GRAMMAR_BIGRAM_WEIGHT = 0.25
"""Weight of a question bigram that touches a Chinese grammar word."""

PAIR_QUERY_WEIGHT = 0.5
"""A joined pair ("cattax") adds to its words' evidence rather than standing for a topic on its own."""

EMOJI_QUERY_WEIGHT = 0.5
"""An emoji in a question is weak evidence: it is often decoration, not the point."""

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_SENTENCE = re.compile(r"[a-z]{2,}")

# Multi-word expressions that mean one thing. Applied to cleaned text before words are split.
_PHRASES: dict[str, str] = {
    "sign up": "register",
    "signing up": "register",
    "signed up": "register",
    "log in": "login",
    "logging in": "login",
    "sign in": "login",
    "red note": "rednote",
    "little red book": "rednote",
    "xiao hong shu": "rednote",
    "tik tok": "tiktok",
    "live stream": "live",
    "live streaming": "live",
    "go live": "live",
    "going live": "live",
    "direct message": "message",
    "direct messages": "message",
    "private message": "message",
    "shadow ban": "shadowban",
    "shadow banned": "shadowban",
    "face scan": "facescan",
    "coming out": "comingout",
    "came out": "comingout",
    "hong kong": "hongkong",
    "id card": "idcard",
}
_PHRASE_RE = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(_PHRASES, key=len, reverse=True))) + r")\b")

_STEMMER = snowballstemmer.stemmer("english")
jieba.setLogLevel(logging.WARNING)


def warm_up() -> None:
    """Load jieba's dictionary now (half a second, once per process) rather than on the first question."""
    jieba.initialize()


def _stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def _build_concepts() -> tuple[dict[str, str], dict[str, str], re.Pattern[str]]:
    by_stem: dict[str, str] = {}
    by_zh: dict[str, str] = {}
    for group in CONCEPTS:
        head = _stem(ABBREVIATIONS.get(group[0], group[0]))
        for member in group:
            if _HAN.search(member):
                by_zh[member] = head
            else:
                by_stem[_stem(ABBREVIATIONS.get(member, member))] = head
    pattern = re.compile("|".join(re.escape(w) for w in sorted(by_zh, key=len, reverse=True)))
    return by_stem, by_zh, pattern


_CONCEPT_OF_STEM, _CONCEPT_OF_ZH, _ZH_CONCEPT_RE = _build_concepts()
_ZH_STOP_SET = frozenset(ZH_STOPWORDS)

_word_cache: dict[str, str | None] = {}


def word_term(word: str) -> str | None:
    """One lower-case word -> its matching term, or None for a stop word."""
    term = _word_cache.get(word, "")
    if term != "":
        return term
    base = word.replace("'", "")
    base = ABBREVIATIONS.get(base, base)
    if word in EN_STOPWORDS or base in EN_STOPWORDS or (len(base) < 2 and not base.isdigit()):
        term = None
    else:
        stem = _stem(base)
        term = _CONCEPT_OF_STEM.get(stem, stem)
    if len(_word_cache) < 200_000:
        _word_cache[word] = term
    return term


def _joined(first: str, second: str) -> str:
    """The term for two adjacent words written as one: "mao shui" -> "maoshui", "cat taxes" -> "cattax".

    Only the second word is stemmed (stemming every pair would cost more than the rest of indexing); a question
    that writes the pair as one word also offers that word unstemmed, so the two meet.
    """
    return first + (word_term(second) or second)


def _expand_phrases(text: str) -> str:
    return _PHRASE_RE.sub(lambda m: _PHRASES[m.group()], text)


def english_terms(text: str, *, phrases: bool) -> list[str]:
    """Matching terms of the Latin-script words in `text` (a cleaned text)."""
    words = _WORD.findall(_expand_phrases(text))
    terms = [t for t in map(word_term, words) if t]
    if phrases and len(words) > 1:
        for first, second in itertools.pairwise(words):
            if word_term(first) and word_term(second):
                terms.append(_joined(ABBREVIATIONS.get(first, first), ABBREVIATIONS.get(second, second)))
    return terms


def chinese_terms(text: str) -> list[str]:
    """Bigrams of each Han run (a lone character stands for itself) and concept terms found in them."""
    terms: list[str] = []
    for run in _HAN_RUN.findall(text):
        if len(run) == 1:
            if run not in ZH_STOPWORDS:
                terms.append(run)
        else:
            terms.extend(map(str.__add__, run, run[1:]))
    terms.extend(_CONCEPT_OF_ZH[w] for w in _ZH_CONCEPT_RE.findall(text))
    return terms


def document_terms(segments: Iterable[str], emoji: int = 0, *, phrases: bool = True) -> Counter[str]:
    """Term frequencies of curated text, given as cleaned segments (phrases never span two segments)."""
    counts: Counter[str] = Counter()
    for segment in segments:
        counts.update(english_terms(segment, phrases=phrases))
        counts.update(chinese_terms(segment))
    if emoji:
        counts[EMOJI_TERM] += emoji
    return counts


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """A question's term: its weight, and whether its absence from the knowledge base counts against a match.

    Words and in-word bigrams are *required*: a question about something the knowledge base never mentions
    is less likely to be about any entry. Joined pairs and bigrams that straddle two words are *optional*:
    they add evidence when an entry has them, and are ignored when none does (most are accidents of writing).
    """

    weight: float
    required: bool


def _put(terms: dict[str, QueryTerm], term: str, weight: float, required: bool) -> None:
    old = terms.get(term)
    if old is None or weight > old.weight or (required and not old.required and weight >= old.weight):
        was_required = bool(old and old.required)
        terms[term] = QueryTerm(max(weight, old.weight if old else 0.0), required or was_required)


def query_terms(text: str, emoji: int = 0) -> dict[str, QueryTerm]:
    """Terms of a cleaned question. A repeated term counts once: repetition is not more meaning."""
    terms: dict[str, QueryTerm] = {}
    words = [t for t in map(word_term, _WORD.findall(_expand_phrases(text))) if t]
    for term in words:
        _put(terms, term, 1.0, True)
    for word in _WORD.findall(text):
        if len(word) >= 5 and word_term(word):
            _put(terms, word, PAIR_QUERY_WEIGHT, False)
    for term in english_terms(text, phrases=True)[len(words) :]:
        _put(terms, term, PAIR_QUERY_WEIGHT, False)
    for run in _HAN_RUN.findall(text):
        if len(run) == 1:
            if run not in ZH_STOPWORDS:
                _put(terms, run, 1.0, True)
            continue
        # Which word each character belongs to, and whether that word is a grammar word.
        grammar = bytearray(len(run))
        word_id = bytearray(len(run))
        pos = 0
        for n, word in enumerate(_segment(run)):
            word_id[pos : pos + len(word)] = bytes([n % 251]) * len(word)
            if word in _ZH_STOP_SET:
                grammar[pos : pos + len(word)] = b"\x01" * len(word)
            pos += len(word)
        for i in range(len(run) - 1):
            bigram = run[i : i + 2]
            if grammar[i] or grammar[i + 1]:
                _put(terms, bigram, GRAMMAR_BIGRAM_WEIGHT, False)
            else:
                _put(terms, bigram, 1.0, word_id[i] == word_id[i + 1])
    for word in _ZH_CONCEPT_RE.findall(text):
        _put(terms, _CONCEPT_OF_ZH[word], 1.0, True)
    if emoji:
        if not any(t.required for t in terms.values()) and (_SENTENCE.search(text) or _HAN.search(text)):
            # "what does 🙂 mean": the emoji is what the sentence is about.
            _put(terms, EMOJI_TERM, 1.0, True)
        else:
            _put(terms, EMOJI_TERM, EMOJI_QUERY_WEIGHT, False)
    return terms


def _segment(run: str) -> list[str]:
    """Words of a Han run (jieba's dictionary, no guessing of new words)."""
    try:
        return jieba.lcut(run, HMM=False)
    except Exception:  # fall back to one word per character
        return list(run)


def english_words(text: str) -> list[str]:
    """The Latin-script words of a cleaned text, for typo correction."""
    return _WORD.findall(text)
