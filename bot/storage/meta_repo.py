"""Small key/value facts about this installation (e.g. the hash of the last synced command tree)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.models import AppMetaRow


class MetaRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def get(self, key: str) -> str | None:
        async with self._sessions() as session:
            row = await session.get(AppMetaRow, key)
        return row.value if row is not None else None

    async def set(self, key: str, value: str) -> None:
        async with self._sessions() as session, session.begin():
            await session.merge(AppMetaRow(key=key, value=value))
