"""The knowledge entry as the whole core sees it: a plain, immutable value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

LANGS: tuple[str, ...] = ("en", "zh")
"""Languages every entry is written in: English and Simplified Chinese."""


def content_lang(lang: str) -> str:
    """The stored language that serves a reply language: zh-Hant is written from zh."""
    return "zh" if lang.startswith("zh") else "en"


CATEGORIES: tuple[str, ...] = ("culture", "etiquette", "sensitive", "app", "language", "server")


@dataclass(frozen=True, slots=True)
class Entry:
    """One knowledge-base topic in both languages, as a guild sees it."""

    slug: str
    category: str
    title: Mapping[str, str]
    answer: Mapping[str, str]
    questions: Mapping[str, tuple[str, ...]]
    tags: tuple[str, ...] = ()
    guild_id: int | None = None
    version: int = 1
    hidden: bool = False
    extra: Mapping[str, object] = field(default_factory=dict)

    def to_export(self) -> dict[str, object]:
        """The entry in the `kb export` JSON shape."""
        return {
            "slug": self.slug,
            "category": self.category,
            "title": {lang: self.title.get(lang, "") for lang in LANGS},
            "answer": {lang: self.answer.get(lang, "") for lang in LANGS},
            "questions": {lang: list(self.questions.get(lang, ())) for lang in LANGS},
            "tags": list(self.tags),
            "guild_id": self.guild_id,
        }
