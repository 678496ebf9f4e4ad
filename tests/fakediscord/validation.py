"""Discord's documented limits, checked the way the API checks them.

Every check returns a list of `Problem`s; `invalid_form_body` turns them into Discord's 400 body
(code 50035) so discord.py raises an `HTTPException` whose text names each field, as the real API does.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence, Sized
from dataclasses import dataclass
from typing import Any

from .models import ApiError

LOCALES = frozenset(
    {
        *(
            "en-US",
            "en-GB",
            "bg",
            "zh-CN",
            "zh-TW",
            "hr",
            "cs",
            "id",
            "da",
            "nl",
            "fi",
            "fr",
            "de",
            "el",
            "hi",
        ),
        *(
            "hu",
            "it",
            "ja",
            "ko",
            "es-419",
            "lt",
            "no",
            "pl",
            "pt-BR",
            "ro",
            "ru",
            "es-ES",
            "sv-SE",
            "th",
            "tr",
        ),
        *("uk", "vi"),
    }
)

MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_EMBED_TOTAL = 6000
MAX_FILES = 10


@dataclass(frozen=True)
class Problem:
    path: tuple[str | int, ...]
    code: str
    message: str


def invalid_form_body(problems: Sequence[Problem], prefix: tuple[str | int, ...] = ()) -> ApiError:
    errors: dict[str, Any] = {}
    for problem in problems:
        node = errors
        for key in (*prefix, *problem.path):
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": problem.code, "message": problem.message})
    return ApiError(400, 50035, "Invalid Form Body", errors)


def _length(path: tuple[str | int, ...], value: Any, maximum: int, minimum: int = 0) -> list[Problem]:
    if value is None:
        return []
    if not isinstance(value, str):
        return [Problem(path, "STRING_TYPE_CONVERT", "Could not interpret value as string.")]
    if len(value) > maximum:
        return [Problem(path, "BASE_TYPE_MAX_LENGTH", f"Must be {maximum} or fewer in length.")]
    if len(value) < minimum:
        return [Problem(path, "BASE_TYPE_MIN_LENGTH", f"Must be {minimum} or more in length.")]
    return []


def _count(path: tuple[str | int, ...], items: Sized, maximum: int, minimum: int = 0) -> list[Problem]:
    if len(items) > maximum:
        return [Problem(path, "BASE_TYPE_MAX_LENGTH", f"Must be {maximum} or fewer in length.")]
    if len(items) < minimum:
        return [Problem(path, "BASE_TYPE_MIN_LENGTH", f"Must be {minimum} or more in length.")]
    return []


# --- messages --------------------------------------------------------------------------------------


def embed_problems(embeds: Any) -> list[Problem]:
    if not isinstance(embeds, list):
        return [Problem(("embeds",), "LIST_TYPE_CONVERT", "Must be an array.")]
    problems = _count(("embeds",), embeds, MAX_EMBEDS)
    total = 0
    for i, embed in enumerate(embeds):
        at: tuple[str | int, ...] = ("embeds", i)
        problems += _length((*at, "title"), embed.get("title"), 256)
        problems += _length((*at, "description"), embed.get("description"), 4096)
        problems += _length((*at, "footer", "text"), (embed.get("footer") or {}).get("text"), 2048)
        problems += _length((*at, "author", "name"), (embed.get("author") or {}).get("name"), 256)
        fields = embed.get("fields") or []
        problems += _count((*at, "fields"), fields, 25)
        for j, fld in enumerate(fields):
            problems += _length((*at, "fields", j, "name"), fld.get("name"), 256, 1)
            problems += _length((*at, "fields", j, "value"), fld.get("value"), 1024, 1)
            total += len(str(fld.get("name", ""))) + len(str(fld.get("value", "")))
        for key in ("title", "description"):
            total += len(str(embed.get(key) or ""))
        total += len(str((embed.get("footer") or {}).get("text") or ""))
        total += len(str((embed.get("author") or {}).get("name") or ""))
        for key in ("url",):
            url = embed.get(key)
            if url is not None and not str(url).startswith(("http://", "https://")):
                problems.append(Problem((*at, key), "URL_TYPE_INVALID_URL", "Not a well formed URL."))
    if total > MAX_EMBED_TOTAL:
        problems.append(
            Problem(("embeds",), "BASE_TYPE_MAX_LENGTH", "Embed size exceeds maximum size of 6000")
        )
    return problems


def component_problems(components: Any, *, v2: bool) -> list[Problem]:
    if not isinstance(components, list):
        return [Problem(("components",), "LIST_TYPE_CONVERT", "Must be an array.")]
    problems: list[Problem] = []
    if not v2:
        problems += _count(("components",), components, 5)
    seen: dict[str, tuple[str | int, ...]] = {}

    def check(comp: dict[str, Any], at: tuple[str | int, ...], in_row: bool) -> None:
        kind = comp.get("type")
        if kind == 1:
            children = comp.get("components") or []
            problems.extend(_count((*at, "components"), children, 5, 1))
            kinds = {c.get("type") for c in children}
            if kinds & {3, 5, 6, 7, 8} and len(children) > 1:
                problems.append(
                    Problem(
                        (*at, "components"),
                        "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                        "The specified component exceeds the maximum width",
                    )
                )
            for k, child in enumerate(children):
                check(child, (*at, "components", k), True)
            return
        if not v2 and not in_row:
            problems.append(
                Problem((*at, "type"), "UNION_TYPE_CHOICES", 'Value of field "type" must be one of (1,).')
            )
            return
        custom_id = comp.get("custom_id")
        if custom_id is not None:
            problems.extend(_length((*at, "custom_id"), custom_id, 100, 1))
            if custom_id in seen:
                problems.append(
                    Problem(
                        (*at, "custom_id"),
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    )
                )
            seen[custom_id] = at
        if kind == 2:
            style = comp.get("style")
            problems.extend(_length((*at, "label"), comp.get("label"), 80))
            if style == 5:
                if not comp.get("url") or custom_id is not None:
                    problems.append(
                        Problem(
                            at, "BUTTON_COMPONENT_INVALID_URL", "A link button needs a url and no custom_id"
                        )
                    )
            elif style != 6 and custom_id is None:
                problems.append(Problem((*at, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required"))
            if style not in (1, 2, 3, 4, 5, 6):
                problems.append(
                    Problem((*at, "style"), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6}.")
                )
            if not comp.get("label") and not comp.get("emoji") and style != 6:
                problems.append(
                    Problem(at, "BUTTON_COMPONENT_MISSING_LABEL", "A button needs a label or an emoji")
                )
        elif kind in (3, 5, 6, 7, 8):
            problems.extend(_length((*at, "placeholder"), comp.get("placeholder"), 150))
            lo, hi = comp.get("min_values", 1), comp.get("max_values", 1)
            if not 0 <= lo <= 25:
                problems.append(
                    Problem((*at, "min_values"), "NUMBER_TYPE_MAX", "min_values must be between 0 and 25.")
                )
            if not 1 <= hi <= 25:
                problems.append(
                    Problem((*at, "max_values"), "NUMBER_TYPE_MAX", "max_values must be between 1 and 25.")
                )
            if kind == 3:
                options = comp.get("options") or []
                problems.extend(_count((*at, "options"), options, 25, 1))
                values = set()
                for k, opt in enumerate(options):
                    problems.extend(_length((*at, "options", k, "label"), opt.get("label"), 100, 1))
                    problems.extend(_length((*at, "options", k, "value"), opt.get("value"), 100, 1))
                    problems.extend(_length((*at, "options", k, "description"), opt.get("description"), 100))
                    if opt.get("value") in values:
                        problems.append(
                            Problem(
                                (*at, "options", k, "value"),
                                "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
                                "Duplicate option value",
                            )
                        )
                    values.add(opt.get("value"))
                if hi > max(len(options), 1):
                    problems.append(
                        Problem(
                            (*at, "max_values"),
                            "BASE_TYPE_MAX",
                            f"max_values must be at most the number of options ({len(options)}).",
                        )
                    )
        elif kind == 10:
            problems.extend(_length((*at, "content"), comp.get("content"), 4000, 1))
        for key in ("components",):
            for k, child in enumerate(comp.get(key) or []):
                check(child, (*at, key, k), False)
        for key in ("accessory", "component"):
            if isinstance(comp.get(key), dict):
                check(comp[key], (*at, key), True)

    for i, comp in enumerate(components):
        check(comp, ("components", i), False)
    return problems


def message_problems(payload: dict[str, Any], *, files: int, existing_attachments: int = 0) -> list[Problem]:
    """Limits on a message create/edit body (the merged result for edits)."""
    problems: list[Problem] = []
    flags = payload.get("flags") or 0
    v2 = bool(flags & (1 << 15))
    content = payload.get("content")
    problems += _length(("content",), content, MAX_CONTENT)
    embeds = payload.get("embeds") or []
    problems += embed_problems(embeds)
    problems += component_problems(payload.get("components") or [], v2=v2)
    if files > MAX_FILES:
        problems.append(
            Problem(("files",), "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_FILES} or fewer in length.")
        )
    if v2 and (content or embeds):
        problems.append(
            Problem(
                ("content",),
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                "The 'content' and 'embeds' fields cannot be used when using components v2",
            )
        )
    return problems


def is_empty_message(payload: dict[str, Any], *, files: int) -> bool:
    content = payload.get("content")
    return not (
        (isinstance(content, str) and content.strip())
        or payload.get("embeds")
        or files
        or payload.get("sticker_ids")
        or payload.get("poll")
        or (payload.get("flags", 0) & (1 << 15) and payload.get("components"))
    )


def empty_message_error() -> ApiError:
    return ApiError(400, 50006, "Cannot send an empty message")


# --- application commands ---------------------------------------------------------------------------

_NAME_PUNCT = frozenset("-_'")


def _valid_name_char(ch: str) -> bool:
    if ch in _NAME_PUNCT:
        return True
    cat = unicodedata.category(ch)
    if cat[0] in "LN":
        return True
    # Devanagari and Thai vowel signs are allowed (\p{sc=Deva}, \p{sc=Thai}).
    return cat[0] == "M" and ("\u0900" <= ch <= "\u097f" or "\u0e00" <= ch <= "\u0e7f")


def name_problem(name: Any, *, chat_input: bool) -> str | None:
    """Why a command/option name is refused, or None."""
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        return f"Name {name!r} must be 1-32 characters long."
    if not chat_input:
        return None
    if not all(_valid_name_char(ch) for ch in name):
        return f"Name {name!r} is invalid: it must match ^[-_'\\p{{L}}\\p{{N}}\\p{{sc=Deva}}\\p{{sc=Thai}}]{{1,32}}$"
    if name != name.lower():
        return f"Name {name!r} must be lowercase."
    return None


def _localizations(
    at: tuple[str | int, ...], key: str, value: Any, *, name: bool, chat_input: bool
) -> list[Problem]:
    if value is None:
        return []
    if not isinstance(value, dict):
        return [Problem((*at, key), "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")]
    problems: list[Problem] = []
    for locale, text in value.items():
        where = (*at, key, locale)
        if locale not in LOCALES:
            problems.append(
                Problem(where, "LOCALE_INVALID", f"Invalid locale {locale!r}; valid: {sorted(LOCALES)}")
            )
            continue
        if name:
            why = name_problem(text, chat_input=chat_input)
            if why:
                problems.append(Problem(where, "APPLICATION_COMMAND_INVALID_NAME", why))
        else:
            problems += _length(where, text, 100, 1)
    return problems


ARG_TYPES = {3, 4, 5, 6, 7, 8, 9, 10, 11}
CHOICE_TYPES = {3, 4, 10}


def _option_problems(opts: list[dict[str, Any]], at: tuple[str | int, ...], depth: int) -> list[Problem]:
    problems = _count((*at, "options"), opts, 25)
    names: set[str] = set()
    seen_optional = False
    kinds = {o.get("type") for o in opts}
    if kinds & {1, 2} and kinds - {1, 2}:
        problems.append(
            Problem(
                (*at, "options"),
                "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                "Sub-commands and sub-command groups cannot be mixed with other options",
            )
        )
    for i, opt in enumerate(opts):
        where = (*at, "options", i)
        kind = opt.get("type")
        why = name_problem(opt.get("name"), chat_input=True)
        if why:
            problems.append(Problem((*where, "name"), "APPLICATION_COMMAND_INVALID_NAME", why))
        if opt.get("name") in names:
            problems.append(
                Problem(
                    (*where, "name"),
                    "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS",
                    f"Option name {opt.get('name')!r} is duplicated",
                )
            )
        names.add(opt.get("name"))
        problems += _length((*where, "description"), opt.get("description"), 100, 1)
        problems += _localizations(
            where, "name_localizations", opt.get("name_localizations"), name=True, chat_input=True
        )
        problems += _localizations(
            where,
            "description_localizations",
            opt.get("description_localizations"),
            name=False,
            chat_input=True,
        )
        if kind in (1, 2):
            if kind == 2 and depth >= 1:
                problems.append(
                    Problem(
                        (*where, "type"),
                        "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                        "Sub-command groups cannot be nested",
                    )
                )
            if kind == 1 and depth >= 2:
                problems.append(
                    Problem((*where, "type"), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Too deeply nested")
                )
            sub = opt.get("options") or []
            if kind == 2 and any(o.get("type") != 1 for o in sub):
                problems.append(
                    Problem(
                        (*where, "options"),
                        "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                        "A sub-command group may only contain sub-commands",
                    )
                )
            if kind == 1 and any(o.get("type") in (1, 2) for o in sub):
                problems.append(
                    Problem(
                        (*where, "options"),
                        "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                        "A sub-command cannot contain sub-commands",
                    )
                )
            problems += _option_problems(sub, where, depth + 1)
            continue
        if kind not in ARG_TYPES:
            problems.append(Problem((*where, "type"), "BASE_TYPE_CHOICES", f"Invalid option type {kind!r}"))
            continue
        required = bool(opt.get("required", False))
        if required and seen_optional:
            problems.append(
                Problem(
                    (*where, "required"),
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
            )
        seen_optional = seen_optional or not required
        choices = opt.get("choices") or []
        if choices:
            if kind not in CHOICE_TYPES:
                problems.append(
                    Problem(
                        (*where, "choices"),
                        "APPLICATION_COMMAND_OPTION_CHOICES_INVALID",
                        "Choices are only allowed for string, integer and number options",
                    )
                )
            if opt.get("autocomplete"):
                problems.append(
                    Problem(
                        (*where, "autocomplete"),
                        "APPLICATION_COMMAND_AUTOCOMPLETE_CHOICES_EXCLUSIVE",
                        "Autocomplete and choices are mutually exclusive",
                    )
                )
            problems += _count((*where, "choices"), choices, 25)
            for k, choice in enumerate(choices):
                problems += choice_problems(choice, kind, (*where, "choices", k))
        if opt.get("autocomplete") and kind not in CHOICE_TYPES:
            problems.append(
                Problem(
                    (*where, "autocomplete"),
                    "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_INVALID",
                    "Autocomplete is only allowed for string, integer and number options",
                )
            )
        for key in ("min_length", "max_length"):
            if key in opt and not 0 <= int(opt[key]) <= 6000:
                problems.append(
                    Problem((*where, key), "NUMBER_TYPE_MAX", f"{key} must be between 0 and 6000")
                )
    return problems


def choice_problems(choice: Any, option_type: int | None, where: tuple[str | int, ...]) -> list[Problem]:
    if not isinstance(choice, dict):
        return [Problem(where, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")]
    problems = _length((*where, "name"), choice.get("name"), 100, 1)
    problems += _localizations(
        where, "name_localizations", choice.get("name_localizations"), name=False, chat_input=True
    )
    value = choice.get("value")
    if option_type == 3:
        if not isinstance(value, str):
            problems.append(
                Problem((*where, "value"), "STRING_TYPE_CONVERT", f"Choice value {value!r} is not a string")
            )
        else:
            problems += _length((*where, "value"), value, 100, 1)
    elif option_type == 4 and (not isinstance(value, int) or isinstance(value, bool)):
        problems.append(
            Problem((*where, "value"), "INTEGRAL_TYPE_CONVERT", f"Choice value {value!r} is not int.")
        )
    elif option_type == 10 and (not isinstance(value, (int, float)) or isinstance(value, bool)):
        problems.append(
            Problem((*where, "value"), "NUMBER_TYPE_COERCE", f"Choice value {value!r} is not a number.")
        )
    return problems


def _command_chars(cmd: dict[str, Any]) -> int:
    total = len(cmd.get("name") or "") + len(cmd.get("description") or "")

    def walk(opts: Iterable[dict[str, Any]]) -> int:
        n = 0
        for opt in opts:
            n += len(opt.get("name") or "") + len(opt.get("description") or "")
            for choice in opt.get("choices") or []:
                n += len(str(choice.get("name") or "")) + len(str(choice.get("value") or ""))
            n += walk(opt.get("options") or [])
        return n

    return total + walk(cmd.get("options") or [])


def command_problems(cmd: dict[str, Any], at: tuple[str | int, ...] = ()) -> list[Problem]:
    kind = cmd.get("type", 1)
    chat_input = kind == 1
    problems: list[Problem] = []
    why = name_problem(cmd.get("name"), chat_input=chat_input)
    if why:
        problems.append(Problem((*at, "name"), "APPLICATION_COMMAND_INVALID_NAME", why))
    problems += _localizations(
        at, "name_localizations", cmd.get("name_localizations"), name=True, chat_input=chat_input
    )
    description = cmd.get("description")
    if chat_input:
        problems += _length((*at, "description"), description, 100, 1)
        problems += _localizations(
            at, "description_localizations", cmd.get("description_localizations"), name=False, chat_input=True
        )
        problems += _option_problems(cmd.get("options") or [], at, 0)
        if _command_chars(cmd) > 4000:
            problems.append(
                Problem(at, "APPLICATION_COMMAND_TOO_LARGE", "Command exceeds maximum size (4000)")
            )
    elif description:
        problems.append(
            Problem(
                (*at, "description"),
                "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                "Context menu commands cannot have a description",
            )
        )
    if kind not in (1, 2, 3, 4):
        problems.append(Problem((*at, "type"), "BASE_TYPE_CHOICES", f"Invalid command type {kind!r}"))
    return problems


def bulk_command_problems(commands: Any) -> list[Problem]:
    if not isinstance(commands, list):
        return [Problem((), "LIST_TYPE_CONVERT", "Must be an array.")]
    problems: list[Problem] = []
    seen: set[tuple[int, str]] = set()
    per_type: dict[int, int] = {}
    for i, cmd in enumerate(commands):
        problems += command_problems(cmd, (i,))
        key = (cmd.get("type", 1), cmd.get("name"))
        if key in seen:
            problems.append(
                Problem(
                    (i, "name"),
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    f"Application command names must be unique ({cmd.get('name')!r})",
                )
            )
        seen.add(key)
        per_type[key[0]] = per_type.get(key[0], 0) + 1
    # 100 slash commands; 15 user and 15 message context menus per scope.
    for kind, limit in ((1, 100), (2, 15), (3, 15)):
        if per_type.get(kind, 0) > limit:
            problems.append(
                Problem(
                    (), "APPLICATION_COMMANDS_TOO_MANY", f"Too many commands of type {kind} (max {limit})"
                )
            )
    return problems


# --- interaction callbacks ---------------------------------------------------------------------------


def autocomplete_problems(data: Any, option_type: int | None) -> list[Problem]:
    if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
        return [Problem(("data", "choices"), "BASE_TYPE_REQUIRED", "This field is required")]
    choices = data["choices"]
    problems = _count(("data", "choices"), choices, 25)
    for i, choice in enumerate(choices):
        problems += choice_problems(choice, option_type, ("data", "choices", i))
    return problems


def modal_problems(data: Any) -> list[Problem]:
    if not isinstance(data, dict):
        return [Problem(("data",), "BASE_TYPE_REQUIRED", "This field is required")]
    problems = _length(("data", "title"), data.get("title"), 45, 1)
    problems += _length(("data", "custom_id"), data.get("custom_id"), 100, 1)
    components = data.get("components") or []
    problems += _count(("data", "components"), components, 5, 1)
    for i, comp in enumerate(components):
        at: tuple[str | int, ...] = ("data", "components", i)
        inner: list[tuple[tuple[str | int, ...], dict[str, Any]]] = []
        if comp.get("type") == 1:
            kids = comp.get("components") or []
            if len(kids) != 1:
                problems.append(Problem((*at, "components"), "BASE_TYPE_BAD_LENGTH", "Must be 1 in length."))
            inner = [((*at, "components", k), kid) for k, kid in enumerate(kids)]
        elif comp.get("type") == 18:
            problems += _length((*at, "label"), comp.get("label"), 45, 1)
            problems += _length((*at, "description"), comp.get("description"), 100)
            if isinstance(comp.get("component"), dict):
                inner = [((*at, "component"), comp["component"])]
            else:
                problems.append(Problem((*at, "component"), "BASE_TYPE_REQUIRED", "This field is required"))
        elif comp.get("type") == 10:
            problems += _length((*at, "content"), comp.get("content"), 4000, 1)
        for where, kid in inner:
            if kid.get("type") == 4:
                problems += _length((*where, "custom_id"), kid.get("custom_id"), 100, 1)
                problems += _length((*where, "label"), kid.get("label"), 45, 1) if "label" in kid else []
                problems += _length((*where, "placeholder"), kid.get("placeholder"), 100)
                problems += _length((*where, "value"), kid.get("value"), 4000)
                if kid.get("style") not in (1, 2):
                    problems.append(
                        Problem((*where, "style"), "BASE_TYPE_CHOICES", "Value must be one of {1, 2}.")
                    )
                lo, hi = kid.get("min_length"), kid.get("max_length")
                if lo is not None and not 0 <= lo <= 4000:
                    problems.append(
                        Problem(
                            (*where, "min_length"), "NUMBER_TYPE_MAX", "min_length must be between 0 and 4000"
                        )
                    )
                if hi is not None and not 1 <= hi <= 4000:
                    problems.append(
                        Problem(
                            (*where, "max_length"), "NUMBER_TYPE_MAX", "max_length must be between 1 and 4000"
                        )
                    )
            elif kid.get("type") in (3, 5, 6, 7, 8):
                problems += component_problems([kid], v2=True)
    return problems
