"""Turn cleaned text into weighted matching terms, the same way for curated entries and for questions.

English: words, casual abbreviations expanded (ppl, pics, algo), stop words dropped, Snowball-stemmed, then
folded into bilingual concept groups (pics / photos / 照片 -> one term). Adjacent content words also give a
joined term ("cat tax" -> "cattax", "mao shui" -> "maoshui"), which both rewards the phrase over its parts and
lets pinyin typed with or without spaces meet (a question also offers each long word unstemmed). Long words also give a prefix term ("~strea" for stream,
streamer, streaming) so that forms the stemmer keeps apart still meet, weakly.

Chinese (already folded to one Simplified form): character bigrams of every run of Han characters (a lone
character stands for itself), plus the concept term of any concept word found in the run. In a *question*,
bigrams that touch a grammar word (的, 吗, 怎么 ...) weigh little, so "在哪" does not outweigh "草稿". Words are
found by longest match against a small dictionary (grammar words, concept words and the knowledge base's own
Chinese tags) instead of a full segmenter, so nothing large is loaded at start-up.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection
from dataclasses import dataclass

import snowballstemmer

from bot.engine.lexicon import ABBREVIATIONS, CONCEPTS, EN_STOPWORDS, OTHER_APPS, OWN_MEANING, ZH_STOPWORDS
from bot.engine.normalize import HAN, HAN_CLASS

EMOJI_TERM = "emoji"
"""Emitted for emoji in a text, so "what does 🙂 mean" can reach the entry about emoji."""

GRAMMAR_BIGRAM_WEIGHT = 0.25
"""Weight of a question bigram that touches a Chinese grammar word."""

PAIR_QUERY_WEIGHT = 0.5
"""A joined pair ("cattax") adds to its words' evidence rather than standing for a topic on its own."""

PREFIX_QUERY_WEIGHT = 0.3
"""A prefix term ("~strea") is weak evidence: it also joins words that only look alike."""

PREFIX_LEN = 5
"""Words longer than this also give their first PREFIX_LEN letters as a term."""

UNSEGMENTED_MISS = 0.5
"""How much an unknown bigram between two characters of no known word counts against a match: about half
of such bigrams straddle two words rather than being one."""

EMOJI_QUERY_WEIGHT = 0.5
"""An emoji in a question is weak evidence: it is often decoration, not the point."""

MAX_WORD = 6
"""Longest Chinese dictionary word looked for."""

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
"""A word of cleaned Latin-script text (an apostrophe may join a suffix: "don't")."""
HAN_RUN = re.compile(f"[{HAN_CLASS}]+")
_SENTENCE = re.compile(r"[a-z]{2,}")
_HAS_LATIN = re.compile(r"[a-z0-9]")

# Multi-word expressions that mean one thing. Applied to cleaned text before words are split.
PHRASES: dict[str, str] = {
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
    "take down": "takedown",
    "taken down": "takedown",
    "took down": "takedown",
    "taking down": "takedown",
    "for you page": "fyp",
    "blow up": "viral",
    "blew up": "viral",
    "blowing up": "viral",
    "go viral": "viral",
    "went viral": "viral",
    "terms of service": "tos",
    "terms of use": "tos",
    "make an account": "register",
    "made an account": "register",
    "making an account": "register",
    "make an acct": "register",
    "make my account": "register",
    "create an account": "register",
    "create account": "register",
    "signed in": "login",
    "signing in": "login",
    "app store": "download",
    "play store": "download",
    "text message": "sms",
    "text messages": "sms",
    "takes down": "takedown",
    "no one sees": "views",
    "nobody sees": "views",
    "nobody is seeing": "views",
    "not showing up": "missing",
    "never shows up": "missing",
    "cross post": "repost",
    "buy followers": "engagement",
    "bought followers": "engagement",
    "bought likes": "engagement",
    "follow back": "mutual",
    "follow me back": "mutual",
    "followed me back": "mutual",
    "follow for follow": "mutual",
    "stop following": "unfollow",
    "stopped following": "unfollow",
    "flame war": "fight",
    "flame wars": "fight",
    "video call": "call",
    "video calls": "call",
    "voice call": "call",
    "voice calls": "call",
    "profile pic": "avatar",
    "profile pics": "avatar",
    "profile pictures": "avatar",
    "profile photos": "avatar",
    "profile picture": "avatar",
    "profile photo": "avatar",
    "called out": "criticism",
    "make fun of": "mocking",
    "making fun of": "mocking",
    "look down on": "condescending",
    "talk down to": "condescending",
    "fur baby": "pet",
    "lift the ban": "unban",
    "ban lifted": "unban",
    "customer service": "support",
    "customer support": "support",
    "code of conduct": "rules",
    "terms and conditions": "tos",
    "off limits": "taboo",
    "red lines": "taboo",
    "red line": "taboo",
    "tank man": "tiananmen",
    "same sex": "gay",
    "scan my face": "facescan",
    "face recognition": "facescan",
    "brand deal": "sponsorship",
    "brand deals": "sponsorship",
    "paid partnership": "sponsorship",
}
_PHRASE_RE = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(PHRASES, key=len, reverse=True))) + r")\b")

