"""Validation of entries and of the `kb export` / `kb import` JSON document.

Every problem is reported with its entry and field, all at once, so a file can be fixed in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bot.errors import ValidationError
from bot.knowledge.entry import CATEGORIES, LANGS, Entry

EXPORT_VERSION = 1
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$")
MAX_TITLE = 200
MAX_ANSWER = 4000
MAX_EXAMPLE_QUESTION = 300
"""Characters of one curated example question."""
MAX_EXAMPLE_QUESTIONS = 60
MAX_TAG = 60
MAX_TAGS = 40
MAX_ENTRIES = 5000
ENTRY_KEYS = {"slug", "category", "title", "answer", "questions", "tags", "guild_id"}


def entry_problems(raw: Any, where: str) -> list[str]:
    """Every problem of one entry mapping in the export shape."""
    if not isinstance(raw, dict):
        return [f"{where}: must be an object"]
    problems: list[str] = []
    slug = raw.get("slug")
    if isinstance(slug, str) and slug:
        where = f"{where} ({slug})"
    unknown = sorted(set(raw) - ENTRY_KEYS)
    if unknown:
        problems.append(f"{where}: unknown field(s) {', '.join(unknown)}")
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        problems.append(f"{where}.slug: lowercase letters, digits and '-', 2-64 characters (got {slug!r})")
    if raw.get("category") not in CATEGORIES:
        problems.append(f"{where}.category: one of {', '.join(CATEGORIES)} (got {raw.get('category')!r})")
    problems += _lang_texts(raw.get("title"), f"{where}.title", MAX_TITLE)
    problems += _lang_texts(raw.get("answer"), f"{where}.answer", MAX_ANSWER)
    title, answer = raw.get("title"), raw.get("answer")
    if isinstance(title, dict) and isinstance(answer, dict):
        present = [lang for lang in LANGS if str(title.get(lang) or "").strip()]
        if not present:
            problems.append(f"{where}.title: needs at least one language ({', '.join(LANGS)})")
        for lang in LANGS:
            has_title, has_answer = (
                bool(str(title.get(lang) or "").strip()),
                bool(str(answer.get(lang) or "").strip()),
            )
            if has_title != has_answer:
                problems.append(f"{where}.{lang}: a title needs an answer and an answer needs a title")
    problems += _questions(raw.get("questions"), f"{where}.questions")
    problems += _string_list(raw.get("tags", []), f"{where}.tags", MAX_TAG, MAX_TAGS)
    guild_id = raw.get("guild_id")
    if guild_id is not None and (not isinstance(guild_id, int) or isinstance(guild_id, bool)):
        problems.append(f"{where}.guild_id: null or a server id number")
    return problems


def entry_from_dict(raw: dict[str, Any], guild_id: int | None = None) -> Entry:
    """An Entry from an already validated mapping (texts stripped)."""
    return Entry(
        slug=raw["slug"],
        category=raw["category"],
        title={lang: str(raw["title"].get(lang) or "").strip() for lang in LANGS},
        answer={lang: str(raw["answer"].get(lang) or "").strip() for lang in LANGS},
        questions={
            lang: tuple(q.strip() for q in (raw.get("questions") or {}).get(lang, []) if q.strip())
            for lang in LANGS
        },
        tags=tuple(t.strip() for t in raw.get("tags") or [] if t.strip()),
        guild_id=guild_id,
    )


def validate_entry(raw: Any, where: str = "entry") -> Entry:
    """An Entry, or ValidationError listing every problem."""
    problems = entry_problems(raw, where)
    if problems:
        raise ValidationError(problems)
    return entry_from_dict(raw)


def parse_document(doc: Any) -> list[Entry]:
    """The entries of an import document, or ValidationError with every problem in it."""
    if not isinstance(doc, dict):
        raise ValidationError(['the file must be a JSON object: {"version": 1, "entries": [...]}'])
    problems: list[str] = []
    if doc.get("version") != EXPORT_VERSION:
        problems.append(f"version: must be {EXPORT_VERSION} (got {doc.get('version')!r})")
    raw_entries = doc.get("entries")
    if not isinstance(raw_entries, list):
        raise ValidationError([*problems, "entries: must be a list"])
    if len(raw_entries) > MAX_ENTRIES:
        problems.append(f"entries: at most {MAX_ENTRIES} per file (got {len(raw_entries)})")
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_entries):
        problems += entry_problems(raw, f"entries[{index}]")
        slug = raw.get("slug") if isinstance(raw, dict) else None
        if isinstance(slug, str):
            if slug in seen:
                problems.append(f"entries[{index}] ({slug}): duplicate slug, also at entries[{seen[slug]}]")
            seen.setdefault(slug, index)
    if problems:
        raise ValidationError(problems)
    return [entry_from_dict(raw) for raw in raw_entries]


def _lang_texts(value: Any, where: str, limit: int) -> list[str]:
    if not isinstance(value, dict):
        return [f'{where}: must be an object {{"en": "...", "zh": "..."}}']
    problems = []
    unknown = sorted(set(value) - set(LANGS))
    if unknown:
        problems.append(f"{where}: unknown language(s) {', '.join(map(str, unknown))}")
    for lang in LANGS:
        text = value.get(lang, "")
        if not isinstance(text, str):
            problems.append(f"{where}.{lang}: must be text")
        elif len(text) > limit:
            problems.append(f"{where}.{lang}: {len(text)} characters, at most {limit}")
    return problems


def _questions(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, dict):
        return [f'{where}: must be an object {{"en": [...], "zh": [...]}}']
    problems = []
    unknown = sorted(set(value) - set(LANGS))
    if unknown:
        problems.append(f"{where}: unknown language(s) {', '.join(map(str, unknown))}")
    for lang in LANGS:
        problems += _string_list(
            value.get(lang, []), f"{where}.{lang}", MAX_EXAMPLE_QUESTION, MAX_EXAMPLE_QUESTIONS
        )
    return problems


def _string_list(value: Any, where: str, item_limit: int, count_limit: int) -> list[str]:
    if not isinstance(value, list):
        return [f"{where}: must be a list of texts"]
    problems = []
    if len(value) > count_limit:
        problems.append(f"{where}: at most {count_limit} items (got {len(value)})")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            problems.append(f"{where}[{i}]: must be text")
        elif len(item) > item_limit:
            problems.append(f"{where}[{i}]: {len(item)} characters, at most {item_limit}")
    return problems


def document(entries: Iterable[Entry]) -> dict[str, Any]:
    """The export document for `entries`."""
    return {"version": EXPORT_VERSION, "entries": [e.to_export() for e in entries]}
