"""Reading the hand-written question files of `benchmarks/` (engine_realistic*.txt, engine_independent*.txt)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def slug_questions(paths: Iterable[Path]) -> list[tuple[str, str | None, str]]:
    """(question, slug, language group) from "slug | question" lines; the slug "none" (a question to abstain
    on) gives None. "## " starts a section whose first word is the group; other lines starting with "#" and
    blank lines are skipped."""
    out: list[tuple[str, str | None, str]] = []
    for path in paths:
        group = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line.startswith("## "):
                group = line[3:].split()[0]
            elif line and not line.startswith("#") and "|" in line:
                slug, question = (part.strip() for part in line.split("|", 1))
                out.append((question, None if slug == "none" else slug, group))
    return out
