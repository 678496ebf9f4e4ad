"""Turning an editor's form (a Discord modal, say) into an entry, and an entry back into a form."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.knowledge.entry import Entry
from bot.knowledge.schema import validate_entry

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True, slots=True)
class EntryForm:
    """The five editable texts of an entry; example questions one per line, in either language."""

    title_en: str = ""
    answer_en: str = ""
    title_zh: str = ""
    answer_zh: str = ""
    questions: str = ""

    @classmethod
    def of(cls, entry: Entry) -> EntryForm:
        lines = [*entry.questions.get("en", ()), *entry.questions.get("zh", ())]
        return cls(
            title_en=entry.title.get("en", ""),
            answer_en=entry.answer.get("en", ""),
            title_zh=entry.title.get("zh", ""),
            answer_zh=entry.answer.get("zh", ""),
            questions="\n".join(lines),
        )

    def as_text(self) -> str:
        """Everything the editor typed, to hand back when a save is refused."""
        return (
            f"# Title (English)\n{self.title_en}\n\n# Answer (English)\n{self.answer_en}\n\n"
            f"# 标题（中文）\n{self.title_zh}\n\n# 回答（中文）\n{self.answer_zh}\n\n"
            f"# Example questions / 示例问题\n{self.questions}\n"
        )


def split_questions(text: str) -> dict[str, list[str]]:
    """Example questions by language: a line with Chinese characters is Chinese."""
    result: dict[str, list[str]] = {"en": [], "zh": []}
    for line in text.splitlines():
        line = line.strip().lstrip("-•*").strip()
        if line:
            result["zh" if _CJK.search(line) else "en"].append(line)
    return result


_TAG_SEPARATORS = re.compile(r"[,，、;；\n]")


def split_tags(text: str | None) -> tuple[str, ...]:
    """Tags typed in one line, separated by commas (, ， 、) or semicolons; blanks and repeats dropped.
    Lengths are checked with the rest of the entry (`validate_entry`)."""
    tags: list[str] = []
    seen: set[str] = set()
    for part in _TAG_SEPARATORS.split(text or ""):
        tag = " ".join(part.split())
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    return tuple(tags)


def entry_from_form(form: EntryForm, slug: str, category: str, tags: tuple[str, ...] = ()) -> Entry:
    """A validated Entry from the form, or ValidationError listing every problem."""
    raw = {
        "slug": slug,
        "category": category,
        "title": {"en": form.title_en.strip(), "zh": form.title_zh.strip()},
        "answer": {"en": form.answer_en.strip(), "zh": form.answer_zh.strip()},
        "questions": split_questions(form.questions),
        "tags": list(tags),
        "guild_id": None,
    }
    return validate_entry(raw, f"topic {slug}")
