"""The knowledge engine: match a question (English, Chinese, or both) to a knowledge-base entry, or abstain.

Pure and deterministic: no Discord, no I/O at search time, no event loop.

    index = KnowledgeIndex.build(entries)          # once per guild's set of entries
    match = index.search("what is the cat tax?", locale="en-US")
    match.slug, match.score, match.lang, match.alternatives
"""

from bot.engine.index import KnowledgeIndex
from bot.engine.language import detect_language
from bot.engine.normalize import normalize, to_simplified, to_traditional
from bot.engine.search import Match

__all__ = [
    "KnowledgeIndex",
    "Match",
    "detect_language",
    "normalize",
    "to_simplified",
    "to_traditional",
]
