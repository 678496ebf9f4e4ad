"""Reply composition shared by the CLI, the console chat and Discord: pure data and plain text."""

from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge.entry import Entry, content_lang
from bot.knowledge.service import Answer
from bot.messages import category_name, localise, t

MESSAGE_LIMIT = 2000
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_TITLE_LIMIT = 256


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A "did you mean" topic."""

    slug: str
    title: str


@dataclass(frozen=True, slots=True)
class Reply:
    """What the bot says: an answer (slug set) or an "I don't know" with suggestions."""

    slug: str | None
    lang: str
    title: str
    body: str
    category: str | None
    footer: str
    suggestions: tuple[Suggestion, ...] = ()


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters at a line or word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    boundary = max(cut.rfind("\n"), cut.rfind(" "))
    if boundary > limit * 0.6:
        cut = cut[:boundary]
    return cut.rstrip() + "…"


def entry_text(entry: Entry, field: str, lang: str) -> str:
    """A title or answer in the reply language, falling back to the other stored language."""
    values = getattr(entry, field)
    primary = content_lang(lang)
    text = values.get(primary) or values.get("zh" if primary == "en" else "en") or ""
    return localise(text, lang) if values.get(primary) else text


def entry_title(entry: Entry, lang: str) -> str:
    return entry_text(entry, "title", lang)


def compose_entry(entry: Entry, lang: str) -> Reply:
    """The reply showing `entry` in `lang`."""
    return Reply(
        slug=entry.slug,
        lang=lang,
        title=clip(entry_title(entry, lang), EMBED_TITLE_LIMIT),
        body=clip(entry_text(entry, "answer", lang), EMBED_DESCRIPTION_LIMIT),
        category=entry.category,
        footer=t("footer.topic", lang, slug=entry.slug, category=category_name(entry.category, lang)),
    )


def compose_unknown(lang: str, alternatives: tuple[Entry, ...] = ()) -> Reply:
    """The kind "I don't know" reply, with up to three suggestions."""
    suggestions = tuple(Suggestion(e.slug, entry_title(e, lang)) for e in alternatives[:3])
    return Reply(
        slug=None,
        lang=lang,
        title=t("unknown.title", lang),
        body=t("unknown.body", lang),
        category=None,
        footer=t("unknown.browse", lang),
        suggestions=suggestions,
    )


def compose(answer: Answer) -> Reply:
    """The reply to an answered (or abstained) question."""
    if answer.entry is not None:
        return compose_entry(answer.entry, answer.lang)
    return compose_unknown(answer.lang, answer.alternatives)


def render_text(reply: Reply) -> str:
    """The reply as one plain message (Discord markdown), within Discord's 2,000 characters."""
    parts = [f"**{reply.title}**", reply.body]
    if reply.suggestions:
        lines = "\n".join(f"- {s.title} (`{s.slug}`)" for s in reply.suggestions)
        parts.append(f"{t('unknown.suggest', reply.lang)}\n{lines}")
    tail = f"-# {reply.footer}"
    text = "\n\n".join(parts)
    return clip(text, MESSAGE_LIMIT - len(tail) - 2) + "\n\n" + tail


def reply_language(detected: str, mode: str) -> str:
    """The reply language given the question's language and the guild's /config language mode."""
    if mode == "en":
        return "en"
    if mode == "zh":
        return detected if detected.startswith("zh") else "zh"
    return detected
