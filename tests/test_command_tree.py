"""Every extension loads; the command tree obeys Discord's rules and is fully localised for zh-CN / zh-TW."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import discord
import pytest

from bot.app import open_core
from bot.client import EXTENSIONS, CommandTranslator, RedNoteBot
from bot.command_text import COMMAND_TEXT_ZH
from bot.config import Settings

NAME = re.compile(r"^[-_\w]{1,32}$")


@pytest.fixture
async def bot(tmp_path) -> Any:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'tree.sqlite3'}", sync_commands=False)
    async with open_core(settings) as core:
        bot = RedNoteBot(core, settings)
        await bot.tree.set_translator(CommandTranslator())
        for extension in EXTENSIONS:
            await bot.load_extension(extension)
        yield bot


def walk(options: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for option in options:
        yield option
        yield from walk(option.get("options", []))


async def payload(bot: RedNoteBot) -> list[dict[str, Any]]:
    return await bot.command_payload()


async def test_extensions_load_and_names_are_unique(bot: RedNoteBot) -> None:
    names = [c.name for c in bot.tree.get_commands()]
    assert sorted(names) == ["ask", "config", "faq", "topic", "topics"]
    assert len(names) == len(set(names))
    faq = bot.tree.get_command("faq")
    assert {c.name for c in faq.commands} == {  # type: ignore[union-attr]
        "add",
        "edit",
        "remove",
        "restore",
        "history",
        "revert",
        "export",
        "import",
        "unanswered",
    }


async def test_tree_follows_discord_rules_and_is_localised(bot: RedNoteBot) -> None:
    problems: list[str] = []
    for command in await payload(bot):
        for item in [command, *walk(command.get("options", []))]:
            name, description = item["name"], item.get("description", "")
            if not NAME.match(name) or name != name.lower():
                problems.append(f"bad name {name!r}")
            if item.get("type", 1) in (1, 2) or "options" in item or item is command:
                pass
            if not 1 <= len(description) <= 100:
                problems.append(f"{name}: description length {len(description)}")
            for locale in ("zh-CN", "zh-TW"):
                local_name = (item.get("name_localizations") or {}).get(locale)
                local_desc = (item.get("description_localizations") or {}).get(locale)
                if not local_name or not NAME.match(local_name):
                    problems.append(f"{name}: no valid {locale} name ({local_name!r})")
                if not local_desc or len(local_desc) > 100:
                    problems.append(f"{name}: no valid {locale} description")
            for choice in item.get("choices", []) or []:
                for locale in ("zh-CN", "zh-TW"):
                    if not (choice.get("name_localizations") or {}).get(locale):
                        problems.append(f"{name}: choice {choice['name']!r} has no {locale} name")
            required = [o.get("required", False) for o in item.get("options", []) if o.get("type", 0) > 2]
            if required != sorted(required, reverse=True):
                problems.append(f"{name}: a required option after an optional one")
            if len(item.get("options", [])) > 25:
                problems.append(f"{name}: more than 25 options")
    assert not problems, "\n".join(problems)


async def test_traditional_names_for_taiwan(bot: RedNoteBot) -> None:
    ask = next(c for c in await payload(bot) if c["name"] == "faq")
    assert ask["name_localizations"]["zh-CN"] == COMMAND_TEXT_ZH["faq"] == "问答"
    assert ask["name_localizations"]["zh-TW"] == "問答"


async def test_admin_groups_default_to_manage_guild(bot: RedNoteBot) -> None:
    for command in await payload(bot):
        if command["name"] in ("faq", "config"):
            assert int(command["default_member_permissions"]) == discord.Permissions(manage_guild=True).value
            assert command.get("dm_permission") is False or command.get("contexts") == [0]
