"""Seeding the shipped knowledge base from `data/` into the database."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from bot.knowledge.source import knowledge_files, load_entries
from bot.storage.knowledge_repo import KnowledgeRepository, SeedReport

log = logging.getLogger(__name__)


def fingerprint(files: list[Path]) -> str:
    """A digest of the source files' names and bytes: unchanged files need no seeding."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


async def seed_knowledge(repo: KnowledgeRepository, data_dir: Path | None = None) -> SeedReport:
    """Add new shipped entries, update changed ones and retire removed ones; admins' guild entries are never
    touched."""
    files = knowledge_files(data_dir)
    report = await repo.seed_if_changed(fingerprint(files), lambda: load_entries(files=files))
    if not report.skipped:
        log.info(
            "seeded knowledge base: %d added, %d updated, %d unchanged, %d retired, %d kept as the host edited them",
            len(report.added),
            len(report.updated),
            report.unchanged,
            len(report.retired),
            len(report.kept),
        )
    return report
