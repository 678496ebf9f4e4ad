"""The knowledge base in the database: global (shipped) entries, guild entries and overrides, history.

A guild sees every global entry it has not hidden or overridden, plus its own. Overriding a global entry
creates a guild row for that slug; a guild row without contents only carries state (e.g. hidden) and
shows the global entry's contents. Every change appends a revision holding the row's full state.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import ConflictError, DuplicateError, NotFoundError, ValidationError
from bot.knowledge.entry import CATEGORIES, LANGS, Entry
from bot.knowledge.schema import document, entry_problems, parse_document
from bot.storage.models import AppMetaRow, EntryContentRow, KnowledgeEntryRow, RevisionRow, utcnow

Snapshot = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Revision:
    """One change in an entry's history, as shown to admins."""

    id: int
    slug: str
    guild_id: int | None
    action: str
    actor_id: int | None
    created_at: datetime
    changes: tuple[str, ...]
    snapshot: Snapshot


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What a seeding run did."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: int = 0
    skipped: bool = False
    retired: tuple[str, ...] = ()
    """Shipped entries no longer in the source: hidden (kept, with their history), unless edited since."""
    kept: tuple[str, ...] = ()
    """Shipped entries the source changed but the host had edited since they were seeded, or had added with
    `kb import` before the source shipped them: left as the host made them."""


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What an import would change in one scope (nothing written yet)."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.updated)


@dataclass(frozen=True, slots=True)
class Stats:
    """Counts for `kb stats`."""

    total: int
    per_category: dict[str, int]
    per_language: dict[str, int]
    missing_language: dict[str, tuple[str, ...]]


RETIRED = "retired"
"""`seed_hash` of a shipped entry the source no longer has (hidden by `seed`)."""


def _row_hash(row: KnowledgeEntryRow) -> str | None:
    """`content_hash` of what a global row holds now (None when it holds no usable entry)."""
    current = _make_entry(row, None, None)
    return content_hash(current) if current is not None else None


def _as_seeded(row: KnowledgeEntryRow) -> bool:
    """Whether a global row still holds exactly what seeding last wrote into it."""
    current = _row_hash(row)
    return current is not None and current == row.seed_hash


def content_hash(entry: Entry) -> str:
    """A stable fingerprint of an entry's curated content."""
    payload = entry.to_export()
    payload.pop("guild_id", None)
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _contents_snapshot(row: KnowledgeEntryRow) -> dict[str, Any] | None:
    if not row.contents:
        return None
    return {
        c.lang: {"title": c.title, "answer": c.answer, "questions": list(c.questions or [])}
        for c in row.contents
    }


def _snapshot(row: KnowledgeEntryRow) -> Snapshot:
    return {
        "category": row.category,
        "tags": list(row.tags) if row.tags is not None else None,
        "hidden": row.hidden,
        "content": _contents_snapshot(row),
    }


def _entry_content(entry: Entry) -> dict[str, Any]:
    return {
        lang: {
            "title": entry.title.get(lang, ""),
            "answer": entry.answer.get(lang, ""),
            "questions": list(entry.questions.get(lang, ())),
        }
        for lang in LANGS
        if entry.title.get(lang) or entry.answer.get(lang)
    }


def _set_content(row: KnowledgeEntryRow, content: dict[str, Any] | None) -> None:
    by_lang = {c.lang: c for c in row.contents}
    wanted = content or {}
    for lang, existing in list(by_lang.items()):
        if lang not in wanted:
            row.contents.remove(existing)
    for lang, part in wanted.items():
        target = by_lang.get(lang)
        if target is None:
            row.contents.append(EntryContentRow(lang=lang, **part))
        else:
            target.title, target.answer, target.questions = part["title"], part["answer"], part["questions"]


def _diff(before: Snapshot | None, after: Snapshot) -> tuple[str, ...]:
    if before is None:
        return ("created",)
    changes: list[str] = []
    for key in ("category", "tags", "hidden"):
        if before.get(key) != after.get(key):
            changes.append(key)
    old, new = before.get("content"), after.get("content")
    if (old is None) != (new is None):
        changes.append("contents" if new is not None else "contents reset to the shipped version")
    elif old is not None and new is not None:
        for lang in LANGS:
            for field in ("title", "answer", "questions"):
                if (old.get(lang) or {}).get(field) != (new.get(lang) or {}).get(field):
                    changes.append(f"{field} ({lang})")
    return tuple(changes) or ("no change",)


