"""Whether a word is ordinary English, from `wordfreq`'s frequency lists.

A question's word the knowledge base lacks is corrected to a known word one edit away only when it is not a
word in its own right: "contract" is not a typo of "contact", nor "bread" of "read", while "recieve" and
"acount" are typos. The list is loaded on first use (about 0.1 s), so start-up does not pay for it.
"""

from __future__ import annotations

from functools import lru_cache

COMMON_ZIPF = 3.0
"""A word at least this frequent (Zipf scale: 3 is once per million words) is a word, not a typo. Common
misspellings stay below it ("recieve" 2.75, "definately" 2.87); "feel", "lost", "date" are far above."""


def warm() -> None:
    """Load the list now (a long-running process does it in a worker thread at start-up, so the first
    question with a typo does not pay the ~0.2 s import on the event loop)."""
    is_common_english("the")


@lru_cache(maxsize=4096)
def is_common_english(word: str) -> bool:
    """Whether `word` (lower case) is frequent enough in English to be a word rather than a misspelling."""
    from wordfreq import zipf_frequency

    try:
        return zipf_frequency(word, "en") >= COMMON_ZIPF
    except Exception:  # a broken data file must not break matching: then every word may be a typo
        return False
