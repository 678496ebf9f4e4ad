"""The disk cache of built indexes: a hit only for the same entries and code, and never a failure."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.engine import KnowledgeIndex
from bot.knowledge import index_cache
from bot.knowledge.entry import Entry
from bot.knowledge.index_cache import IndexCache
from bot.knowledge.source import load_entries

QUESTIONS = ("what is the cat tax?", "猫税是什么", "how do I sign up", "what's the weather in paris")


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return load_entries()[:8]


class CountingBuild:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, entries: Sequence[Entry]) -> KnowledgeIndex:
        self.calls += 1
        return KnowledgeIndex.build(entries)


def cached(directory: Path, keep: int = index_cache.KEEP) -> tuple[IndexCache, CountingBuild]:
    build = CountingBuild()
    return IndexCache(directory, build, keep), build


def test_a_second_process_loads_the_same_index(tmp_path: Path, entries: list[Entry]) -> None:
    first, first_build = cached(tmp_path)
    built = first(entries)
    second, second_build = cached(tmp_path)  # a new process: nothing in memory
    loaded = second(entries)
    assert (first_build.calls, second_build.calls) == (1, 0)
    assert loaded is not built
    assert [loaded.search(q) for q in QUESTIONS] == [built.search(q) for q in QUESTIONS]


def test_any_change_in_the_entries_is_a_miss(tmp_path: Path, entries: list[Entry]) -> None:
    cache, build = cached(tmp_path)
    cache(entries)
    edited = [dataclasses.replace(entries[0], answer={**entries[0].answer, "en": "Edited."}), *entries[1:]]
    cache(edited)
    cache([dataclasses.replace(entries[0], version=2), *entries[1:]])
    cache(entries[1:])
    assert build.calls == 4 and len(list(tmp_path.glob("*.pickle"))) == 4
    cache(entries)
    assert build.calls == 4


def test_a_code_change_is_a_miss(
    tmp_path: Path, entries: list[Entry], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, build = cached(tmp_path)
    cache(entries)
    monkeypatch.setattr(index_cache, "code_fingerprint", lambda: b"another engine")
    cache(entries)
    assert build.calls == 2


def test_code_fingerprint_covers_the_engine_sources() -> None:
    engine_dir, entry_source = index_cache.SOURCES
    assert (engine_dir / "index.py").is_file() and entry_source.name == "entry.py"


def test_a_damaged_file_is_rebuilt_and_replaced(tmp_path: Path, entries: list[Entry]) -> None:
    cache, build = cached(tmp_path)
    cache(entries)
    (path,) = tmp_path.glob("*.pickle")
    path.write_bytes(b"not a pickle")
    assert cache(entries).search(QUESTIONS[2]).slug == "sign-up"
    assert build.calls == 2
    cache(entries)
    assert build.calls == 2


def test_an_unwritable_directory_only_costs_a_build(tmp_path: Path, entries: list[Entry]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    cache, build = cached(blocker / "cache")
    assert cache(entries).search(QUESTIONS[2]).slug == "sign-up"
    cache(entries)
    assert build.calls == 2


def test_only_the_newest_files_are_kept(tmp_path: Path, entries: list[Entry]) -> None:
    cache, _ = cached(tmp_path, keep=2)
    for n in range(4):
        cache(entries[n:])
    assert len(list(tmp_path.glob("*.pickle"))) == 2
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_directory_others_can_write_is_not_used(tmp_path: Path, entries: list[Entry]) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # like /tmp: anyone could plant a pickle here
    cache, build = cached(shared)
    cache(entries)
    cache(entries)
    assert build.calls == 2 and not list(shared.iterdir())
    shared.chmod(0o700)
    cache(entries)
    cache(entries)
    assert build.calls == 3 and len(list(shared.glob("*.pickle"))) == 1
