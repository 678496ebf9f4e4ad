"""Curated text analysed in bulk, for index builds: many cleaned lines in, term occurrences out as arrays.

The same terms as `tokenize` gives a question (words stemmed and folded into concepts, long words' prefixes,
joined pairs of adjacent words, Chinese bigrams and concept words), computed for thousands of lines at once:
one regular-expression pass splits a whole chunk into words, each distinct word is analysed once, and pairs,
hyphenated compounds, multi-word phrases and Chinese bigrams are found with array operations. Python-level
work per word or per line would make a 10,000-entry build take many seconds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import compress, islice

import numpy as np

from bot.engine.lexicon import EN_STOPWORDS
from bot.engine.normalize import HAN_RANGES
from bot.engine.tokenize import PHRASES, WORD, ZH_CONCEPTS, ZH_STOP_SET, doc_word_terms

_TOKEN = re.compile(WORD.pattern + r"|(?<=[a-z])-(?=[a-z])|\n|[^\S\n]*[^\sa-z0-9]+[^\S\n]*")
"""Words; a hyphen between two letters; line breaks; and anything else that is not white space: it keeps a
phrase's words from meeting across it. Text is tokenised in pieces cut at spaces, with a hyphen not between
two letters marked first (`_LONE_HYPHEN`), so " - " is not taken for a hyphen."""
_LONE_HYPHEN = re.compile(r"(?<![a-z])-|-(?![a-z])")
"""A hyphen not between two letters. In a whole line it is part of a run of other characters with the spaces
around it (" - "); in a piece cut out at spaces it is marked as such ("\\x00"), not taken for a hyphen."""
_NEWLINE, _HYPHEN = 0, 1
_UNSEEN = -2
"""A word's term id not looked up yet."""
_CHUNK_LINES = 20_000
"""Lines analysed per pass: bounds the memory the chunk's word strings take."""

_ZH_STOP_CHARS = np.array(sorted(ord(w) for w in ZH_STOP_SET if len(w) == 1), dtype=np.uint32)

Occurrences = tuple[np.ndarray, np.ndarray]
"""(line, term id) pairs, one per occurrence of a term in a line."""


