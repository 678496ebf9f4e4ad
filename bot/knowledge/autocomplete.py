"""Topic suggestions while a member types (autocomplete): prefix and substring matches on titles and slugs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.engine import normalize
from bot.knowledge.entry import LANGS, Entry, content_lang


@dataclass(frozen=True, slots=True)
class _Keys:
    names: tuple[str, ...]
    more: dict[str, str]


class TopicFinder:
    """Built once per set of entries (normalising is the costly part), queried on every keystroke."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = list(entries)
        self._keys = [
            _Keys(
                names=(normalize(e.slug), *(normalize(t) for t in e.title.values() if t)),
                more={lang: normalize(" ".join((*e.tags, *e.questions.get(lang, ())))) for lang in LANGS},
            )
            for e in self.entries
        ]

    def find(self, typed: str, lang: str = "en", limit: int = 25) -> list[Entry]:
        """Entries whose slug or title starts with, then contains, what was typed; then tags and questions."""
        needle = normalize(typed[:100])
        if not needle:
            return self.entries[:limit]
        stored_lang = content_lang(lang)
        ranked: list[tuple[int, int]] = []
        for position, keys in enumerate(self._keys):
            if any(name.startswith(needle) for name in keys.names):
                ranked.append((0, position))
            elif any(needle in name for name in keys.names):
                ranked.append((1, position))
            elif needle in keys.more[stored_lang]:
                ranked.append((2, position))
        return [self.entries[position] for _, position in sorted(ranked)[:limit]]
