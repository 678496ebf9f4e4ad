"""The command line: `python -m bot [run | ask | chat | kb export | kb import | kb stats]`."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot.config import Settings
from bot.errors import BotError, ValidationError
from bot.messages import t

if TYPE_CHECKING:
    from bot.app import Core


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="RedNote newcomer helper: a bilingual Discord bot and its knowledge base.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="start the Discord bot (the default; needs DISCORD_TOKEN)")

    ask = commands.add_parser("ask", help="answer one question (or one per line from stdin)")
    ask.add_argument("question", nargs="*", help="the question; omit it to read questions from stdin")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--guild", type=int, help="answer as this Discord server (guild id) would")
    ask.add_argument("--locale", help="a Discord locale hint such as en-US, zh-CN or zh-TW")

    chat = commands.add_parser("chat", help="talk with the bot in this console, no Discord needed")
    chat.add_argument("--guild", type=int, help="answer as this Discord server (guild id) would")
    chat.add_argument("--locale", help="a Discord locale hint such as en-US, zh-CN or zh-TW")

    kb = commands.add_parser("kb", help="knowledge base: export, import, stats")
    kb_commands = kb.add_subparsers(dest="kb_command", metavar="KB_COMMAND", required=True)
    export = kb_commands.add_parser("export", help="print the knowledge base as JSON")
    export.add_argument("--guild", type=int, help="what this guild sees (its own entries plus global ones)")
    export.add_argument("--out", type=Path, help="write to this file instead of stdout")
    imp = kb_commands.add_parser("import", help="validate a JSON file, then write all of it or nothing")
    imp.add_argument("file", type=Path)
    imp.add_argument("--guild", type=int, help="import into this guild instead of the global knowledge base")
    imp.add_argument(
        "--dry-run", action="store_true", help="validate and show what would change, write nothing"
    )
    stats = kb_commands.add_parser("stats", help="entries per category and language")
    stats.add_argument("--guild", type=int, help="count what this guild sees")
    return parser


def startup_over() -> None:
    """Freeze everything start-up built (later collections skip it), then collect cycles again.

    `python -m bot` pauses the cycle collector while a command imports and opens the core: those objects
    live until exit, and scanning them again and again as they pile up cost ~50 ms of `ask`'s start-up.
    Nothing to do when the collector runs (the CLI called in-process).
    """
    if gc.isenabled():
        return
    gc.freeze()
    gc.enable()


@asynccontextmanager
async def command_core(settings: Settings, *, cache_indexes: bool = False) -> AsyncIterator[Core]:
    """The core for one command, opened at the end of start-up (see `startup_over`)."""
    from bot.app import open_core

    async with open_core(settings, cache_indexes=cache_indexes) as core:
        startup_over()
        yield core


async def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    async with command_core(settings) as core:
        doc = await core.knowledge.export(args.guild)
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {len(doc['entries'])} entries to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


async def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    try:
        doc = json.loads(args.file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BotError(f"{args.file}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError([f"{args.file}: not valid UTF-8 JSON ({exc})"]) from None
    async with command_core(settings) as core:
        if args.dry_run:
            plan = await core.knowledge.plan_import(doc, args.guild)
        else:
            plan = await core.knowledge.import_document(doc, args.guild, actor_id=None)
    verb = "would add" if args.dry_run else "added"
    print(
        f"{verb} {len(plan.added)}, {'would update' if args.dry_run else 'updated'} {len(plan.updated)}, "
        f"unchanged {len(plan.unchanged)}"
    )
    for label, slugs in (("added", plan.added), ("updated", plan.updated)):
        if slugs:
            print(f"  {label}: {', '.join(slugs)}")
    return 0


async def cmd_stats(settings: Settings, args: argparse.Namespace) -> int:
    async with command_core(settings) as core:
        stats = await core.knowledge.repo.stats(args.guild)
    scope = f"guild {args.guild}" if args.guild else "global"
    print(f"Knowledge base ({scope}): {stats.total} entries")
    print("\nper category:")
    for category, count in stats.per_category.items():
        print(f"  {category:<10} {count:>4}")
    print("\nper language (title and answer present):")
    for lang, count in stats.per_language.items():
        print(f"  {lang:<10} {count:>4}")
    missing = {lang: slugs for lang, slugs in stats.missing_language.items() if slugs}
    print("\nentries missing a language:", "none" if not missing else "")
    for lang, slugs in missing.items():
        print(f"  {lang}: {', '.join(slugs)}")
    return 0


def _answer_json(answer: Any) -> dict[str, Any]:
    from bot.replies import compose

    reply = compose(answer)
    return {
        "query": answer.query,
        "slug": answer.match.slug,
        "score": round(float(answer.match.score), 4),
        "lang": answer.lang,
        "answer": reply.body if answer.entry is not None else None,
        "alternatives": list(answer.match.alternatives),
    }


async def cmd_ask(settings: Settings, args: argparse.Namespace, stdin: TextIO = sys.stdin) -> int:
    from bot.replies import compose, render_text

    question = " ".join(args.question)
    batch = not question and not stdin.isatty()
    if not question and not batch:
        print(t("empty.question"), file=sys.stderr)
        return 2
    async with command_core(settings, cache_indexes=True) as core:

        async def answer_one(text: str) -> None:
            answer = await core.knowledge.ask(text, args.guild, args.locale, log_unanswered=False)
            if args.json:
                sys.stdout.write(json.dumps(_answer_json(answer), ensure_ascii=False) + "\n")
            else:
                sys.stdout.write(render_text(compose(answer)) + "\n\n")
            sys.stdout.flush()

        if not batch:
            await answer_one(question)
            return 0
        for line in stdin:
            await answer_one(line.rstrip("\r\n"))
    return 0


async def cmd_chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.replies import compose, render_text

    async with command_core(settings, cache_indexes=True) as core:
        print(t("chat.welcome", "en"))
        print(t("chat.welcome", "zh"))
        while True:
            try:
                line = await asyncio.to_thread(input, "\n> ")
            except EOFError:
                break
            if not line.strip():
                break
            answer = await core.knowledge.ask(line, args.guild, args.locale, log_unanswered=True)
            print("\n" + render_text(compose(answer)))
        print(t("chat.bye", "en"))
    return 0


async def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    settings.require_token()
    from bot.client import run_bot

    startup_over()
    await run_bot(settings)
    return 0


def dispatch(settings: Settings, args: argparse.Namespace) -> int:
    """Run the chosen command; errors become one clear line and an exit code."""
    handlers = {"run": cmd_run, "ask": cmd_ask, "chat": cmd_chat}
    kb_handlers = {"export": cmd_export, "import": cmd_import, "stats": cmd_stats}
    command = args.command or "run"
    handler = kb_handlers[args.kb_command] if command == "kb" else handlers[command]
    return asyncio.run(handler(settings, args))


def database_error_types() -> tuple[type[BaseException], ...]:
    from sqlalchemy.exc import DBAPIError

    types: list[type[BaseException]] = [OSError, DBAPIError]
    try:
        import asyncpg

        types.append(asyncpg.PostgresError)
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        pass
    return tuple(types)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, load settings, run; never a traceback for a configuration problem."""
    from bot.config import load_settings
    from bot.errors import ConfigError
    from bot.logging_setup import setup_logging

    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"error: {exc.en}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level if args.command in (None, "run") else "WARNING")
    try:
        return dispatch(settings, args)
    except ConfigError as exc:
        print(f"error: {exc.en}", file=sys.stderr)
        return 2
    except BotError as exc:
        print(f"error: {exc.en}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Whoever read the output stopped (`ask ... | head`): not a database problem, nothing to report.
        # Point stdout at devnull so the interpreter's final flush does not fail again (Python docs, SIGPIPE).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except database_error_types() as exc:
        from sqlalchemy.engine import make_url

        url = make_url(settings.database_url).render_as_string(hide_password=True)
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(f"error: cannot use the database at DATABASE_URL={url}: {reason}", file=sys.stderr)
        return 1
