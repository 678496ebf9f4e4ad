"""Built search indexes kept on disk, so a one-shot `ask` loads its index instead of building it again.

Building the shipped knowledge base's index takes 80-150 ms, loading it back about 5 ms. A cached index is
filed under a digest of everything its build depends on: the entries as given (every field), the engine's
source, and the Python and library installations. Any change there is a miss and a fresh build, so a
stale index is never served. Only the KEEP most recently used files are kept.

The files are pickles, and loading a pickle runs code: the directory is created readable by its owner only,
and a directory others can write to is neither read nor written.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Sequence
from contextlib import suppress
from functools import cache
from pathlib import Path

from bot import engine
from bot.engine import KnowledgeIndex
from bot.knowledge import entry as entry_module
from bot.knowledge.entry import Entry
from bot.knowledge.service import IndexFactory

log = logging.getLogger(__name__)

FORMAT = b"rednote-bot index cache 1"
KEEP = 8
SOURCES = (Path(engine.__file__).parent, Path(entry_module.__file__))
LIBRARIES = ("numpy", "opencc", "rapidfuzz", "snowballstemmer", "Stemmer")
"""What the engine builds with: a library's module file changes size or time with any upgrade."""


@cache
def code_fingerprint() -> bytes:
    """A digest of the code a build runs: the engine's sources, Entry's, Python's and the libraries'."""
    digest = hashlib.sha256(FORMAT)
    digest.update(sys.version.encode())
    engine_dir, entry_source = SOURCES
    for path in [*sorted(engine_dir.glob("*.py")), entry_source]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for name in LIBRARIES:
        file = getattr(sys.modules.get(name), "__file__", None)
        if file:
            stat = os.stat(file)
            digest.update(f"{name} {file} {stat.st_size} {stat.st_mtime_ns}".encode())
    return digest.digest()


def cache_key(entries: Sequence[Entry]) -> str:
    """The file name of the index of `entries` under the current code."""
    digest = hashlib.sha256(code_fingerprint())
    digest.update(repr(list(entries)).encode())
    return digest.hexdigest()[:40]


class IndexCache:
    """An index factory for KnowledgeService that builds each distinct index once, then loads it from disk.

    Never fails because of the cache: a file that cannot be read or written is built or skipped instead.
    """

    def __init__(self, directory: Path, build: IndexFactory = KnowledgeIndex.build, keep: int = KEEP) -> None:
        self.directory = directory
        self._build = build
        self._keep = keep

    def __call__(self, entries: Sequence[Entry]) -> KnowledgeIndex:
        path = self.directory / f"{cache_key(entries)}.pickle"
        if not self._private():
            return self._build(entries)
        index = self._load(path)
        if index is None:
            index = self._build(entries)
            self._store(path, index)
        return index

    def _private(self) -> bool:
        """Whether only this user can write the directory (or it does not exist yet). Loading a pickle runs
        code, so a directory others can write to (INDEX_CACHE_DIR=/tmp, say) is never read or written."""
        try:
            st = self.directory.stat()
        except FileNotFoundError:
            return True  # `_store` creates it, private
        except OSError:
            return False
        getuid = getattr(os, "getuid", None)
        if getuid is None:  # Windows: ownership is ACLs, left to the user's profile directory
            return True
        private = st.st_uid == getuid() and not st.st_mode & 0o022
        if not private:
            log.warning("index cache: %s can be written by others; not using it", self.directory)
        return private

    def _load(self, path: Path) -> KnowledgeIndex | None:
        try:
            data = path.read_bytes()
        except OSError:  # none yet (or no usable directory: `_store` says so)
            return None
        try:
            index = pickle.loads(data)
        except Exception as exc:  # a damaged or foreign file is only a miss
            log.warning("index cache: ignoring %s (%s)", path, exc)
            return None
        with suppress(OSError):
            os.utime(path)  # recently used: the last to be pruned
        return index if isinstance(index, KnowledgeIndex) else None

    def _store(self, path: Path, index: KnowledgeIndex) -> None:
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as file:
                    pickle.dump(index, file, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)  # readers see the whole file or none
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self._prune()
        except OSError as exc:
            log.warning("index cache: cannot write %s (%s)", path, exc)

    def _prune(self) -> None:
        files = sorted(self.directory.glob("*.pickle"), key=_mtime, reverse=True)
        for stale in files[self._keep :]:
            stale.unlink(missing_ok=True)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:  # pruned by another process meanwhile
        return 0
