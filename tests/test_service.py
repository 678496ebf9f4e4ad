"""The knowledge service keeps each guild's index in step with edits, without a restart."""

from __future__ import annotations

import dataclasses

from bot.engine import KnowledgeIndex
from bot.knowledge.service import KnowledgeService
from bot.knowledge.source import load_entries
from bot.storage.guild_repo import UnansweredRepository
from bot.storage.knowledge_repo import KnowledgeRepository

GUILD_A, GUILD_B = 1, 2


async def test_index_follows_edits_per_guild(sessions) -> None:
    repo = KnowledgeRepository(sessions)
    await repo.seed(load_entries())
    service = KnowledgeService(repo, UnansweredRepository(sessions))
    question = "what is the cat tax"
    assert (await service.ask(question, GUILD_A)).match.slug == "cat-tax"

    await service.set_hidden("cat-tax", True, GUILD_A, actor_id=9)
    assert (await service.ask(question, GUILD_A)).match.slug != "cat-tax"
    assert (await service.ask(question, GUILD_B)).match.slug == "cat-tax"

    entry = await service.get("cat-tax")
    visa = dataclasses.replace(
        entry,
        slug="visa-runs",
        category="app",
        title={"en": "Visa runs", "zh": "签证续签"},
        answer={"en": "How visa runs work.", "zh": "签证续签怎么办。"},
        questions={"en": ("what is a visa run", "visa run rules"), "zh": ("签证续签",)},
        tags=("visa run", "签证"),
    )
    await service.add(visa, GUILD_A, actor_id=9)
    assert (await service.ask("how do visa runs work", GUILD_A)).match.slug == "visa-runs"
    assert (await service.ask("how do visa runs work", GUILD_B)).match.slug != "visa-runs"
    assert (await service.find("visa-runs", GUILD_B)) is None


async def test_abstained_questions_are_logged(sessions) -> None:
    repo = KnowledgeRepository(sessions)
    await repo.seed(load_entries())
    unanswered = UnansweredRepository(sessions)
    service = KnowledgeService(repo, unanswered)
    result = await service.ask("who won the chess world championship in 1972", GUILD_A, user_id=5)
    assert result.entry is None
    assert [s.question for s in await unanswered.top(GUILD_A)] == [
        "who won the chess world championship in 1972"
    ]
    await service.ask("   ", GUILD_A)
    assert len(await unanswered.top(GUILD_A)) == 1


async def _counting_service(sessions, freshness: float = 0.0) -> tuple[KnowledgeService, list[int]]:
    """A service over the seeded knowledge base that checks for outside changes every `freshness` seconds
    (by default on every question), and the sizes of the indexes it has built."""
    repo = KnowledgeRepository(sessions)
    await repo.seed(load_entries())
    builds: list[int] = []

    def counting_build(entries):
        builds.append(len(entries))
        return KnowledgeIndex.build(entries)

    return KnowledgeService(repo, index_factory=counting_build, freshness_seconds=freshness), builds


async def test_a_change_made_by_another_process_is_noticed(sessions) -> None:
    """Two shard processes (or the bot and `kb import` on the command line) share one database."""
    here, builds = await _counting_service(sessions)
    elsewhere = KnowledgeService(KnowledgeRepository(sessions))
    question = "what is the cat tax"
    assert (await here.ask(question, GUILD_A)).match.slug == "cat-tax"
    assert (await here.ask(question, GUILD_A)).match.slug == "cat-tax"
    assert len(builds) == 1  # nothing changed: the cached index is used

    await elsewhere.set_hidden("cat-tax", True, None, actor_id=9)  # a global change in another process
    assert (await here.ask(question, GUILD_A)).match.slug != "cat-tax"
    assert len(builds) == 2


async def test_an_own_edit_rebuilds_once(sessions) -> None:
    service, builds = await _counting_service(sessions)
    await service.ask("what is the cat tax", GUILD_A)
    await service.set_hidden("sign-up", True, None, actor_id=9)
    await service.ask("what is the cat tax", GUILD_A)
    await service.ask("what is the cat tax", GUILD_A)
    assert len(builds) == 2


async def test_an_own_edit_is_not_taken_for_an_outside_change_later(sessions, monkeypatch) -> None:
    """The next freshness check must not see this process's own edit as news and drop the rebuilt index."""
    clock = [0.0]
    monkeypatch.setattr("bot.knowledge.service.time.monotonic", lambda: clock[0])
    service, builds = await _counting_service(sessions, freshness=10.0)
    await service.ask("what is the cat tax", GUILD_A)
    await service.set_hidden("sign-up", True, None, actor_id=9)
    await service.ask("what is the cat tax", GUILD_A)
    clock[0] += 11.0  # the next check is due
    await service.ask("what is the cat tax", GUILD_A)
    assert len(builds) == 2


async def test_a_guild_edit_keeps_the_other_scopes_cached(sessions) -> None:
    service, builds = await _counting_service(sessions)
    await service.ask("what is the cat tax", GUILD_B)  # the shared global index
    await service.set_hidden("cat-tax", True, GUILD_A, actor_id=9)
    assert (await service.ask("what is the cat tax", GUILD_A)).match.slug != "cat-tax"
    assert (await service.ask("what is the cat tax", GUILD_B)).match.slug == "cat-tax"
    assert len(builds) == 2  # guild A's own index; the global one is still cached
