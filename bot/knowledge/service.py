"""The knowledge service: per-guild search indexes kept in step with the database.

Every edit goes through here, so the guild's index is rebuilt on its next question, without a restart.
Guilds without entries of their own share the global index. Changes made by another process (another shard,
`kb import` from the command line) are noticed within FRESHNESS_SECONDS.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.engine import KnowledgeIndex, Match, normalize
from bot.knowledge.autocomplete import TopicFinder
from bot.knowledge.entry import Entry
from bot.storage.guild_repo import UnansweredRepository
from bot.storage.knowledge_repo import ImportPlan, KnowledgeRepository, Revision

log = logging.getLogger(__name__)

IndexFactory = Callable[[Sequence[Entry]], KnowledgeIndex]
BUILD_IN_THREAD_ABOVE = 500
FRESHNESS_SECONDS = 10.0
"""How often (at most) a process checks whether another one changed the knowledge base."""


@dataclass(frozen=True, slots=True)
class Answer:
    """The outcome of one question: the matched entry (None when the bot abstains) and the reply language."""

    query: str
    match: Match
    entry: Entry | None
    alternatives: tuple[Entry, ...]

    @property
    def lang(self) -> str:
        return self.match.lang


@dataclass(slots=True)
class _Snapshot:
    index: KnowledgeIndex
    entries: dict[str, Entry]
    """The visible entries by slug."""
    everything: list[Entry]
    """Every entry of the scope, hidden ones too."""
    _finder: TopicFinder | None = None
    _curation: tuple[TopicFinder, TopicFinder] | None = None

    @property
    def finder(self) -> TopicFinder:
        """The visible topics for members' autocomplete, built on first use (`ask` never needs it)."""
        if self._finder is None:
            self._finder = TopicFinder(list(self.entries.values()))
        return self._finder

    @property
    def curation(self) -> tuple[TopicFinder, TopicFinder]:
        """Finders over every entry (hidden ones too) and over the hidden ones, for admins' autocomplete;
        built on first use."""
        if self._curation is None:
            hidden = [e for e in self.everything if e.hidden]
            self._curation = (TopicFinder(self.everything), TopicFinder(hidden))
        return self._curation