# Snowball's English (Porter 2) stemmer; the C implementation (PyStemmer) when installed.
_STEMMER = snowballstemmer.stemmer("english")


def _stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def _group_term(group: tuple[str, ...]) -> str:
    """The matching term of a concept group: its first word's."""
    return _stem(ABBREVIATIONS.get(group[0], group[0]))


def _build_concepts() -> tuple[dict[str, str], dict[str, str], re.Pattern[str]]:
    by_stem: dict[str, str] = {}
    by_zh: dict[str, str] = {}
    for group in (*CONCEPTS, *OTHER_APPS):
        head = _group_term(group)
        for member in group:
            if HAN.search(member):
                by_zh[member] = head
            else:
                by_stem[_stem(ABBREVIATIONS.get(member, member))] = head
    pattern = re.compile("|".join(re.escape(w) for w in sorted(by_zh, key=len, reverse=True)))
    return by_stem, by_zh, pattern


_CONCEPT_OF_STEM, _CONCEPT_OF_ZH, _ZH_CONCEPT_RE = _build_concepts()
ZH_CONCEPTS = (_ZH_CONCEPT_RE, _CONCEPT_OF_ZH)
"""Chinese concept words: a pattern finding them (longest first) and each one's concept term."""
OTHER_APP_TERMS = frozenset(_group_term(group) for group in OTHER_APPS)
"""Matching terms of apps and sites other than RedNote."""
HOME_APP_TERM = _group_term(("rednote",))
"""Matching term of RedNote itself (小红书, xhs, Xiaohongshu ...)."""
# Abbreviations also by stem, so their plurals and other forms are caught ("suspensions", "vids").
_ABBREVIATION_OF_STEM = {_stem(k): v for k, v in ABBREVIATIONS.items() if k.isalpha()}
ZH_STOP_SET = frozenset(ZH_STOPWORDS)
BASE_ZH_WORDS = frozenset([*ZH_STOPWORDS, *_CONCEPT_OF_ZH])
"""Chinese words known without any knowledge base: grammar words and concept words."""

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
    elif not base.isalpha():
        term = base
    elif base in OWN_MEANING:
        term = OWN_MEANING[base]
    else:
        stem = _stem(base)
        full = _ABBREVIATION_OF_STEM.get(stem)
        if full is not None and full != base:
            stem = _stem(full)
        term = _CONCEPT_OF_STEM.get(stem, stem)
    if len(_word_cache) < 200_000:
        _word_cache[word] = term
    return term


def prefix_term(word: str) -> str | None:
    """The prefix term of a long alphabetic word ("streamers" -> "~strea"), else None."""
    if len(word) > PREFIX_LEN and word.isalpha():
        return "~" + word[:PREFIX_LEN]
    return None


_HYPHENATED = re.compile(r"\b([a-z]+)-([a-z]+)\b")


def _join_hyphenated(match: re.Match[str]) -> str:
    """A compound with a grammar word in it ("off-limits", "check-in", "log-in") means something its content
    word alone does not: it stays one word. Others ("self-promotion", "real-name") keep their parts."""
    first, second = match.group(1), match.group(2)
    return first + second if first in EN_STOPWORDS or second in EN_STOPWORDS else match.group()


def expand_phrases(text: str) -> str:
    """Multi-word expressions as one word ("sign up" -> "register"), hyphenated grammar compounds joined."""
    if "-" in text:
        text = _HYPHENATED.sub(_join_hyphenated, text)
    return _PHRASE_RE.sub(lambda m: PHRASES[m.group()], text) if " " in text else text


_doc_word_cache: dict[str, tuple[str, ...]] = {}


def doc_word_terms(word: str) -> tuple[str, ...]:
    """The terms one word of curated text gives: its term and, if long, its prefix term (cached)."""
    terms = _doc_word_cache.get(word)
    if terms is None:
        term = word_term(word)
        prefix = prefix_term(word) if term else None
        terms = (term, prefix) if term and prefix else (term,) if term else ()
        if len(_doc_word_cache) < 200_000:
            _doc_word_cache[word] = terms
    return terms


def english_terms(text: str, *, phrases: bool, expanded: bool = False) -> list[str]:
    """Matching terms of the Latin-script words in `text` (a cleaned text): words, prefixes and, with
    `phrases`, each pair of adjacent words joined ("cat tax" -> "cattax"). `expanded`: `expand_phrases` has
    been applied already (to a whole block at once, which is cheaper than line by line)."""
    words = WORD.findall(text if expanded else expand_phrases(text))
    if not words:
        return []
    per_word = list(map(_doc_word_cache.get, words))
    if None in per_word:
        per_word = [t if t is not None else doc_word_terms(w) for t, w in zip(per_word, words, strict=True)]
    terms = list(itertools.chain.from_iterable(per_word))
    if phrases and len(words) > 1:
        heads = [t[0] if t else "" for t in per_word]
        terms.extend([a + b for a, b in itertools.pairwise(heads) if a and b])
    return terms