def _make_entry(
    global_row: KnowledgeEntryRow | None, guild_row: KnowledgeEntryRow | None, guild_id: int | None
) -> Entry | None:
    source = guild_row if guild_row is not None and guild_row.contents else global_row
    if source is None or not source.contents:
        return None
    by_lang = {c.lang: c for c in source.contents}
    category = (guild_row.category if guild_row is not None else None) or (
        global_row.category if global_row is not None else None
    )
    tags = guild_row.tags if guild_row is not None and guild_row.tags is not None else None
    if tags is None and global_row is not None:
        tags = global_row.tags
    if guild_row is not None:
        hidden, version = guild_row.hidden, guild_row.version
    else:
        hidden = bool(global_row.hidden) if global_row is not None else False
        version = global_row.version if global_row is not None and guild_id is None else 0
    return Entry(
        slug=source.slug,
        category=category or "server",
        title={lang: by_lang[lang].title for lang in LANGS if lang in by_lang},
        answer={lang: by_lang[lang].answer for lang in LANGS if lang in by_lang},
        questions={lang: tuple(by_lang[lang].questions or ()) for lang in LANGS if lang in by_lang},
        tags=tuple(tags or ()),
        guild_id=source.guild_id,
        version=version,
        hidden=hidden,
    )


def _sort_key(entry: Entry) -> tuple[int, str]:
    order = CATEGORIES.index(entry.category) if entry.category in CATEGORIES else len(CATEGORIES)
    return order, entry.slug


