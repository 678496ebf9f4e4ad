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

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bot.engine.corpus import CorpusAnalyser, Ids, csr_gather
from bot.engine.normalize import clean_lines, fold_chinese
from bot.engine.tokenize import BASE_ZH_WORDS, EMOJI_TERM, HAN_RUN, MAX_WORD, word_term
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
    def from_sorted(terms: np.ndarray, items: np.ndarray, weights: np.ndarray, n_terms: int) -> Postings:
        """From (term, item, weight) rows already sorted by term."""
        ptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(_bincount(terms, n_terms), out=ptr[1:])
        return Postings(ptr, items.astype(np.int32, copy=False), weights.astype(np.float32, copy=False))

    def gather(self, terms: Sequence[int], query_weights: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
        """All (item, query weight * posting weight) pairs of the given terms."""
        if not terms:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        which, positions = csr_gather(self.ptr, np.asarray(terms, dtype=np.int64))
        return self.item[positions], self.weight[positions] * np.asarray(query_weights, dtype=np.float32)[
            which
        ]


def deletions(word: str) -> set[str]:
    """`word` and every form of it with one letter deleted: the keys of the typo index (SymSpell). The index
    and a question's lookup must use the same ones."""
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


def _field_texts(entry: Entry) -> tuple[tuple[str, ...], ...]:
    """The raw text of each of FIELDS, as blocks (one per language where the field has two). A title is one
    line; tags and example questions one per line; an answer any number of lines."""
    questions = entry.questions
    return (
        tuple(entry.title.get(lang, "").replace("\n", " ") for lang in ("en", "zh")),
        (_block(entry.tags),),
        tuple(_block(questions.get(lang, ())) for lang in ("en", "zh")),
        (entry.answer.get("en", ""), entry.answer.get("zh", "")),
    )


def _block(lines: Sequence[str]) -> str:
    """`lines` as one text, one per line (a line break inside one becomes a space)."""
    return "\n".join(line.replace("\n", " ") for line in lines)


def _bm25(
    terms: np.ndarray, docs: np.ndarray, weight: np.ndarray, n: int, n_terms: int
) -> tuple[Postings, np.ndarray]:
    """BM25 postings and idf from (term, entry, BM25F pseudo-frequency) rows, one per (term, entry), sorted
    by term, then entry. `weight` becomes the postings' weights (in place, slice by slice: these arrays set
    the build's peak memory)."""
    df = _bincount(terms, n_terms)
    idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
    for span in _spans(weight.size):  # tf (K1 + 1) / (tf + K1) * idf
        tf = weight[span]
        saturation = tf + np.float32(K1)
        tf *= np.float32(K1 + 1.0)
        tf /= saturation
        tf *= idf[terms[span]]
    return Postings.from_sorted(terms, docs, weight, n_terms), idf


def _by_term(key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Occurrences as packed (line << 32 | term) keys (overwritten) -> each distinct (term, line) pair, sorted by
    term then line, and how often the term occurs in the line: (CSR pointer over terms, line, count)."""
    high = key << 32
    key >>= 32
    key |= high  # term << 32 | line
    del high
    _sort_runs(key)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if key.size else np.zeros(0, dtype=np.int64)
    counts = np.diff(np.r_[starts, key.size]).astype(np.int32)
    key = key[starts]
    del starts
    per_term = np.bincount(key >> 32)  # up to the last term with a pair
    ptr = np.zeros(per_term.size + 1, dtype=np.int64)
    np.cumsum(per_term, out=ptr[1:])
    return ptr, (key & 0xFFFFFFFF).astype(np.int32), counts


def _sort_runs(key: np.ndarray) -> None:
    """Sort packed integer keys in place. Timsort (numpy's "stable" kind): the keys come partly in order (line
    by line; or term by term, in short sorted runs within a term), which it uses, sorting them several times
    faster than the default quicksort. Equal integers are indistinguishable: the result is the same."""
    key.sort(kind="stable")


_PACK_CHUNKS = 16
"""Rows are packed and unpacked in this many slices, to bound the temporary arrays."""


def _bincount(values: np.ndarray, size: int) -> np.ndarray:
    """`np.bincount(values, minlength=size)`, slice by slice (numpy would first copy int32 values to int64)."""
    counts = np.zeros(size, dtype=np.int64)
    for span in _spans(values.size):
        counts += np.bincount(values[span], minlength=size)
    return counts


def _spans(size: int) -> Iterator[slice]:
    """`size` items in _PACK_CHUNKS consecutive slices (fewer if there are fewer items)."""
    bounds = np.linspace(0, size, _PACK_CHUNKS + 1).astype(np.int64)
    for start, stop in itertools.pairwise(bounds.tolist()):
        if stop > start:
            yield slice(start, stop)


def _field_lines(
    field_texts: Sequence[tuple[tuple[str, ...], ...]], f: int, pool: Ids
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Every line of field `f` of every entry, entry by entry: the field's distinct texts, each line's entry,
    its id in `pool` (which gains the lines not seen before), and each entry's emoji count in the field. Each
    distinct text (shared tags, copied answers) is cleaned once."""
    texts = Ids()
    block_doc, block_text = [], []
    for doc, per_field in enumerate(field_texts):
        for text in per_field[f]:
            if text:
                block_doc.append(doc)
                block_text.append(texts[text])
    lines, sizes, text_emoji = clean_lines(list(texts))
    text_ptr = np.zeros(sizes.size + 1, dtype=np.int64)
    np.cumsum(sizes, out=text_ptr[1:])
    line_ids = np.fromiter(map(pool.__getitem__, lines), dtype=np.int64, count=len(lines))
    del lines
    block_text_arr = np.asarray(block_text, dtype=np.int64)
    block_doc_arr = np.asarray(block_doc, dtype=np.int64)
    which, pos = csr_gather(text_ptr, block_text_arr)
    emoji = np.bincount(block_doc_arr, weights=text_emoji[block_text_arr], minlength=len(field_texts))
    return list(texts), block_doc_arr[which], line_ids[pos], emoji.astype(np.int64)


@dataclass(slots=True)
class _Corpus:
    """Entries' text analysed: each distinct line once, and every line of every entry's fields as a row."""

    line_doc: np.ndarray
    line_field: np.ndarray
    line_id: np.ndarray
    """One row per line of an entry's field, entry by entry (fields in order within an entry): the entry, the
    field, and the id of the (distinct) line."""
    term_ptr: np.ndarray
    line: np.ndarray
    count: np.ndarray
    """Each distinct (term, line id) pair, term by term (CSR over terms), then line by line, and how often the
    term occurs in the line. Term by term, so that keys built from them come nearly sorted (`_sort_runs`)."""
    line_terms: np.ndarray
    """Per line id, how many distinct terms it has."""
    emoji: np.ndarray
    """Per (entry, field), the emoji its text held."""
    emoji_term: int
    """The term id of EMOJI_TERM (-1 when no text has emoji)."""
    zh_words: frozenset[str]

    @classmethod
    def of(cls, entries: Sequence[Entry], analyser: CorpusAnalyser) -> _Corpus:
        n = len(entries)
        field_texts = [_field_texts(e) for e in entries]
        pools = (Ids(), Ids())  # distinct lines of titles, tags and questions; of answers
        docs, fields, ids = [], [], []
        emoji = np.zeros((n, len(FIELDS)), dtype=np.int64)
        tag_texts: list[str] = []
        for f, name in enumerate(FIELDS):
            texts, doc_of_line, line_ids, emoji[:, f] = _field_lines(field_texts, f, pools[name == "answer"])
            docs.append(doc_of_line)
            fields.append(np.full(doc_of_line.size, f, dtype=np.int8))
            ids.append(line_ids)
            if name == "tags":
                tag_texts = texts
        del field_texts
        base, n_lines = len(pools[0]), len(pools[0]) + len(pools[1])
        ids[FIELDS.index("answer")] += base
        line_doc = np.concatenate(docs)
        order = np.argsort(line_doc, kind="stable")  # entry by entry, fields in order within an entry
        line_doc, line_field, line_id = (
            line_doc[order],
            np.concatenate(fields)[order],
            np.concatenate(ids)[order],
        )
        del docs, fields, ids, order
        uses = np.bincount(line_id[line_id < base], minlength=base).astype(np.float64)
        # Occurrences of both pools, as one packed (line, term) key each, then per line its distinct terms.
        key = analyser.analyse(list(pools[0]), pairs=True, line_weights=uses)
        answers = analyser.analyse(list(pools[1]), pairs=False)
        del pools, uses
        answers += base << 32
        key = np.concatenate([key, answers])
        del answers
        term_ptr, line, count = _by_term(key)
        del key
        line_terms = np.bincount(line, minlength=n_lines)
        emoji_term = analyser.term_id(EMOJI_TERM) if emoji.any() else -1
        zh_words = _tag_words(tag_texts)
        return cls(
            line_doc, line_field, line_id, term_ptr, line, count, line_terms, emoji, emoji_term, zh_words
        )

    def _expanded(self, row_line: np.ndarray) -> Iterator[tuple[slice, np.ndarray, np.ndarray]]:
        """The (term, line) pairs, each once for every row of `row_line` (row -> line id) holding its line, in
        slices: (the slice of pairs, which pair of it each occurrence comes from, the occurrence's row). Term
        by term, and within a term line by line, each line's rows in order."""
        ptr = np.zeros(self.line_terms.size + 1, dtype=np.int64)
        np.cumsum(np.bincount(row_line, minlength=self.line_terms.size), out=ptr[1:])
        rows = np.argsort(row_line, kind="stable")  # line by line
        for span in _spans(self.line.size):
            which, pos = csr_gather(ptr, self.line[span])
            yield span, which, rows[pos]

    def _terms(self, span: slice) -> np.ndarray:
        """The term of each (term, line) pair in `span` (not empty)."""
        ptr = self.term_ptr
        first, last = (np.searchsorted(ptr, [span.start, span.stop - 1], side="right") - 1).tolist()
        terms = np.repeat(np.arange(first, last + 1), np.diff(ptr[first : last + 2]))
        return terms[span.start - ptr[first] : span.stop - ptr[first]]

    def _occurrences(self, chosen: np.ndarray | None = None) -> int:
        lines = self.line_id if chosen is None else self.line_id[chosen]
        return int(self.line_terms[lines].sum())

    def _field_scale(self) -> np.ndarray:
        """BM25F's factor per (entry, field): the field's weight over its length normalisation, (n, FIELDS)."""
        n = self.emoji.shape[0]
        line_total = np.bincount(self.line, weights=self.count, minlength=self.line_terms.size)  # per line
        lengths = np.bincount(
            self.line_doc.astype(np.int64) * len(FIELDS) + self.line_field,
            weights=line_total[self.line_id],
            minlength=n * len(FIELDS),
        ).reshape(n, len(FIELDS))
        lengths += self.emoji
        avg = np.maximum(lengths.mean(axis=0), 1.0) if n else np.ones(len(FIELDS))
        return (FIELD_WEIGHT / (1.0 - FIELD_B + FIELD_B * lengths / avg)).astype(np.float32)

    def bm25_rows(self, n_terms: int) -> tuple[_Rows, _Rows]:
        """BM25F rows, one per (term, entry), sorted by term, then entry: (term, entry, the entry's BM25F
        pseudo-frequency of the term: its field-weighted, length-normalised frequency summed over the fields);
        over all fields, and over titles and tags alone. Emoji count as EMOJI_TERM.

        Term, entry, field and frequency are packed into one int64 per occurrence and sorted as plain
        integers, which is many times faster than an argsort; then the runs are summed (`_merged_rows`)."""
        n = self.emoji.shape[0]
        doc_bits = max(n - 1, 1).bit_length()
        tf_bits = 63 - max(n_terms - 1, 1).bit_length() - doc_bits - _FIELD_BITS
        max_tf = max(int(self.count.max()) if self.count.size else 0, int(self.emoji.max()) if n else 0)
        if max_tf.bit_length() > tf_bits:
            raise OverflowError("too many entries or terms to index")  # beyond 2**40 of them together
        # Per row: (entry << _FIELD_BITS | field) << tf_bits; entry * len(FIELDS) + field indexes `scale`.
        row_key = self.line_doc.astype(np.int64) << _FIELD_BITS
        row_key |= self.line_field
        row_key <<= tf_bits
        term_shift = doc_bits + _FIELD_BITS + tf_bits
        emoji_doc, emoji_field = np.nonzero(self.emoji)
        key = np.empty(self._occurrences() + emoji_doc.size, dtype=np.int64)
        at = 0
        for span, which, rows in self._expanded(self.line_id):
            k = key[at : at + rows.size]
            k[:] = self._terms(span)[which]
            k <<= term_shift
            k |= row_key[rows]
            k |= self.count[span][which]
            at += rows.size
        del row_key
        k = key[at:]
        k[:] = self.emoji_term
        k <<= term_shift
        k |= ((emoji_doc << _FIELD_BITS | emoji_field) << tf_bits) + self.emoji[emoji_doc, emoji_field]
        del k  # a view: it would keep the keys alive
        _sort_runs(key)
        every_field, titles_and_tags = _merged_rows(key, tf_bits, doc_bits, self._field_scale().ravel())
        del key
        return _joined(every_field), _joined(titles_and_tags)

    def items(self, fields: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every line with terms of the given fields as an item (numbered entry by entry): the item's entry,
        and (term, item) pairs of its distinct terms, sorted by term then item (one packed key each)."""
        chosen = np.isin(self.line_field, fields) & (self.line_terms[self.line_id] > 0)
        key = np.empty(self._occurrences(chosen), dtype=np.int64)
        at = 0
        for span, which, items in self._expanded(self.line_id[chosen]):
            k = key[at : at + items.size]
            k[:] = self._terms(span)[which]
            k <<= 32
            k |= items
            at += items.size
        _sort_runs(key)
        items = (key & 0xFFFFFFFF).astype(np.int32)
        key >>= 32
        return self.line_doc[chosen].astype(np.int32), key.astype(np.int32), items


_FIELD_BITS = 2
"""Bits of a field's number (FIELDS) in a packed row."""


_Rows = tuple[np.ndarray, np.ndarray, np.ndarray]
"""(term, entry, weight) rows."""
_Parts = tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]
"""(term, entry, weight) rows as slices of each column."""


def _group_spans(key: np.ndarray, shift: int) -> Iterator[slice]:
    """About _PACK_CHUNKS consecutive slices of sorted `key`, none splitting a run of equal `key >> shift`."""
    bounds = [0]
    for span in _spans(key.size):
        start = span.start
        while start < key.size and start > bounds[-1] and key[start] >> shift == key[start - 1] >> shift:
            start += 1  # runs are short: one key per line of an entry's field
        if start > bounds[-1]:
            bounds.append(start)
    bounds.append(key.size)
    for start, stop in itertools.pairwise(bounds):
        if stop > start:
            yield slice(start, stop)


def _run_sums(group: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted `group` and its `values` -> each distinct group and the sum of its values."""
    if not group.size:
        return group, values
    first = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    return group[first], np.add.reduceat(values, first)


def _merged_rows(key: np.ndarray, tf_bits: int, doc_bits: int, scale: np.ndarray) -> tuple[_Parts, _Parts]:
    """Sorted `term | entry | field | frequency` keys -> (term, entry, summed weight) rows, one per (term,
    entry), over all fields and over titles and tags alone, as slices of each column. A field's weight is
    `scale[entry << _FIELD_BITS | field]` times its frequency (summed over the field's lines), as float32.
    Slice by slice, to bound memory."""
    cell_mask = (1 << (doc_bits + _FIELD_BITS)) - 1
    out: tuple[_Parts, _Parts] = (([], [], []), ([], [], []))
    for span in _group_spans(key, tf_bits + _FIELD_BITS):
        k = key[span]
        high, tf = _run_sums(k >> tf_bits, k & ((1 << tf_bits) - 1))  # per (term, entry, field)
        del k
        weight = tf.astype(np.float32)
        del tf
        weight *= scale[high & cell_mask]
        is_key = (high & ((1 << _FIELD_BITS) - 1)) < 2  # a title or the tags
        high >>= _FIELD_BITS
        for columns, (pair, summed) in zip(
            out, (_run_sums(high, weight), _run_sums(high[is_key], weight[is_key])), strict=True
        ):
            columns[0].append((pair >> doc_bits).astype(np.int32))
            columns[1].append((pair & ((1 << doc_bits) - 1)).astype(np.int32))
            columns[2].append(summed)
    return out


def _joined(parts: _Parts) -> _Rows:
    """Each column's slices as one array (int32, int32, float32), releasing the slices column by column."""
    joined = []
    for column, dtype in zip(parts, (np.int32, np.int32, np.float32), strict=True):
        joined.append(np.concatenate(column) if column else np.zeros(0, dtype=dtype))
        column.clear()
    return joined[0], joined[1], joined[2]


def _tag_words(tag_texts: Sequence[str]) -> frozenset[str]:
    """Chinese words for segmenting questions: the base dictionary and every Han run of a Chinese tag, folded as
    questions are (`fold_chinese`)."""
    words = set(BASE_ZH_WORDS)
    tags = dict.fromkeys("\n".join(tag_texts).split("\n"))  # each tag once: entries share most of theirs
    han_tags = [t for t in tags if not t.isascii() and HAN_RUN.search(t)]
    if han_tags:
        words.update(w for w in HAN_RUN.findall(fold_chinese("\n".join(han_tags))) if 1 < len(w) <= MAX_WORD)
    return frozenset(words)


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
        vocab = Ids()
        analyser = CorpusAnalyser(vocab)
        corpus = _Corpus.of(kept, analyser)
        n_terms, zh_words = len(vocab), corpus.zh_words

        # BM25F rows (one per term and entry, over all fields and over titles and tags alone), and the example
        # questions and tags as items. The analysed text is then released before the postings are built.
        all_rows, key_rows = corpus.bm25_rows(n_terms)
        question_entry, qt, qi = corpus.items((0, 2))
        tag_entry, tt, ti = corpus.items((0, 1))
        del corpus
        bm25, idf = _bm25(*all_rows, n, n_terms)
        del all_rows
        # The same over titles and tags alone, with idf counted there: the app's bare name is in every answer
        # (idf ~ 0) but in the titles and tags of few entries, where it does say what an entry is about.
        keys_postings, key_idf = _bm25(*key_rows, n, n_terms)
        del key_rows

        # Cosine between a question and each example question (or title): postings hold idf^2 / |example|.
        qidf = idf[qt]
        question_sq = np.bincount(qi, weights=qidf * qidf, minlength=len(question_entry))
        question_norm = np.maximum(np.sqrt(question_sq), 1e-6).astype(np.float32)
        qidf *= qidf
        qidf /= question_norm[qi]
        questions = Postings.from_sorted(qt, qi, qidf, n_terms)
        del qt, qi, qidf
        # Share of a tag's (or title's) information a question names: postings hold idf / (sum of its idf).
        tidf = idf[tt]
        tag_total = np.maximum(np.bincount(ti, weights=tidf, minlength=len(tag_entry)), CONCEPT_MIN_IDF)
        tidf /= tag_total[ti].astype(np.float32)
        tags = Postings.from_sorted(tt, ti, tidf, n_terms)

        word_freq = analyser.word_frequencies()
        words = {w for w in word_freq if len(w) >= MIN_TYPO_WORD and w.isalpha() and word_term(w) is not None}
        deletes: dict[str, list[str]] = {}
        for word in words:
            for variant in deletions(word):
                deletes.setdefault(variant, []).append(word)

        return cls(
            slugs=tuple(e.slug for e in kept),
            vocab=vocab,
            idf=idf,
            bm25=bm25,
            key_idf=key_idf,
            keys=keys_postings,
            questions=questions,
            question_entry=question_entry,
            tags=tags,
            tag_entry=tag_entry,
            typo_deletes={k: tuple(v) for k, v in deletes.items()},
            word_freq={w: word_freq[w] for w in words},
            zh_words=zh_words,
        )

    def search(self, query: object, locale: str | None = None) -> Match:
        """The best entry for `query`, or an abstention; see `bot.engine.search.search`."""
        from bot.engine.search import search

        return search(self, query, locale)