def chinese_terms(text: str) -> list[str]:
    """Bigrams of each Han run (a lone character stands for itself) and concept terms found in them."""
    terms: list[str] = []
    for run in HAN_RUN.findall(text):
        if len(run) == 1:
            if run not in ZH_STOP_SET:
                terms.append(run)
        else:
            terms.extend(map(str.__add__, run, run[1:]))
    if terms:
        terms.extend(_CONCEPT_OF_ZH[w] for w in _ZH_CONCEPT_RE.findall(text))
    return terms


def segment_terms(segment: str, *, phrases: bool = True, expanded: bool = False) -> list[str]:
    """All term occurrences of one cleaned segment of curated text (see `english_terms` for `expanded`).

    The definition, one segment at a time; index builds get the same terms in bulk from `corpus`."""
    terms = english_terms(segment, phrases=phrases, expanded=expanded) if _HAS_LATIN.search(segment) else []
    if HAN.search(segment):
        terms.extend(chinese_terms(segment))
    return terms


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """A question's term: its weight when an entry has it, and how much its absence from the whole knowledge
    base counts against any match (`miss`).

    Words and in-word bigrams miss fully: a question about something the knowledge base never mentions is less
    likely to be about any entry. Joined pairs, prefixes and bigrams that straddle two words miss not at all:
    they add evidence when an entry has them, and are ignored when none does (most are accidents of writing).
    """

    weight: float
    miss: float


def _put(terms: dict[str, QueryTerm], term: str, weight: float, miss: float) -> None:
    old = terms.get(term)
    if old is None:
        terms[term] = QueryTerm(weight, miss)
    elif weight > old.weight or miss > old.miss:
        terms[term] = QueryTerm(max(weight, old.weight), max(miss, old.miss))


def segment_chinese(run: str, words: Collection[str] = BASE_ZH_WORDS) -> list[str]:
    """Words of a Han run by longest match against `words`; other characters stand alone."""
    out: list[str] = []
    i, n = 0, len(run)
    while i < n:
        for size in range(min(MAX_WORD, n - i), 1, -1):
            if run[i : i + size] in words:
                out.append(run[i : i + size])
                i += size
                break
        else:
            out.append(run[i])
            i += 1
    return out


def query_terms(text: str, emoji: int = 0, words: Collection[str] = BASE_ZH_WORDS) -> dict[str, QueryTerm]:
    """Terms of a cleaned question. A repeated term counts once: repetition is not more meaning.

    `words` is the Chinese dictionary for finding grammar words and word boundaries.
    """
    terms: dict[str, QueryTerm] = {}
    raw_words = WORD.findall(expand_phrases(text))
    for term in map(word_term, raw_words):
        if term:
            _put(terms, term, 1.0, 1.0)
    unexpanded = _HYPHENATED.sub(_join_hyphenated, text) if "-" in text else text
    for word in WORD.findall(unexpanded):
        if word_term(word):
            if len(word) >= 5:
                _put(terms, word, PAIR_QUERY_WEIGHT, 0.0)
            prefix = prefix_term(word)
            if prefix:
                _put(terms, prefix, PREFIX_QUERY_WEIGHT, 0.0)
    heads = [word_term(w) for w in raw_words]
    for first, second in itertools.pairwise(heads):
        if first and second:
            _put(terms, first + second, PAIR_QUERY_WEIGHT, 0.0)
    for run in HAN_RUN.findall(text):
        if len(run) == 1:
            if run not in ZH_STOP_SET:
                _put(terms, run, 1.0, 1.0)
            continue
        # Which word each character belongs to, whether that word is a grammar word, and whether it is known.
        grammar = bytearray(len(run))
        word_id = [0] * len(run)
        known = bytearray(len(run))
        pos = 0
        for n, word in enumerate(segment_chinese(run, words)):
            size = len(word)
            word_id[pos : pos + size] = [n] * size
            if word in ZH_STOP_SET:
                grammar[pos : pos + size] = b"\x01" * size
            if size > 1:
                known[pos : pos + size] = b"\x01" * size
            pos += size
        for i in range(len(run) - 1):
            bigram = run[i : i + 2]
            if grammar[i] or grammar[i + 1]:
                _put(terms, bigram, GRAMMAR_BIGRAM_WEIGHT, 0.0)
            elif word_id[i] == word_id[i + 1]:
                _put(terms, bigram, 1.0, 1.0)
            elif known[i] or known[i + 1]:
                _put(terms, bigram, 1.0, 0.0)  # straddles a known word's edge
            else:
                _put(terms, bigram, 1.0, UNSEGMENTED_MISS)
    for word in _ZH_CONCEPT_RE.findall(text):
        _put(terms, _CONCEPT_OF_ZH[word], 1.0, 1.0)
    if emoji:
        if not any(t.miss for t in terms.values()) and (_SENTENCE.search(text) or HAN.search(text)):
            # "what does 🙂 mean": the emoji is what the sentence is about.
            _put(terms, EMOJI_TERM, 1.0, 1.0)
        else:
            _put(terms, EMOJI_TERM, EMOJI_QUERY_WEIGHT, 0.0)
    return terms


def english_words(text: str) -> list[str]:
    """The Latin-script words of a cleaned text, for typo correction."""
    return WORD.findall(text)
