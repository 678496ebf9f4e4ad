"""The composition root of the core: settings in, a ready Core (database, repositories, knowledge) out."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.config import Settings
from bot.engine import KnowledgeIndex
from bot.guild_config import GuildConfig
from bot.knowledge.index_cache import IndexCache
from bot.knowledge.seeding import seed_knowledge
from bot.knowledge.service import IndexFactory, KnowledgeService
from bot.storage.database import create_engine, create_sessionmaker, ensure_schema
from bot.storage.guild_repo import FeedbackRepository, GuildSettingsRepository, UnansweredRepository
from bot.storage.knowledge_repo import KnowledgeRepository
from bot.storage.meta_repo import MetaRepository

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Core:
    """Everything the CLI and the Discord cogs call into; built once per process."""

    knowledge: KnowledgeService
    guild_settings: GuildConfig
    feedback: FeedbackRepository
    unanswered: UnansweredRepository
    meta: MetaRepository


def index_factory(settings: Settings, cache_indexes: bool) -> IndexFactory:
    """How the knowledge service builds indexes: through the disk cache when asked and configured."""
    if cache_indexes and settings.index_cache_dir is not None:
        return IndexCache(settings.index_cache_dir)
    return KnowledgeIndex.build


@asynccontextmanager
async def open_core(settings: Settings, *, cache_indexes: bool = False) -> AsyncIterator[Core]:
    """Open the database, upgrade it to the newest schema, seed the curated entries; close on exit.

    `cache_indexes`: keep built indexes in `settings.index_cache_dir`, for short-lived processes (`ask`).
    """
    engine = create_engine(settings.database_url)
    try:
        await ensure_schema(engine)
        sessions = create_sessionmaker(engine)
        repo = KnowledgeRepository(sessions)
        await seed_knowledge(repo, settings.knowledge_dir)
        unanswered = UnansweredRepository(sessions)
        yield Core(
            knowledge=KnowledgeService(repo, unanswered, index_factory(settings, cache_indexes)),
            guild_settings=GuildConfig(GuildSettingsRepository(sessions)),
            feedback=FeedbackRepository(sessions),
            unanswered=unanswered,
            meta=MetaRepository(sessions),
        )
    finally:
        await engine.dispose()