class KnowledgeService:
    """Search and curate the knowledge base of each guild."""

    def __init__(
        self,
        repo: KnowledgeRepository,
        unanswered: UnansweredRepository | None = None,
        index_factory: IndexFactory = KnowledgeIndex.build,
        cache_size: int = 256,
        freshness_seconds: float = FRESHNESS_SECONDS,
    ) -> None:
        self.repo = repo
        self._unanswered = unanswered
        self._build = index_factory
        self._cache: OrderedDict[int | None, _Snapshot] = OrderedDict()
        self._cache_size = cache_size
        self._customised: set[int] | None = None
        self._locks: dict[int | None, asyncio.Lock] = {}
        self._freshness = freshness_seconds
        self._checked_at = -math.inf
        self._seen_revision: int | None = None

    async def _drop_if_stale(self) -> None:
        """Forget the cached indexes of the scopes changed since the last check, whichever process changed
        them (a shard process, or `kb import` from the command line): checked at most every
        `freshness_seconds`. This process's own edits make the next check due (`_edited`), so their revision
        is seen before the scope is rebuilt, not taken for news at a later check."""
        now = time.monotonic()
        if now - self._checked_at < self._freshness:
            return
        self._checked_at = now
        latest, changed = await self.repo.changes_since(self._seen_revision)
        for scope in changed:
            self.invalidate(scope)
        if changed:
            log.info(
                "knowledge base changed (revision %s): indexes of %d scopes rebuilt on demand",
                latest,
                len(changed),
            )
        self._seen_revision = latest

    async def _scope(self, guild_id: int | None) -> int | None:
        """The cache key: the guild when it has entries of its own, else the shared global scope."""
        if guild_id is None:
            return None
        if self._customised is None:
            self._customised = await self.repo.customised_guilds()
        return guild_id if guild_id in self._customised else None

    async def _snapshot(self, guild_id: int | None) -> _Snapshot:
        await self._drop_if_stale()
        scope = await self._scope(guild_id)
        cached = self._cache.get(scope)
        if cached is not None:
            self._cache.move_to_end(scope)
            return cached
        lock = self._locks.setdefault(scope, asyncio.Lock())
        async with lock:
            cached = self._cache.get(scope)
            if cached is not None:
                return cached
            everything = await self.repo.entries(scope, include_hidden=True)
            entries = [e for e in everything if not e.hidden]  # the order `repo.entries(scope)` gives
            if len(entries) > BUILD_IN_THREAD_ABOVE:
                index = await asyncio.to_thread(self._build, entries)
            else:
                index = self._build(entries)
            snapshot = _Snapshot(index, {e.slug: e for e in entries}, everything)
            self._cache[scope] = snapshot
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
            log.debug("built index for scope %s: %d entries", scope, len(entries))
            return snapshot

    def _edited(self, guild_id: int | None) -> None:
        """After this process's own edit in a scope: forget its indexes and check for changes before the next
        build (which records the edit's revision as seen)."""
        self.invalidate(guild_id)
        self._checked_at = -math.inf

    def invalidate(self, guild_id: int | None) -> None:
        """Forget cached indexes after a change in this scope (a global change affects every guild)."""
        if guild_id is None:
            self._cache.clear()
            return
        if self._customised is not None:
            self._customised.add(guild_id)
        self._cache.pop(guild_id, None)

    # -- members -------------------------------------------------------------------------------
    async def ask(
        self,
        query: str,
        guild_id: int | None = None,
        locale: str | None = None,
        *,
        log_unanswered: bool = True,
        channel_id: int | None = None,
        user_id: int | None = None,
    ) -> Answer:
        """Answer `query` for a guild; logs it for the admins when the bot abstains."""
        snapshot = await self._snapshot(guild_id)
        match = snapshot.index.search(query, locale=locale)
        entry = snapshot.entries.get(match.slug) if match.slug else None
        alternatives = tuple(snapshot.entries[s] for s in match.alternatives if s in snapshot.entries)
        if entry is None and log_unanswered and self._unanswered is not None and query.strip():
            await self._unanswered.log(
                query,
                normalize(query)[:200],
                match.lang,
                guild_id=guild_id,
                channel_id=channel_id,
                user_id=user_id,
            )
        return Answer(query=query, match=match, entry=entry, alternatives=alternatives)

    async def entries(self, guild_id: int | None = None) -> list[Entry]:
        """The visible entries of a guild (from the cache)."""
        return list((await self._snapshot(guild_id)).entries.values())

    async def complete(self, typed: str, guild_id: int | None, lang: str, limit: int = 25) -> list[Entry]:
        """Visible topics matching what a member is typing (autocomplete)."""
        return (await self._snapshot(guild_id)).finder.find(typed, lang, limit)

    async def find(self, slug: str, guild_id: int | None = None) -> Entry | None:
        """A visible entry by slug, or None."""
        return (await self._snapshot(guild_id)).entries.get(slug)

    # -- admins --------------------------------------------------------------------------------
    async def get(self, slug: str, guild_id: int | None = None, include_hidden: bool = False) -> Entry:
        return await self.repo.get(slug, guild_id, include_hidden=include_hidden)

    async def add(self, entry: Entry, guild_id: int | None, actor_id: int | None) -> Entry:
        result = await self.repo.add(entry, guild_id, actor_id)
        self._edited(guild_id)
        return result

    async def save(
        self, entry: Entry, guild_id: int | None, actor_id: int | None, expected_version: int | None = None
    ) -> Entry:
        result = await self.repo.save(entry, guild_id, actor_id, expected_version)
        self._edited(guild_id)
        return result

    async def set_hidden(self, slug: str, hidden: bool, guild_id: int | None, actor_id: int | None) -> Entry:
        result = await self.repo.set_hidden(slug, hidden, guild_id, actor_id)
        self._edited(guild_id)
        return result

    async def history(self, slug: str, guild_id: int | None) -> list[Revision]:
        return await self.repo.history(slug, guild_id)

    async def revert(self, slug: str, revision_id: int, guild_id: int | None, actor_id: int | None) -> Entry:
        result = await self.repo.revert(slug, revision_id, guild_id, actor_id)
        self._edited(guild_id)
        return result

    async def plan_import(self, doc: Any, guild_id: int | None) -> ImportPlan:
        return (await self.repo.plan_import(doc, guild_id))[1]

    async def import_document(self, doc: Any, guild_id: int | None, actor_id: int | None) -> ImportPlan:
        plan = await self.repo.import_document(doc, guild_id, actor_id)
        self._edited(guild_id)
        return plan

    async def export(self, guild_id: int | None) -> dict[str, Any]:
        return await self.repo.export(guild_id)

    async def complete_for_curators(
        self, typed: str, guild_id: int | None, lang: str, *, hidden: bool = False
    ) -> list[Entry]:
        """Topics matching what an admin is typing: all of them, hidden ones too, or (`hidden`) only the
        hidden ones (what /faq restore can bring back). Kept with the guild's index, so a keystroke costs
        no database query."""
        return (await self._snapshot(guild_id)).curation[hidden].find(typed, lang)
