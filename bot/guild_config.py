"""Guild settings with an in-process cache: chat answering reads them on every message."""

from __future__ import annotations

from collections.abc import Iterable

from bot.storage.guild_repo import GuildSettings, GuildSettingsRepository


class GuildConfig:
    """Reads through a cache; every change goes through `update`, which refreshes it."""

    def __init__(self, repo: GuildSettingsRepository, max_cached: int = 50_000) -> None:
        self._repo = repo
        self._cache: dict[int, GuildSettings] = {}
        self._max = max_cached

    async def get(self, guild_id: int) -> GuildSettings:
        cached = self._cache.get(guild_id)
        if cached is None:
            cached = await self._repo.get(guild_id)
            if len(self._cache) >= self._max:
                self._cache.clear()
            self._cache[guild_id] = cached
        return cached

    async def update(
        self,
        guild_id: int,
        *,
        language: str | None = None,
        chat_channel_ids: Iterable[int] | None = None,
        editor_role_id: int | None = None,
        clear_editor_role: bool = False,
    ) -> GuildSettings:
        settings = await self._repo.update(
            guild_id,
            language=language,
            chat_channel_ids=chat_channel_ids,
            editor_role_id=editor_role_id,
            clear_editor_role=clear_editor_role,
        )
        self._cache[guild_id] = settings
        return settings
