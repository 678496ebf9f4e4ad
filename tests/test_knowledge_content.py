"""The shipped knowledge base: every topic, both languages, Discord's limits, and every problem at once."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.knowledge.entry import CATEGORIES, LANGS
from bot.knowledge.source import knowledge_files, load_entries, load_file
from tests.conftest import REPO_ROOT

SHARED_TOPICS = REPO_ROOT.parent / "shared" / "topics.json"
REPO_TOPICS = REPO_ROOT / "data" / "topics.json"
DEV_SET = REPO_ROOT / "tests" / "data" / "dev_questions.jsonl"
ANSWER_TARGET, EMBED_LIMIT, MIN_QUESTIONS = 1300, 4096, 6
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")


def required_slugs() -> set[str]:
    slugs = {t["slug"] for t in json.loads(REPO_TOPICS.read_text(encoding="utf-8"))["topics"]}
    if SHARED_TOPICS.exists():
        slugs |= {t["slug"] for t in json.loads(SHARED_TOPICS.read_text(encoding="utf-8"))["topics"]}
    return slugs


def test_repo_copy_of_topics_matches_shared() -> None:
    if SHARED_TOPICS.exists():
        shared = {t["slug"] for t in json.loads(SHARED_TOPICS.read_text(encoding="utf-8"))["topics"]}
        repo = {t["slug"] for t in json.loads(REPO_TOPICS.read_text(encoding="utf-8"))["topics"]}
        assert shared <= repo


def test_every_topic_present_once_in_both_languages() -> None:
    entries = load_entries()
    slugs = [e.slug for e in entries]
    assert len(slugs) == len(set(slugs)), "duplicate slugs"
    missing = required_slugs() - set(slugs)
    assert not missing, f"missing topics: {sorted(missing)}"


def _ratio(pattern: re.Pattern[str], text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum(1 for ch in letters if pattern.match(ch)) / max(1, len(letters))


def test_every_entry_is_well_formed() -> None:
    """One test reports every problem in every file."""
    problems: list[str] = []
    for path in knowledge_files():
        for entry in load_file(path):
            where = f"{path.name}:{entry.slug}"
            if entry.category not in CATEGORIES:
                problems.append(f"{where}: unknown category {entry.category}")
            if len(entry.tags) < 3:
                problems.append(f"{where}: fewer than 3 tags")
            for lang in LANGS:
                title, answer = entry.title.get(lang, ""), entry.answer.get(lang, "")
                questions = entry.questions.get(lang, ())
                if not title or not answer:
                    problems.append(f"{where}.{lang}: empty title or answer")
                if len(answer) > ANSWER_TARGET:
                    problems.append(
                        f"{where}.{lang}: answer has {len(answer)} characters (> {ANSWER_TARGET})"
                    )
                if len(answer) > EMBED_LIMIT or len(title) > 256:
                    problems.append(f"{where}.{lang}: over Discord's embed limits")
                if len(questions) < MIN_QUESTIONS:
                    problems.append(f"{where}.{lang}: {len(questions)} example questions (< {MIN_QUESTIONS})")
                if len(set(questions)) != len(questions):
                    problems.append(f"{where}.{lang}: repeated example questions")
                for text, url in LINK.findall(answer):
                    if not text or not re.match(r"^https?://\S+$", url):
                        problems.append(f"{where}.{lang}: malformed markdown link [{text}]({url})")
                body = title + " " + answer
                if lang == "zh" and _ratio(CJK, body) < 0.5:
                    problems.append(f"{where}.zh: mostly not Chinese ({_ratio(CJK, body):.0%} CJK)")
                if lang == "en" and _ratio(LATIN, body) < 0.8:
                    problems.append(f"{where}.en: mostly not English ({_ratio(LATIN, body):.0%} Latin)")
    assert not problems, "\n".join(problems)


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _dev_questions() -> set[str]:
    if not DEV_SET.exists():
        return set()
    return {
        _norm(json.loads(line)["q"])
        for line in DEV_SET.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }


def test_no_dev_question_copied_into_the_knowledge_base() -> None:
    dev = _dev_questions()
    copied = [
        q
        for e in load_entries()
        for lang in LANGS
        for q in (*e.questions.get(lang, ()), e.title.get(lang, ""))
        if _norm(q) in dev
    ]
    assert not copied, copied


def test_no_dev_question_copied_into_the_engine_fitting_files() -> None:
    dev = _dev_questions()
    copied = [
        line
        for path in sorted((REPO_ROOT / "benchmarks").glob("engine_*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#") and _norm(line.split("|", 1)[-1]) in dev
    ]
    assert not copied, copied


def test_server_entries_are_true_to_the_bot() -> None:
    by_slug = {e.slug: e for e in load_entries()}
    help_text = by_slug["bot-help"].answer["en"]
    for command in ("/ask", "/topic", "/topics", "/faq", "/config"):
        assert command in help_text, command
    assert "/config rules" in by_slug["server-rules"].answer["en"]


def test_data_files_are_yaml_per_category() -> None:
    names = {p.stem for p in knowledge_files()}
    assert names <= set(CATEGORIES)
    assert Path(REPO_ROOT / "data" / "README.md").exists()
