"""The CLI as a user runs it: kb export/import/stats, ask (one, JSON, batch), with a fresh SQLite file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import cli_env

EXPORT_KEYS = {"slug", "category", "title", "answer", "questions", "tags", "guild_id"}


def run_cli(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_python(tmp_path, "-m", "bot", *args, stdin=stdin)


def run_python(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=tmp_path,
        env=cli_env(tmp_path),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


def test_export_shape(workdir: Path) -> None:
    result = run_cli(workdir, "kb", "export")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["version"] == 1 and len(doc["entries"]) >= 34
    for entry in doc["entries"]:
        assert set(entry) == EXPORT_KEYS
        assert set(entry["title"]) == set(entry["answer"]) == set(entry["questions"]) == {"en", "zh"}
        assert entry["guild_id"] is None


def test_round_trip_and_guild_import(workdir: Path) -> None:
    first = run_cli(workdir, "kb", "export", "--out", str(workdir / "a.json"))
    assert first.returncode == 0, first.stderr
    doc = json.loads((workdir / "a.json").read_text())
    doc["entries"][0]["answer"]["en"] = "Our own text."
    (workdir / "b.json").write_text(json.dumps(doc, ensure_ascii=False))
    imported = run_cli(workdir, "kb", "import", str(workdir / "b.json"), "--guild", "42")
    assert imported.returncode == 0, imported.stderr
    assert "updated 1" in imported.stdout
    guild = json.loads(run_cli(workdir, "kb", "export", "--guild", "42").stdout)
    assert guild["entries"][0]["answer"]["en"] == "Our own text." and guild["entries"][0]["guild_id"] == 42
    assert json.loads(run_cli(workdir, "kb", "export").stdout) == json.loads((workdir / "a.json").read_text())
    # export -> import -> export is identical
    (workdir / "g.json").write_text(json.dumps(guild, ensure_ascii=False))
    again = run_cli(workdir, "kb", "import", str(workdir / "g.json"), "--guild", "42")
    assert "added 0, updated 0" in again.stdout
    assert json.loads(run_cli(workdir, "kb", "export", "--guild", "42").stdout) == guild


def test_import_invalid_file_writes_nothing(workdir: Path) -> None:
    before = run_cli(workdir, "kb", "export", "--guild", "7").stdout
    bad = {"version": 1, "entries": [{"slug": "ok-slug", "category": "culture"}, {"slug": "NO"}]}
    (workdir / "bad.json").write_text(json.dumps(bad))
    result = run_cli(workdir, "kb", "import", str(workdir / "bad.json"), "--guild", "7")
    assert result.returncode == 1
    assert "entries[0] (ok-slug).title" in result.stderr and "entries[1] (NO).slug" in result.stderr
    (workdir / "broken.json").write_text("{not json")
    broken = run_cli(workdir, "kb", "import", str(workdir / "broken.json"))
    assert broken.returncode == 1 and "not valid UTF-8 JSON" in broken.stderr
    assert run_cli(workdir, "kb", "export", "--guild", "7").stdout == before


def test_stats(workdir: Path) -> None:
    result = run_cli(workdir, "kb", "stats")
    assert result.returncode == 0, result.stderr
    assert "culture" in result.stdout and "entries missing a language: none" in result.stdout


def test_ask_json_contract(workdir: Path) -> None:
    result = run_cli(workdir, "ask", "--json", "what is the cat tax?")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"query", "slug", "score", "lang", "answer", "alternatives"}
    assert data["slug"] == "cat-tax" and data["lang"] == "en" and "cat tax" in data["answer"].lower()
    trad = json.loads(run_cli(workdir, "ask", "--json", "--locale", "zh-TW", "貓稅是什麼").stdout)
    assert trad["slug"] == "cat-tax" and trad["lang"] == "zh-Hant" and "貓稅" in trad["answer"]


def test_ask_batch_mode_in_order(workdir: Path) -> None:
    questions = ["how do I sign up for rednote", "", "猫税是什么", "what's the weather in paris tomorrow"]
    result = run_cli(workdir, "ask", "--json", stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == questions
    assert lines[0]["slug"] == "sign-up" and lines[1]["slug"] is None
    assert lines[2]["slug"] == "cat-tax" and lines[3]["slug"] is None and lines[3]["answer"] is None


ASK_THEN_LIST_MODULES = """
import json, sys
from bot.cli import main
code = main(["ask", "--json", "what is the cat tax?"])
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"discord", "alembic", "yaml"})
print(json.dumps({"code": code, "heavy": heavy}))
"""


def test_ask_imports_no_discord_and_no_migrations_once_the_database_is_ready(tmp_path: Path) -> None:
    first = run_python(tmp_path, "-c", ASK_THEN_LIST_MODULES)  # a fresh database: migrated and seeded
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout.splitlines()[-1])["heavy"] == ["alembic", "yaml"]
    again = run_python(tmp_path, "-c", ASK_THEN_LIST_MODULES)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout.splitlines()[-1]) == {"code": 0, "heavy": []}
    assert json.loads(again.stdout.splitlines()[0])["slug"] == "cat-tax"


def test_ask_keeps_its_index_in_the_cache_directory(tmp_path: Path) -> None:
    for _ in range(2):
        result = run_cli(tmp_path, "ask", "--json", "猫税是什么")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["slug"] == "cat-tax"
    assert len(list((tmp_path / "index-cache").glob("*.pickle"))) == 1


def test_ask_text_output(workdir: Path) -> None:
    result = run_cli(workdir, "ask", "why", "do", "people", "call", "me", "姐妹")
    assert result.returncode == 0 and "sister-address" in result.stdout


def test_unusable_database_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env = {**cli_env(tmp_path), "DATABASE_URL": f"sqlite+aiosqlite:///{blocker}/db.sqlite3"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "kb", "stats"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: cannot use the database at DATABASE_URL=")


def test_batch_reader_closing_early_is_not_reported_as_an_error(workdir: Path) -> None:
    """`... | head -1`: the reader goes away mid-batch; the CLI stops quietly (it once blamed the database)."""
    questions = workdir / "many-questions.txt"
    questions.write_text("what is the cat tax\n" * 5_000, encoding="utf-8")
    with (
        questions.open() as stdin,
        subprocess.Popen(
            [sys.executable, "-m", "bot", "ask", "--json"],
            cwd=workdir,
            env=cli_env(workdir),
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as proc,
    ):
        assert proc.stdout is not None and proc.stderr is not None
        assert json.loads(proc.stdout.readline())["slug"] == "cat-tax"
        proc.stdout.close()
        stderr = proc.stderr.read()
        assert proc.wait(timeout=120) != 0
    assert stderr == ""