class KnowledgeRepository:
    """All reads and writes of knowledge entries, for one guild scope at a time (None = global)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    # -- reading -------------------------------------------------------------------------------
    async def _rows(
        self, session: AsyncSession, guild_id: int | None, slug: str | None = None
    ) -> tuple[dict[str, KnowledgeEntryRow], dict[str, KnowledgeEntryRow]]:
        scope = KnowledgeEntryRow.guild_id.is_(None)
        if guild_id is not None:
            scope = or_(scope, KnowledgeEntryRow.guild_id == guild_id)
        query = select(KnowledgeEntryRow).where(scope)
        if slug is not None:
            query = query.where(KnowledgeEntryRow.slug == slug)
        rows = (await session.scalars(query)).all()
        global_rows = {r.slug: r for r in rows if r.guild_id is None}
        guild_rows = {r.slug: r for r in rows if r.guild_id is not None}
        return global_rows, guild_rows

    async def entries(self, guild_id: int | None = None, include_hidden: bool = False) -> list[Entry]:
        """Every entry the guild sees (global entries not hidden or overridden, plus its own), sorted."""
        async with self._sessions() as session:
            global_rows, guild_rows = await self._rows(session, guild_id)
        result = []
        for slug in global_rows.keys() | guild_rows.keys():
            entry = _make_entry(global_rows.get(slug), guild_rows.get(slug), guild_id)
            if entry is not None and (include_hidden or not entry.hidden):
                result.append(entry)
        return sorted(result, key=_sort_key)

    async def get(self, slug: str, guild_id: int | None = None, include_hidden: bool = False) -> Entry:
        """One entry as the guild sees it, or NotFoundError."""
        async with self._sessions() as session:
            global_rows, guild_rows = await self._rows(session, guild_id, slug)
        entry = _make_entry(global_rows.get(slug), guild_rows.get(slug), guild_id)
        if entry is None or (entry.hidden and not include_hidden):
            raise _not_found(slug)
        return entry

    async def customised_guilds(self) -> set[int]:
        """Guilds that have entries or overrides of their own."""
        async with self._sessions() as session:
            query = select(KnowledgeEntryRow.guild_id).where(KnowledgeEntryRow.guild_id.is_not(None))
            return {gid for gid in (await session.scalars(query.distinct())).all() if gid is not None}

    async def history(self, slug: str, guild_id: int | None = None) -> list[Revision]:
        """The revisions of the entry in this scope and of the global entry it overrides, oldest first."""
        async with self._sessions() as session:
            global_rows, guild_rows = await self._rows(session, guild_id, slug)
            rows = [r for r in (global_rows.get(slug), guild_rows.get(slug)) if r is not None]
            if not rows:
                raise _not_found(slug)
            revisions = (
                await session.scalars(
                    select(RevisionRow)
                    .where(RevisionRow.entry_id.in_([r.id for r in rows]))
                    .order_by(RevisionRow.id)
                )
            ).all()
        owner = {r.id: r.guild_id for r in rows}
        previous: dict[int, Snapshot] = {}
        result = []
        for rev in revisions:
            result.append(
                Revision(
                    id=rev.id,
                    slug=slug,
                    guild_id=owner[rev.entry_id],
                    action=rev.action,
                    actor_id=rev.actor_id,
                    created_at=rev.created_at,
                    changes=_diff(previous.get(rev.entry_id), rev.snapshot),
                    snapshot=rev.snapshot,
                )
            )
            previous[rev.entry_id] = rev.snapshot
        return result

    async def stats(self, guild_id: int | None = None) -> Stats:
        """Counts per category and language, and entries missing a language."""
        entries = await self.entries(guild_id)
        per_category = {c: 0 for c in CATEGORIES}
        per_language = {lang: 0 for lang in LANGS}
        missing: dict[str, list[str]] = {lang: [] for lang in LANGS}
        for entry in entries:
            per_category[entry.category] = per_category.get(entry.category, 0) + 1
            for lang in LANGS:
                if entry.title.get(lang) and entry.answer.get(lang):
                    per_language[lang] += 1
                else:
                    missing[lang].append(entry.slug)
        return Stats(len(entries), per_category, per_language, {k: tuple(v) for k, v in missing.items()})

    async def export(self, guild_id: int | None = None) -> dict[str, Any]:
        """The `kb export` document of what the guild sees."""
        return document(await self.entries(guild_id))

    # -- writing -------------------------------------------------------------------------------
    def _record(self, session: AsyncSession, row: KnowledgeEntryRow, action: str, actor: int | None) -> None:
        session.add(RevisionRow(entry_id=row.id, action=action, actor_id=actor, snapshot=_snapshot(row)))

    async def _guild_row(
        self, session: AsyncSession, guild_id: int | None, slug: str
    ) -> tuple[KnowledgeEntryRow | None, KnowledgeEntryRow | None]:
        global_rows, guild_rows = await self._rows(session, guild_id, slug)
        own = global_rows.get(slug) if guild_id is None else guild_rows.get(slug)
        return global_rows.get(slug), own

    async def _bump(self, session: AsyncSession, row: KnowledgeEntryRow, expected: int | None) -> None:
        """Take the next version; ConflictError when the row changed since version `expected`."""
        condition = KnowledgeEntryRow.id == row.id
        if expected is not None:
            condition = and_(condition, KnowledgeEntryRow.version == expected)
        result = await session.execute(
            update(KnowledgeEntryRow)
            .where(condition)
            .values(version=KnowledgeEntryRow.version + 1, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise _conflict()
        await session.refresh(row, ["version"])

    async def add(self, entry: Entry, guild_id: int | None = None, actor_id: int | None = None) -> Entry:
        """A new topic in this scope; DuplicateError when the slug is taken (even if hidden)."""
        _check(entry)
        async with self._sessions() as session, session.begin():
            global_row, own = await self._guild_row(session, guild_id, entry.slug)
            if own is not None or global_row is not None:
                raise DuplicateError(
                    f"A topic `{entry.slug}` already exists: edit it with /faq edit, or choose another slug.",
                    f"主题 `{entry.slug}` 已存在：请用 /faq edit 编辑，或换一个标识。",
                )
            row = await self._insert(session, entry, guild_id)
            self._record(session, row, "create", actor_id)
        return await self.get(entry.slug, guild_id, include_hidden=True)

    async def _insert(self, session: AsyncSession, entry: Entry, guild_id: int | None) -> KnowledgeEntryRow:
        row = KnowledgeEntryRow(
            slug=entry.slug, guild_id=guild_id, category=entry.category, tags=list(entry.tags), contents=[]
        )
        _set_content(row, _entry_content(entry))
        session.add(row)
        try:
            await session.flush()
        except IntegrityError as exc:
            raise _conflict() from exc
        return row

    async def save(
        self,
        entry: Entry,
        guild_id: int | None = None,
        actor_id: int | None = None,
        expected_version: int | None = None,
        action: str = "edit",
    ) -> Entry:
        """Write `entry`'s content in this scope (creating the guild's override of a global entry).

        With `expected_version` (the version the editor saw), refuses with ConflictError if it changed.
        """
        _check(entry)
        async with self._sessions() as session, session.begin():
            global_row, own = await self._guild_row(session, guild_id, entry.slug)
            if own is None:
                if global_row is None:
                    raise _not_found(entry.slug)
                if expected_version not in (None, 0):
                    raise _conflict()
                row = await self._insert(session, entry, guild_id)
            else:
                await self._bump(session, own, expected_version)
                row = own
                row.category, row.tags = entry.category, list(entry.tags)
                _set_content(row, _entry_content(entry))
                await session.flush()
            self._record(session, row, action, actor_id)
        return await self.get(entry.slug, guild_id, include_hidden=True)

    async def set_hidden(
        self, slug: str, hidden: bool, guild_id: int | None = None, actor_id: int | None = None
    ) -> Entry:
        """Hide (or restore) a topic for this scope; a global topic is hidden only for this guild."""
        async with self._sessions() as session, session.begin():
            global_row, own = await self._guild_row(session, guild_id, slug)
            if own is None and global_row is None:
                raise _not_found(slug)
            if own is None:
                own = KnowledgeEntryRow(slug=slug, guild_id=guild_id, hidden=hidden, contents=[])
                session.add(own)
                await session.flush()
            else:
                await self._bump(session, own, None)
                own.hidden = hidden
                await session.flush()
            self._record(session, own, "hide" if hidden else "restore", actor_id)
        return await self.get(slug, guild_id, include_hidden=True)

    async def revert(
        self, slug: str, revision_id: int, guild_id: int | None = None, actor_id: int | None = None
    ) -> Entry:
        """Make the entry in this scope look as it did at `revision_id` (recorded as a new revision)."""
        async with self._sessions() as session, session.begin():
            global_row, own = await self._guild_row(session, guild_id, slug)
            candidates = {r.id: r for r in (global_row, own) if r is not None}
            revision = await session.get(RevisionRow, revision_id)
            if revision is None or revision.entry_id not in candidates:
                raise NotFoundError(
                    f"Revision #{revision_id} is not in the history of `{slug}`: see /faq history.",
                    f"修订 #{revision_id} 不在 `{slug}` 的历史中：请查看 /faq history。",
                )
            snap = revision.snapshot
            from_global = guild_id is not None and candidates[revision.entry_id] is global_row
            if from_global:
                current_global = _snapshot(global_row) if global_row is not None else None
                latest = current_global is not None and current_global["content"] == snap["content"]
                target = {
                    "category": None if latest else snap["category"],
                    "tags": None if latest else snap["tags"],
                    "hidden": False,
                    "content": None if latest else snap["content"],
                }
            else:
                target = snap
            if own is None:
                own = KnowledgeEntryRow(slug=slug, guild_id=guild_id, contents=[])
                session.add(own)
                await session.flush()
            else:
                await self._bump(session, own, None)
            own.category, own.tags, own.hidden = target["category"], target["tags"], bool(target["hidden"])
            _set_content(own, target["content"])
            await session.flush()
            self._record(session, own, "revert", actor_id)
        return await self.get(slug, guild_id, include_hidden=True)

    async def plan_import(self, doc: Any, guild_id: int | None = None) -> tuple[list[Entry], ImportPlan]:
        """Validate a whole import document and say what it would change; writes nothing."""
        entries = parse_document(doc)
        current = {e.slug: e for e in await self.entries(guild_id, include_hidden=True)}
        added, updated, unchanged = [], [], []
        for entry in entries:
            existing = current.get(entry.slug)
            if existing is None:
                added.append(entry.slug)
            elif content_hash(existing) != content_hash(entry) or existing.hidden:
                updated.append(entry.slug)
            else:
                unchanged.append(entry.slug)
        return entries, ImportPlan(tuple(added), tuple(updated), tuple(unchanged))

    async def import_document(
        self, doc: Any, guild_id: int | None = None, actor_id: int | None = None
    ) -> ImportPlan:
        """Validate everything, then write every change in one transaction (all or nothing)."""
        entries, plan = await self.plan_import(doc, guild_id)
        changed = set(plan.added) | set(plan.updated)
        async with self._sessions() as session, session.begin():
            for entry in entries:
                if entry.slug not in changed:
                    continue
                _, own = await self._guild_row(session, guild_id, entry.slug)
                if own is None:
                    row = await self._insert(session, entry, guild_id)
                else:
                    await self._bump(session, own, None)
                    row = own
                    row.category, row.tags, row.hidden = entry.category, list(entry.tags), False
                    _set_content(row, _entry_content(entry))
                    await session.flush()
                self._record(session, row, "import", actor_id)
        return plan

    async def seed_if_changed(self, fingerprint: str, load: Callable[[], Sequence[Entry]]) -> SeedReport:
        """Seed from `load()` unless the source's `fingerprint` equals the last seeded one."""
        async with self._sessions() as session:
            meta = await session.get(AppMetaRow, "seed_fingerprint")
        if meta is not None and meta.value == fingerprint:
            return SeedReport(skipped=True)
        return await self.seed(load(), fingerprint)

    async def seed(self, entries: Sequence[Entry], fingerprint: str | None = None) -> SeedReport:
        """Load the shipped entries into the global scope. Guild rows are never touched.

        New entries are added and changed ones updated; running it again changes nothing. A shipped entry
        the source no longer has is retired: hidden, with a "retire" revision, and shown again if it comes
        back. One the host has edited since it was seeded, or added (`kb import`) before the source shipped
        it, is theirs: neither updated nor retired.
        """
        problems = [p for e in entries for p in entry_problems(e.to_export(), f"data/{e.category}")]
        if problems:
            raise ValidationError(problems)
        async with self._sessions() as session, session.begin():
            rows, _ = await self._rows(session, None)
            added, updated, kept, unchanged = [], [], [], 0
            for entry in entries:
                digest = content_hash(entry)
                row = rows.get(entry.slug)
                if row is None:
                    row = await self._insert(session, entry, None)
                    row.seed_hash = digest
                    added.append(entry.slug)
                elif row.seed_hash != digest:
                    current_hash = _row_hash(row)
                    if row.seed_hash != RETIRED and current_hash not in (None, row.seed_hash):
                        # The host's own: edited since seeded, or added by `kb import` before data/ shipped it.
                        if current_hash == digest:
                            row.seed_hash = digest  # the host's text is the shipped one: seeded from now on
                            unchanged += 1
                        else:
                            kept.append(entry.slug)  # theirs, not overwritten
                        continue
                    await self._bump(session, row, None)
                    if row.seed_hash == RETIRED:  # shipped again
                        row.hidden = False
                    row.category, row.tags, row.seed_hash = entry.category, list(entry.tags), digest
                    _set_content(row, _entry_content(entry))
                    updated.append(entry.slug)
                else:
                    unchanged += 1
                    continue
                await session.flush()
                self._record(session, row, "seed", None)
            retired = await self._retire(session, rows, {e.slug for e in entries})
            if fingerprint is not None:
                await session.merge(AppMetaRow(key="seed_fingerprint", value=fingerprint))
        return SeedReport(tuple(added), tuple(updated), unchanged, retired=retired, kept=tuple(kept))

    async def _retire(
        self, session: AsyncSession, rows: dict[str, KnowledgeEntryRow], shipped: set[str]
    ) -> tuple[str, ...]:
        """Hide the seeded global rows whose slug the source no longer ships (see `seed`)."""
        retired = []
        for slug, row in sorted(rows.items()):
            if slug in shipped or row.hidden or not _as_seeded(row):
                continue  # still shipped, already hidden, or edited since it was seeded (the host's now)
            await self._bump(session, row, None)
            row.hidden, row.seed_hash = True, RETIRED
            await session.flush()
            self._record(session, row, "retire", None)
            retired.append(slug)
        return tuple(retired)

    async def changes_since(self, revision: int | None) -> tuple[int, set[int | None]]:
        """The newest revision's id in any scope (0 when there is none), and the scopes (guild ids, None for
        the global one) changed after `revision` (none asked when it is None). Revision ids grow with every
        change, whichever process made it, so a cache can tell which of its scopes are stale."""
        async with self._sessions() as session:
            if revision is None:
                return int(await session.scalar(select(func.max(RevisionRow.id))) or 0), set()
            query = (
                select(RevisionRow.id, KnowledgeEntryRow.guild_id)
                .join(KnowledgeEntryRow, RevisionRow.entry_id == KnowledgeEntryRow.id)
                .where(RevisionRow.id > revision)
            )
            rows = (await session.execute(query)).all()
        return max((r.id for r in rows), default=revision), {r.guild_id for r in rows}

    async def count(self) -> int:
        """All entry rows in every scope (for tests and diagnostics)."""
        async with self._sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(KnowledgeEntryRow)) or 0)


def _check(entry: Entry) -> None:
    problems = entry_problems(entry.to_export(), "entry")
    if problems:
        raise ValidationError(problems)


def _conflict() -> ConflictError:
    return ConflictError(
        "This topic was changed by someone else since you opened it; nothing was saved. "
        "Your text is shown below: open the editor again and re-apply it.",
        "在你打开编辑后，这个主题已被他人修改，本次未保存。你的文字附在下方：请重新打开编辑器再改。",
    )


def _not_found(slug: str) -> NotFoundError:
    return NotFoundError(f"There is no topic `{slug}` here.", f"这里没有主题 `{slug}`。")
