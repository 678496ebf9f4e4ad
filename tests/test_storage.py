"""The repository on real databases (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import pytest
from sqlalchemy import text

from bot.errors import ConflictError, DuplicateError, NotFoundError, ValidationError
from bot.knowledge.entry import Entry
from bot.knowledge.source import load_entries
from bot.storage import database
from bot.storage.database import (
    SCHEMA_HEAD,
    create_engine,
    create_sessionmaker,
    current_revision,
    ensure_schema,
    head_revision,
    migrate,
)
from bot.storage.guild_repo import FeedbackRepository, GuildSettingsRepository, UnansweredRepository
from bot.storage.knowledge_repo import KnowledgeRepository

GUILD_A, GUILD_B = 111, 222


def make_entry(slug: str = "cat-tax", answer: str = "Post a pet photo.", **changes: object) -> Entry:
    entry = Entry(
        slug=slug,
        category="culture",
        title={"en": "Cat tax", "zh": "猫税"},
        answer={"en": answer, "zh": "发一张宠物照片。"},
        questions={"en": ("what is the cat tax",), "zh": ("猫税是什么",)},
        tags=("cat tax", "猫税"),
    )
    return dataclasses.replace(entry, **changes)


@pytest.fixture
async def repo(sessions) -> KnowledgeRepository:
    return KnowledgeRepository(sessions)


async def test_schema_head_constant_matches_migrations() -> None:
    assert head_revision() == SCHEMA_HEAD


async def test_ensure_schema_migrates_fresh_and_outdated_databases_only(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alembic import command

    engine = create_engine(db_url)
    try:
        assert await current_revision(engine) is None
        await ensure_schema(engine)  # a fresh database
        assert await current_revision(engine) == SCHEMA_HEAD
        async with engine.begin() as conn:  # an older one: every migration undone
            await conn.run_sync(lambda c: command.downgrade(database._alembic_config(c), "base"))
        assert await current_revision(engine) is None
        await ensure_schema(engine)
        assert await current_revision(engine) == SCHEMA_HEAD
        assert await KnowledgeRepository(create_sessionmaker(engine)).count() == 0

        async def no_migration(_engine: object) -> None:
            raise AssertionError("a database at the newest schema was migrated again")

        monkeypatch.setattr(database, "migrate", no_migration)
        await ensure_schema(engine)  # at head: one cheap query, no Alembic
    finally:
        await engine.dispose()


async def test_sqlite_uses_wal_and_busy_timeout(tmp_path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}")
    async with engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 5000
    await engine.dispose()


async def test_seeding_is_idempotent(repo: KnowledgeRepository) -> None:
    entries = load_entries()
    first = await repo.seed(entries)
    assert len(first.added) == len(entries) > 30
    rows = await repo.count()
    second = await repo.seed(entries)
    assert (second.added, second.updated, second.unchanged) == ((), (), len(entries))
    assert await repo.count() == rows
    assert len(await repo.history("cat-tax")) == 1


async def test_seeding_updates_changed_shipped_entries_only(repo: KnowledgeRepository) -> None:
    await repo.seed([make_entry(), make_entry("other", answer="x")])
    report = await repo.seed([make_entry(answer="Post a photo of any pet."), make_entry("other", answer="x")])
    assert report.updated == ("cat-tax",) and report.unchanged == 1
    assert (await repo.get("cat-tax")).answer["en"] == "Post a photo of any pet."


async def test_a_shipped_entry_removed_from_the_source_is_retired_and_comes_back(
    repo: KnowledgeRepository,
) -> None:
    await repo.seed([make_entry(), make_entry("other", answer="x")])
    report = await repo.seed([make_entry()])
    assert report.retired == ("other",)
    assert [e.slug for e in await repo.entries()] == ["cat-tax"]
    assert (await repo.get("other", include_hidden=True)).answer["en"] == "x"  # kept, only hidden
    assert [r.action for r in await repo.history("other")] == ["seed", "retire"]
    assert (await repo.seed([make_entry()])).retired == ()  # once
    back = await repo.seed([make_entry(), make_entry("other", answer="x")])
    assert back.updated == ("other",)
    assert sorted(e.slug for e in await repo.entries()) == ["cat-tax", "other"]


async def test_a_shipped_entry_the_host_edited_is_neither_updated_nor_retired(
    repo: KnowledgeRepository,
) -> None:
    await repo.seed([make_entry(), make_entry("other", answer="x")])
    await repo.save(make_entry("other", answer="The host's own text."))  # global scope, e.g. kb import
    changed = await repo.seed([make_entry(), make_entry("other", answer="A newer shipped text.")])
    assert changed.kept == ("other",) and changed.updated == ()
    assert (await repo.seed([make_entry()])).retired == ()
    assert (await repo.get("other")).answer["en"] == "The host's own text."


async def test_a_global_entry_the_host_added_before_it_was_shipped_is_kept(repo: KnowledgeRepository) -> None:
    await repo.seed([make_entry()])
    await repo.add(make_entry("other", answer="The host's own text."))  # kb import of a new slug
    report = await repo.seed([make_entry(), make_entry("other", answer="The shipped text.")])
    assert report.kept == ("other",) and report.updated == () and report.added == ()
    assert (await repo.get("other")).answer["en"] == "The host's own text."
    # The same text as shipped: adopted as seeded, so later shipped changes reach it.
    await repo.add(make_entry("same", answer="Identical."))
    assert (await repo.seed([make_entry(), make_entry("same", answer="Identical.")])).unchanged == 2
    updated = await repo.seed([make_entry(), make_entry("same", answer="Improved.")])
    assert updated.updated == ("same",)
    assert (await repo.get("same")).answer["en"] == "Improved."


async def test_seed_fingerprint_skips_unchanged_source(repo: KnowledgeRepository) -> None:
    calls = []

    def load() -> list[Entry]:
        calls.append(1)
        return [make_entry()]

    assert not (await repo.seed_if_changed("fp1", load)).skipped
    assert (await repo.seed_if_changed("fp1", load)).skipped
    assert len(calls) == 1


async def test_admin_edit_survives_reseeding(repo: KnowledgeRepository) -> None:
    await repo.seed([make_entry()])
    await repo.save(make_entry(answer="Our server's own text."), GUILD_A, actor_id=7)
    await repo.seed([make_entry(answer="A newer shipped text.")])
    assert (await repo.get("cat-tax", GUILD_A)).answer["en"] == "Our server's own text."
    assert (await repo.get("cat-tax")).answer["en"] == "A newer shipped text."
    assert (await repo.get("cat-tax", GUILD_B)).answer["en"] == "A newer shipped text."


async def test_admin_edits_survive_restart_and_upgrade(db_url: str) -> None:
    engine = create_engine(db_url)
    await migrate(engine)
    repo = KnowledgeRepository(create_sessionmaker(engine))
    await repo.seed([make_entry()])
    await repo.add(make_entry("our-rules", answer="Be kind."), GUILD_A, actor_id=1)
    await engine.dispose()

    engine = create_engine(db_url)  # a restart: migrate again, seed again
    await migrate(engine)
    repo = KnowledgeRepository(create_sessionmaker(engine))
    await repo.seed([make_entry()])
    assert (await repo.get("our-rules", GUILD_A)).answer["en"] == "Be kind."
    await engine.dispose()


async def test_guild_isolation(repo: KnowledgeRepository) -> None:
    await repo.seed([make_entry()])
    await repo.add(make_entry("a-only", answer="A's secret"), GUILD_A, actor_id=1)
    await repo.save(make_entry(answer="A's cat tax"), GUILD_A, actor_id=1)
    await repo.set_hidden("cat-tax", True, GUILD_B, actor_id=2)

    b_slugs = {e.slug for e in await repo.entries(GUILD_B)}
    assert "a-only" not in b_slugs and "cat-tax" not in b_slugs
    with pytest.raises(NotFoundError):
        await repo.get("a-only", GUILD_B)
    with pytest.raises(NotFoundError):
        await repo.history("a-only", GUILD_B)
    with pytest.raises(NotFoundError):
        await repo.save(make_entry("a-only", answer="B overwrites"), GUILD_B, actor_id=2)
    assert (await repo.get("cat-tax", GUILD_A)).answer["en"] == "A's cat tax"
    assert (await repo.get("cat-tax")).answer["en"] == "Post a pet photo."
    exported_b = await repo.export(GUILD_B)
    assert "A's" not in json.dumps(exported_b)
    # a revision of guild A cannot be reverted into guild B
    a_revision = (await repo.history("cat-tax", GUILD_A))[-1]
    with pytest.raises(NotFoundError):
        await repo.revert("cat-tax", a_revision.id, GUILD_B, actor_id=2)


async def test_override_and_own_entries_in_export(repo: KnowledgeRepository) -> None:
    await repo.seed([make_entry(), make_entry("other", answer="x")])
    await repo.save(make_entry(answer="changed"), GUILD_A, actor_id=1)
    doc = await repo.export(GUILD_A)
    by_slug = {e["slug"]: e for e in doc["entries"]}
    assert by_slug["cat-tax"]["guild_id"] == GUILD_A
    assert by_slug["other"]["guild_id"] is None
    assert set(by_slug["cat-tax"]) == {"slug", "category", "title", "answer", "questions", "tags", "guild_id"}


async def test_history_and_revert(repo: KnowledgeRepository) -> None:
    await repo.seed([make_entry()])
    await repo.save(make_entry(answer="v2"), GUILD_A, actor_id=10)
    await repo.save(make_entry(answer="v3"), GUILD_A, actor_id=11)
    history = await repo.history("cat-tax", GUILD_A)
    assert [r.action for r in history] == ["seed", "edit", "edit"]
    assert history[1].actor_id == 10 and history[2].changes == ("answer (en)",)
    await repo.revert("cat-tax", history[1].id, GUILD_A, actor_id=12)
    assert (await repo.get("cat-tax", GUILD_A)).answer["en"] == "v2"
    # back to the shipped version: the override goes away, later shipped updates show again
    await repo.revert("cat-tax", history[0].id, GUILD_A, actor_id=12)
    reverted = await repo.get("cat-tax", GUILD_A)
    assert reverted.answer["en"] == "Post a pet photo." and reverted.guild_id is None
    await repo.seed([make_entry(answer="shipped v2")])
    assert (await repo.get("cat-tax", GUILD_A)).answer["en"] == "shipped v2"
    assert [r.action for r in await repo.history("cat-tax", GUILD_A)][-2:] == ["revert", "seed"]


async def test_hide_and_restore(repo: KnowledgeRepository) -> None:
    await repo.seed([make_entry()])
    await repo.set_hidden("cat-tax", True, GUILD_A, actor_id=1)
    assert [e.slug for e in await repo.entries(GUILD_A)] == []
    assert (await repo.get("cat-tax", GUILD_A, include_hidden=True)).hidden
    await repo.set_hidden("cat-tax", False, GUILD_A, actor_id=1)
    assert [e.slug for e in await repo.entries(GUILD_A)] == ["cat-tax"]


async def test_concurrent_edit_is_refused(repo: KnowledgeRepository) -> None:
    await repo.seed([make_entry()])
    opened = await repo.get("cat-tax", GUILD_A)
    assert opened.version == 0
    await repo.save(make_entry(answer="first"), GUILD_A, actor_id=1, expected_version=opened.version)
    with pytest.raises(ConflictError):
        await repo.save(make_entry(answer="second"), GUILD_A, actor_id=2, expected_version=opened.version)
    current = await repo.get("cat-tax", GUILD_A)
    assert current.answer["en"] == "first"
    await repo.save(make_entry(answer="third"), GUILD_A, actor_id=2, expected_version=current.version)
    assert (await repo.get("cat-tax", GUILD_A)).answer["en"] == "third"


async def test_simultaneous_saves_one_wins(repo: KnowledgeRepository) -> None:
    await repo.seed([make_entry()])
    await repo.save(make_entry(answer="base"), GUILD_A, actor_id=1)
    version = (await repo.get("cat-tax", GUILD_A)).version
    results = await asyncio.gather(
        *(repo.save(make_entry(answer=f"w{i}"), GUILD_A, i, expected_version=version) for i in range(4)),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, ConflictError) for r in results if isinstance(r, Exception))


async def test_add_duplicate_slug_refused(repo: KnowledgeRepository) -> None:
    await repo.seed([make_entry()])
    with pytest.raises(DuplicateError):
        await repo.add(make_entry(), GUILD_A, actor_id=1)


async def test_import_rejects_bad_file_and_writes_nothing(repo: KnowledgeRepository) -> None:
    await repo.seed([make_entry()])
    before = await repo.export(GUILD_A)
    good = make_entry("new-one").to_export()
    bad = {**make_entry("Bad Slug").to_export(), "category": "nope", "title": {"en": 5}}
    with pytest.raises(ValidationError) as info:
        await repo.import_document({"version": 1, "entries": [good, bad, good]}, GUILD_A, actor_id=1)
    problems = "\n".join(info.value.problems)
    assert "entries[1]" in problems and ".slug" in problems and ".category" in problems
    assert ".title.en" in problems and "duplicate slug" in problems
    assert await repo.export(GUILD_A) == before
    with pytest.raises(ValidationError):
        await repo.import_document({"entries": "x"}, GUILD_A)
    with pytest.raises(ValidationError):
        await repo.import_document([1, 2], GUILD_A)


async def test_import_round_trip_is_identical(repo: KnowledgeRepository) -> None:
    await repo.seed(load_entries())
    await repo.add(make_entry("our-own"), GUILD_A, actor_id=1)
    first = await repo.export(GUILD_A)
    plan = await repo.import_document(first, GUILD_A, actor_id=1)
    assert plan.changes == 0
    assert await repo.export(GUILD_A) == first
    # into a fresh guild: only the guild's own entry is new
    plan_b = await repo.import_document(first, GUILD_B, actor_id=2)
    assert plan_b.added == ("our-own",) and plan_b.changes == 1


async def test_guild_settings_feedback_unanswered(sessions) -> None:
    settings = GuildSettingsRepository(sessions)
    assert (await settings.get(GUILD_A)).language == "auto"
    await settings.update(GUILD_A, language="zh", chat_channel_ids=[5, 6, 5], editor_role_id=9)
    got = await settings.get(GUILD_A)
    assert (got.language, got.chat_channel_ids, got.editor_role_id) == ("zh", frozenset({5, 6}), 9)
    assert (await settings.get(GUILD_B)).chat_channel_ids == frozenset()

    feedback = FeedbackRepository(sessions)
    assert await feedback.vote("msg1", 1, "cat-tax", "en", True, GUILD_A)
    assert not await feedback.vote("msg1", 1, "cat-tax", "en", True, GUILD_A)
    assert await feedback.vote("msg1", 1, "cat-tax", "en", False, GUILD_A)
    await feedback.vote("msg1", 2, "cat-tax", "en", True, GUILD_A)
    assert await feedback.tally("msg1") == (1, 1)

    unanswered = UnansweredRepository(sessions)
    for q in ("what's the weather", "What's the weather?", "bitcoin price"):
        await unanswered.log(q, q.lower().strip("?"), "en", guild_id=GUILD_A)
    await unanswered.log("other guild", "other guild", "en", guild_id=GUILD_B)
    top = await unanswered.top(GUILD_A)
    assert (top[0].count, top[0].question.lower().rstrip("?")) == (2, "what's the weather")
    assert all(s.question != "other guild" for s in top)
