"""Per-guild settings, the log of unanswered questions, and answer feedback."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum

from sqlalchemy import desc, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.models import FeedbackRow, GuildSettingsRow, UnansweredRow

LANGUAGE_MODES = ("auto", "en", "zh", "both")


class VoteOutcome(IntEnum):
    """What a vote did; SAME is falsy, so `if await feedback.vote(...)` means "something changed"."""

    SAME = 0
    CHANGED = 1
    NEW = 2


@dataclass(frozen=True, slots=True)
class GuildSettings:
    """What /config sets for one guild."""

    guild_id: int
    language: str = "auto"
    chat_channel_ids: frozenset[int] = field(default_factory=frozenset)
    editor_role_id: int | None = None


@dataclass(frozen=True, slots=True)
class UnansweredSummary:
    """A question the bot could not answer, grouped by its normalised text."""

    question: str
    count: int
    lang: str


class GuildSettingsRepository:
    """Reads and writes GuildSettings; a guild without a row has the defaults."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def get(self, guild_id: int) -> GuildSettings:
        async with self._sessions() as session:
            row = await session.get(GuildSettingsRow, guild_id)
        return _settings(row) if row is not None else GuildSettings(guild_id)

    async def update(
        self,
        guild_id: int,
        *,
        language: str | None = None,
        chat_channel_ids: Iterable[int] | None = None,
        editor_role_id: int | None = None,
        clear_editor_role: bool = False,
    ) -> GuildSettings:
        """Change the given fields, keep the others."""
        if language is not None and language not in LANGUAGE_MODES:
            raise ValueError(f"language must be one of {LANGUAGE_MODES}")
        async with self._sessions() as session, session.begin():
            row = await session.get(GuildSettingsRow, guild_id)
            if row is None:
                row = GuildSettingsRow(guild_id=guild_id, language="auto", chat_channel_ids=[])
                session.add(row)
            if language is not None:
                row.language = language
            if chat_channel_ids is not None:
                row.chat_channel_ids = sorted(set(chat_channel_ids))
            if editor_role_id is not None or clear_editor_role:
                row.editor_role_id = editor_role_id
            await session.flush()
            return _settings(row)


def _settings(row: GuildSettingsRow) -> GuildSettings:
    return GuildSettings(
        guild_id=row.guild_id,
        language=row.language,
        chat_channel_ids=frozenset(row.chat_channel_ids or ()),
        editor_role_id=row.editor_role_id,
    )


class UnansweredRepository:
    """Questions the bot abstained on."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def log(
        self,
        question: str,
        normalized: str,
        lang: str,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        async with self._sessions() as session, session.begin():
            session.add(
                UnansweredRow(
                    guild_id=guild_id,
                    channel_id=channel_id,
                    user_id=user_id,
                    question=question[:1000],
                    normalized=(normalized or question)[:200],
                    lang=lang,
                )
            )

    async def top(self, guild_id: int | None, limit: int = 15) -> list[UnansweredSummary]:
        """The most frequent unanswered questions of a guild, most frequent first."""
        scope = UnansweredRow.guild_id.is_(None) if guild_id is None else UnansweredRow.guild_id == guild_id
        count = func.count().label("n")
        query = (
            select(
                UnansweredRow.normalized,
                count,
                func.max(UnansweredRow.question),
                func.max(UnansweredRow.lang),
            )
            .where(scope)
            .group_by(UnansweredRow.normalized)
            .order_by(desc(count), UnansweredRow.normalized)
            .limit(limit)
        )
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        return [UnansweredSummary(question=r[2], count=r[1], lang=r[3]) for r in rows]


class FeedbackRepository:
    """Helpful / not helpful votes: one per user per answer; voting again changes the vote."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def vote(
        self, answer_key: str, user_id: int, slug: str, lang: str, helpful: bool, guild_id: int | None = None
    ) -> VoteOutcome:
        """Record the vote and say whether it is new, changed, or the same as before (falsy)."""
        async with self._sessions() as session, session.begin():
            existing = await session.scalar(
                select(FeedbackRow).where(
                    FeedbackRow.answer_key == answer_key, FeedbackRow.user_id == user_id
                )
            )
            if existing is None:
                session.add(
                    FeedbackRow(
                        guild_id=guild_id,
                        answer_key=answer_key,
                        user_id=user_id,
                        slug=slug,
                        lang=lang,
                        helpful=helpful,
                    )
                )
                return VoteOutcome.NEW
            if existing.helpful == helpful:
                return VoteOutcome.SAME
            existing.helpful = helpful
            return VoteOutcome.CHANGED

    async def tally(self, answer_key: str) -> tuple[int, int]:
        """(helpful, not helpful) votes on one answer."""
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(FeedbackRow.helpful, func.count())
                    .where(FeedbackRow.answer_key == answer_key)
                    .group_by(FeedbackRow.helpful)
                )
            ).all()
        counts = {bool(h): n for h, n in rows}
        return counts.get(True, 0), counts.get(False, 0)