def csr_gather(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For CSR rows `rows`: which of them each element comes from, and the element's position in the data."""
    counts = ptr[rows + 1] - ptr[rows]
    which = np.repeat(np.arange(rows.size, dtype=np.int32), counts)
    pos = np.arange(which.size, dtype=np.int64)
    pos -= np.repeat(np.cumsum(counts) - counts - ptr[rows], counts)
    return which, pos


class Ids(dict[str, int]):
    """String -> id; an unseen string gets the next id (so the keys are in id order)."""

    def __missing__(self, key: str) -> int:
        self[key] = new = len(self)
        return new


def _unique_inverse(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(keys, return_inverse=True)`, by a plain sort and a binary search (faster than its argsort)."""
    unique = np.unique(keys)
    return unique, np.searchsorted(unique, keys)


class CorpusAnalyser:
    """Turns cleaned lines into term ids of `vocab` (the index's vocabulary, which grows as terms are met)."""

    def __init__(self, vocab: Ids) -> None:
        self._vocab = vocab
        self._term_id = vocab.__getitem__
        self._words = Ids({"\n": _NEWLINE, "-": _HYPHEN})
        self._word_list: list[str] = []
        self._word_term = np.zeros(0, dtype=np.int64)
        self._word_prefix = np.zeros(0, dtype=np.int64)
        self._word_alpha = np.zeros(0, dtype=bool)
        self._word_kept = np.zeros(0, dtype=bool)
        self._word_stop = np.zeros(0, dtype=bool)
        self._word_base = np.zeros(0, dtype=np.int64)
        self._term_names = np.zeros(0, dtype=object)
        # Space-separated pieces of text and their words (CSR); the piece "\n" is a line break.
        self._pieces = Ids({"\n": 0})
        self._piece_ptr = np.array([0, 1], dtype=np.int64)
        self._piece_words = np.full(1, _NEWLINE, dtype=np.int64)
        self._phrases = {
            tuple(self._words[w] for w in phrase.split()): joined for phrase, joined in PHRASES.items()
        }
        self._sync_words()
        self.word_counts = np.zeros(0, dtype=np.float64)
        """How often each word occurs in the lines analysed with `line_weights` (see `word_frequencies`)."""

    def term_id(self, term: str) -> int:
        """The id of `term` in the vocabulary (a new id for a new term)."""
        return self._term_id(term)

    # -- words ---------------------------------------------------------------------------------------------

    def _sync_words(self) -> None:
        """Note the words seen since the last call: whether alphabetic, a stop word, and the word without an
        "'s" ending. Their terms are looked up when they first occur (`_word_terms`)."""
        old = len(self._word_list)
        new_words = list(islice(self._words, old, None))
        if not new_words:
            return
        self._word_list.extend(new_words)
        grow = len(new_words)
        is_word = [w[0].isascii() and w[0].isalnum() for w in new_words]
        unseen = np.where(is_word, _UNSEEN, -1)
        self._word_term = np.concatenate([self._word_term, unseen.astype(np.int64)])
        self._word_kept = np.concatenate(
            [self._word_kept, [a or w == "\n" for a, w in zip(is_word, new_words, strict=True)]]
        )
        self._word_prefix = np.concatenate([self._word_prefix, np.full(grow, -1, dtype=np.int64)])
        self._word_alpha = np.concatenate([self._word_alpha, [w.isalpha() for w in new_words]])
        self._word_stop = np.concatenate([self._word_stop, [w in EN_STOPWORDS for w in new_words]])
        bases = [
            self._words.get(w.partition("'")[0], -1) if "'" in w else old + k for k, w in enumerate(new_words)
        ]
        self._word_base = np.concatenate([self._word_base, np.array(bases, dtype=np.int64)])

    def _word_terms(self, wid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Term and prefix term ids (-1: none) of the words `wid`, looking up words met for the first time."""
        unseen = np.unique(wid[self._word_term[wid] == _UNSEEN])
        for w in unseen.tolist():
            analysed = doc_word_terms(self._word_list[w])
            self._word_term[w] = self._term_id(analysed[0]) if analysed else -1
            self._word_prefix[w] = self._term_id(analysed[1]) if len(analysed) > 1 else -1
        return self._word_term[wid], self._word_prefix[wid]

    def word_frequencies(self) -> dict[str, int]:
        """Word -> occurrences, over the lines analysed with `line_weights` (each line counted that often)."""
        used = np.flatnonzero(self.word_counts)
        used = used[used > _HYPHEN]
        counts = np.rint(self.word_counts[used]).astype(np.int64).tolist()
        return dict(zip(map(self._word_list.__getitem__, used.tolist()), counts, strict=True))

    def _term_names_upto(self, size: int) -> np.ndarray:
        """The vocabulary's terms by id (an object array), at least the first `size`."""
        names = self._term_names
        if names.size < size:
            more = np.array(list(islice(self._vocab, names.size, None)), dtype=object)
            self._term_names = names = np.concatenate([names, more])
        return names

    # -- lines ---------------------------------------------------------------------------------------------

    def analyse(
        self, lines: Sequence[str], *, pairs: bool, line_weights: np.ndarray | None = None
    ) -> np.ndarray:
        """Term occurrences of every line (cleaned, without line breaks), one int64 `line << 32 | term id`
        each (in no particular order). `pairs`: adjacent words also give their joined term. `line_weights`:
        add each line's words to `word_counts`, that many times."""
        line_parts, term_parts = [], []
        for start in range(0, len(lines), _CHUNK_LINES):
            chunk = lines[start : start + _CHUNK_LINES]
            weights = None if line_weights is None else line_weights[start : start + _CHUNK_LINES]
            for line, term in (self._english(chunk, pairs, weights), self._chinese(chunk)):
                line_parts.append(line + start)
                term_parts.append(term)
        if not line_parts:
            return np.zeros(0, dtype=np.int64)
        key = np.concatenate(line_parts)
        del line_parts
        key <<= 32
        key |= np.concatenate(term_parts)
        return key

    def _word_ids(self, chunk: Sequence[str]) -> np.ndarray:
        """The words of every line of `chunk`, each line ended by a line break, as word ids.

        No token spans a space (a run of other characters with spaces around it is split there into as
        many, which keep phrases apart just as well), so the chunk is split at spaces (fast, in C), each
        distinct piece is tokenised once, and the lines' words are the pieces' words laid end to end."""
        pieces = " \n ".join(chunk).split(" ")
        pieces.append("\n")
        pid = np.fromiter(map(self._pieces.__getitem__, pieces), dtype=np.int64, count=len(pieces))
        del pieces
        self._sync_pieces()
        return self._piece_words[csr_gather(self._piece_ptr, pid)[1]]

    def _sync_pieces(self) -> None:
        """Tokenise the pieces seen since the last call (all at once: one per line, a line break after each)."""
        old = self._piece_ptr.size - 1
        new_pieces = list(islice(self._pieces, old, None))
        if not new_pieces:
            return
        text = "\n".join(new_pieces) + "\n"
        if "-" in text:  # a hyphen not between letters is some other character: "-" alone means a hyphen
            text = _LONE_HYPHEN.sub("\x00", text)
        tokens = _TOKEN.findall(text)
        wid = np.fromiter(map(self._words.__getitem__, tokens), dtype=np.int64, count=len(tokens))
        del tokens
        self._sync_words()
        ends = np.flatnonzero(wid == _NEWLINE)  # each new piece's words end where its line break stands
        self._piece_ptr = np.concatenate(
            [self._piece_ptr, self._piece_words.size + ends - np.arange(ends.size)]
        )
        self._piece_words = np.concatenate([self._piece_words, wid[wid != _NEWLINE]])

    def _english(self, chunk: Sequence[str], pairs: bool, line_weights: np.ndarray | None) -> Occurrences:
        wid = self._word_ids(chunk)
        wid = self._join_hyphens(wid)
        wid = self._join_phrases(wid)
        wid = wid[self._word_kept[wid]]  # words and line breaks: pairs join words across anything else
        newline = wid == _NEWLINE
        line = np.cumsum(newline) - newline
        if line_weights is not None:
            counts = np.bincount(wid, weights=np.asarray(line_weights, dtype=np.float64)[line])
            if self.word_counts.size < counts.size:
                self.word_counts = np.concatenate(
                    [self.word_counts, np.zeros(counts.size - self.word_counts.size)]
                )
            self.word_counts[: counts.size] += counts
        term, prefix = self._word_terms(wid)
        has_term, has_prefix = term >= 0, prefix >= 0
        lines_out = [line[has_term], line[has_prefix]]
        terms_out = [term[has_term], prefix[has_prefix]]
        if pairs and term.size > 1:
            both = has_term[:-1] & has_term[1:]
            first, second = term[:-1][both], term[1:][both]
            if first.size:
                keys, inverse = _unique_inverse((first << 32) | second)
                names = self._term_names_upto(int(max(first.max(), second.max())) + 1)
                joined = names[keys >> 32] + names[keys & 0xFFFFFFFF]
                pair_ids = np.fromiter(map(self._term_id, joined), dtype=np.int64, count=joined.size)
                lines_out.append(line[:-1][both])
                terms_out.append(pair_ids[inverse])
        return np.concatenate(lines_out), np.concatenate(terms_out)

    def _join_hyphens(self, wid: np.ndarray) -> np.ndarray:
        """A hyphenated compound with a grammar word in it is one word ("off-limits" -> "offlimits"); other
        compounds keep their parts, and their hyphen until phrases are found (as `tokenize.expand_phrases`
        does to a question: "live-streaming" is not the phrase "live streaming")."""
        hyphens = np.flatnonzero(wid == _HYPHEN)
        if not hyphens.size:
            return wid
        keep = np.ones(wid.size, dtype=bool)
        alpha, stop, words = self._word_alpha, self._word_stop, self._word_list
        taken = -1  # a compound's second word cannot start another compound
        for h in hyphens.tolist():
            a, b = int(wid[h - 1]), int(wid[h + 1])
            if h - 1 <= taken or not (alpha[a] and alpha[b]):
                continue
            taken = h + 1
            if stop[a] or stop[b]:
                wid[h - 1] = self._words[words[a] + words[b]]
                keep[h : h + 2] = False
        self._sync_words()
        return wid[keep]

    def _join_phrases(self, wid: np.ndarray) -> np.ndarray:
        """Multi-word expressions as one word ("sign up" -> "register"), leftmost and longest first; the last
        word's "'s" stays ("hong kong's" -> "hongkong's")."""
        if wid.size < 2:
            return wid
        base = self._word_base[wid]
        phrases = self._phrases
        starts = np.isin(wid[:-1], np.array([p[0] for p in phrases], dtype=np.int64))
        seconds = np.isin(base[1:], np.array([p[1] for p in phrases], dtype=np.int64))
        candidates = np.flatnonzero(starts & seconds)
        if not candidates.size:
            return wid
        keep = np.ones(wid.size, dtype=bool)
        end = -1
        for i in candidates.tolist():
            if i < end:
                continue
            for size in (3, 2):
                words = wid[i : i + size].tolist()
                if len(words) < size:
                    continue
                last = words[-1]
                words[-1] = int(base[i + size - 1])
                joined = phrases.get(tuple(words))
                if joined is not None:
                    suffix = self._word_list[last].partition("'")[2]
                    wid[i] = self._words[joined + "'" + suffix if suffix else joined]
                    keep[i + 1 : i + size] = False
                    end = i + size
                    break
        self._sync_words()
        return wid[keep]

    def _chinese(self, chunk: Sequence[str]) -> Occurrences:
        """Bigrams of Han runs, lone Han characters that are not grammar words, and concept words (in lines
        with any other Chinese term)."""
        other = ~np.fromiter(map(str.isascii, chunk), dtype=bool, count=len(chunk))
        rows = np.flatnonzero(other)
        empty = np.zeros(0, dtype=np.int64)
        if not rows.size:
            return empty, empty
        joined = "\n".join(compress(chunk, other.tolist())) + "\n"
        cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        han = np.zeros(cps.size, dtype=bool)
        for low, high in HAN_RANGES:
            han |= (cps >= low) & (cps <= high)
        if not han.any():
            return empty, empty
        newline = cps == 10
        row_of = rows[np.cumsum(newline) - newline]
        after = np.r_[han[1:], False]
        before = np.r_[False, han[:-1]]
        pos = np.flatnonzero(han & after)
        keys, inverse = _unique_inverse((cps[pos].astype(np.int64) << 21) | cps[pos + 1])
        bigram_ids = np.array([self._term_id(chr(k >> 21) + chr(k & 0x1FFFFF)) for k in keys.tolist()])
        single = np.flatnonzero(han & ~after & ~before)
        single = single[~np.isin(cps[single], _ZH_STOP_CHARS)]
        single_keys, single_inverse = _unique_inverse(cps[single].astype(np.int64))
        single_ids = np.array([self._term_id(chr(k)) for k in single_keys.tolist()], dtype=np.int64)
        lines_out = [row_of[pos], row_of[single]]
        terms_out = [bigram_ids[inverse].astype(np.int64), single_ids[single_inverse]]
        has_terms = np.zeros(len(chunk), dtype=bool)
        has_terms[row_of[pos]] = True
        has_terms[row_of[single]] = True
        concept_rows, concept_terms = [], []
        concept_re, concepts = ZH_CONCEPTS
        for m in concept_re.finditer(joined):
            row = int(row_of[m.start()])
            if has_terms[row]:
                concept_rows.append(row)
                concept_terms.append(self._term_id(concepts[m.group()]))
        lines_out.append(np.array(concept_rows, dtype=np.int64))
        terms_out.append(np.array(concept_terms, dtype=np.int64))
        return np.concatenate(lines_out), np.concatenate(terms_out)
