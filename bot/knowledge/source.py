"""Read the curated knowledge base from the YAML source files under `data/`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bot.knowledge.entry import LANGS, Entry

_REPO_DATA_DIR = Path(__file__).resolve().parents[2] / "data"
_INSTALLED_DATA_DIR = Path(__file__).resolve().parents[1] / "kb_data"  # `pip install .` puts data/ here


def default_data_dir() -> Path:
    """The curated source: the repository's `data/`, or the copy installed inside the package."""
    if (_REPO_DATA_DIR / "knowledge").is_dir():
        return _REPO_DATA_DIR
    return _INSTALLED_DATA_DIR


class SourceError(ValueError):
    """A curated source file is malformed; the message names the file, entry and field."""


def knowledge_files(data_dir: Path | None = None) -> list[Path]:
    """The category files in the order they are seeded."""
    data_dir = data_dir or default_data_dir()
    return sorted((data_dir / "knowledge").glob("*.yaml"))


def _entry_from_mapping(raw: dict, category: str, where: str) -> Entry:
    slug = raw.get("slug")
    if not isinstance(slug, str) or not slug:
        raise SourceError(f"{where}: entry without a slug")
    title, answer, questions = {}, {}, {}
    for lang in LANGS:
        part = raw.get(lang) or {}
        title[lang] = str(part.get("title") or "").strip()
        answer[lang] = str(part.get("answer") or "").strip()
        questions[lang] = tuple(str(q).strip() for q in part.get("questions") or () if str(q).strip())
    tags = tuple(str(t).strip() for t in raw.get("tags") or () if str(t).strip())
    return Entry(
        slug=slug,
        category=str(raw.get("category") or category),
        title=title,
        answer=answer,
        questions=questions,
        tags=tags,
    )


def load_file(path: Path) -> list[Entry]:
    """Entries of one category file."""
    import yaml  # only when seeding: a start-up with unchanged files never parses them

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SourceError(f"{path.name}: not valid YAML: {exc}") from exc
    category = str(doc.get("category") or path.stem)
    raws = doc.get("entries") or []
    return [_entry_from_mapping(raw, category, f"{path.name} entry {i}") for i, raw in enumerate(raws)]


def load_entries(data_dir: Path | None = None, files: Iterable[Path] | None = None) -> list[Entry]:
    """Every curated entry under `data_dir`, in file order."""
    entries: list[Entry] = []
    for path in files if files is not None else knowledge_files(data_dir):
        entries.extend(load_file(path))
    return entries
