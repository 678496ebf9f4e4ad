from bot.knowledge.source import load_entries
from bot.storage.knowledge_repo import KnowledgeRepository


async def test_seed_twice(sessions):
    repo = KnowledgeRepository(sessions)
    entries = load_entries()
    first = await repo.seed(entries)
    second = await repo.seed(entries)
    assert len(first.added) == len(entries)
    assert second.added == () and second.updated == ()
    assert len(await repo.entries()) == len(entries)
