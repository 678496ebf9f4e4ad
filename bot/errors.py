"""Domain errors. Each carries a message that is safe to show a user, in English and Chinese."""

from __future__ import annotations

from bot.messages import in_language


class BotError(Exception):
    """Base of every error the core raises on purpose."""

    def __init__(self, en: str, zh: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.zh = zh or en

    def message(self, lang: str = "en") -> str:
        """The user-facing text in `lang`: "en", "zh", or "zh-Hant" (the Chinese text in Traditional)."""
        return in_language(self.en, self.zh, lang)


class ConfigError(BotError):
    """A setting is missing or malformed."""


class NotFoundError(BotError):
    """No such topic (or revision) for this server."""


class DuplicateError(BotError):
    """A topic with this slug already exists for this server."""


class ConflictError(BotError):
    """The entry changed since the editor opened it."""


class ValidationError(BotError):
    """Input (an entry, an import file) is invalid; `problems` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        head = f"{len(problems)} problem(s) found, nothing was written:"
        zh_head = f"发现 {len(problems)} 个问题，未写入任何内容："
        body = "\n".join(f"- {p}" for p in problems)
        super().__init__(f"{head}\n{body}", f"{zh_head}\n{body}")


class PermissionDeniedError(BotError):
    """The user may not do this."""
