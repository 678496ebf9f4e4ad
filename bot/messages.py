"""Every fixed text the bot says, in English and Simplified Chinese (Traditional is converted)."""

from __future__ import annotations

from functools import lru_cache

MESSAGES: dict[str, tuple[str, str]] = {
    # answers
    "footer.topic": ("Topic: {slug} · {category}", "主题：{slug} · {category}"),
    "unknown.title": ("I'm not sure about that one", "这个问题我还答不上来"),
    "unknown.body": (
        "I couldn't find an answer I'm confident about. I've noted your question for the server's admins.",
        "我没有找到有把握的答案，已经把你的问题记下来留给管理员参考。",
    ),
    "unknown.suggest": ("Did you mean:", "你是不是想问："),
    "unknown.browse": (
        "Try `/topics` to browse everything I know.",
        "可以用 `/topics` 浏览我知道的所有主题。",
    ),
    "empty.question": (
        "Please type a question, in English or Chinese.",
        "请输入一个问题，中英文都可以。",
    ),
    # categories
    "category.culture": ("Culture & in-jokes", "社区文化与梗"),
    "category.etiquette": ("Newcomer etiquette", "新人礼仪"),
    "category.sensitive": ("Sensitive topics & safety", "敏感话题与账号安全"),
    "category.app": ("Using the app", "App 使用"),
    "category.language": ("Language & slang", "语言与网络用语"),
    "category.server": ("This server & bot", "本服务器与机器人"),
    # buttons and menus
    "button.helpful": ("Helpful", "有帮助"),
    "button.not_helpful": ("Not helpful", "没帮助"),
    "button.switch": ("English", "中文"),
    "vote.thanks": ("Thanks for the feedback!", "谢谢你的反馈！"),
    "vote.changed": ("Your vote was changed. Thanks!", "已更改你的投票，谢谢！"),
    "vote.same": ("You already voted that way on this answer.", "你已经对这个回答投过同样的票了。"),
    "topic.gone": ("That topic is no longer available here.", "这个主题在这里已不可用。"),
    "topics.title": ("Topics I can answer", "我能回答的主题"),
    "topics.pick_category": ("Pick a category…", "选择一个分类…"),
    "topics.pick_topic": ("Pick a topic…", "选择一个主题…"),
    "topics.none": ("No topics in this category.", "这个分类下没有主题。"),
    "mention.hint": (
        "Ask me a question after the mention, e.g. “what is the cat tax?” or “猫税是什么？”",
        "在提及我之后写下你的问题，例如“猫税是什么？”或 “what is the cat tax?”",
    ),
    # errors
    "error.generic": (
        "Something went wrong on my side. The admins can find the details in the bot's log.",
        "我这边出了点问题，管理员可以在机器人日志中查看详情。",
    ),
    "error.not_curator": (
        "Only members with the Manage Server permission or this server's editor role can do that.",
        "只有拥有“管理服务器”权限或本服务器编辑角色的成员才能这样做。",
    ),
    "error.not_admin": (
        "Only members with the Manage Server permission can change the bot's settings.",
        "只有拥有“管理服务器”权限的成员才能修改机器人设置。",
    ),
    "error.guild_only": ("This command works in a server, not in DMs.", "这个命令只能在服务器中使用。"),
    "error.not_yours": ("These buttons belong to someone else's command.", "这些按钮属于别人的命令。"),
    "error.cooldown": ("Slow down a little, please try again in a moment.", "请稍等片刻再试。"),
    # /faq
    "faq.modal_add": ("New topic: {slug}", "新主题：{slug}"),
    "faq.modal_edit": ("Edit: {slug}", "编辑：{slug}"),
    "faq.field_title_en": ("Title (English)", "Title (English)"),
    "faq.field_answer_en": ("Answer (English)", "Answer (English)"),
    "faq.field_title_zh": ("标题（中文）", "标题（中文）"),
    "faq.field_answer_zh": ("回答（中文）", "回答（中文）"),
    "faq.field_questions": (
        "Example questions, one per line / 示例问题",
        "示例问题，每行一个 / Example questions",
    ),
    "faq.added": (
        "Added **{title}** (`{slug}`). It answers right away.",
        "已添加 **{title}**（`{slug}`），立即生效。",
    ),
    "faq.saved": ("Saved **{title}** (`{slug}`).", "已保存 **{title}**（`{slug}`）。"),
    "faq.conflict_file": ("Your text is attached.", "你的文字已作为附件附上。"),
    "faq.confirm_remove": (
        "Hide **{title}** (`{slug}`) on this server? You can bring it back with `/faq restore`.",
        "确定在本服务器隐藏 **{title}**（`{slug}`）吗？之后可用 `/faq restore` 恢复。",
    ),
    "faq.removed": ("Hidden **{title}** (`{slug}`).", "已隐藏 **{title}**（`{slug}`）。"),
    "faq.restored": ("Restored **{title}** (`{slug}`).", "已恢复 **{title}**（`{slug}`）。"),
    "faq.not_hidden": ("`{slug}` is not hidden.", "`{slug}` 没有被隐藏。"),
    "faq.cancelled": ("Cancelled: nothing changed.", "已取消，没有任何修改。"),
    "faq.history_title": ("History of {slug}", "{slug} 的修改记录"),
    "faq.history_by": ("by {actor}", "操作者 {actor}"),
    "faq.history_shipped": ("shipped", "随机器人发布"),
    "faq.reverted": (
        "Reverted **{title}** (`{slug}`) to revision #{revision}.",
        "已将 **{title}**（`{slug}`）恢复到版本 #{revision}。",
    ),
    "faq.exported": ("This server's FAQ: {count} topics.", "本服务器的问答：共 {count} 个主题。"),
    "faq.import_bad_file": (
        "That file is not a JSON file of the /faq export format (UTF-8, at most 2 MB).",
        "该文件不是 /faq export 格式的 JSON 文件（UTF-8，最大 2 MB）。",
    ),
    "faq.import_summary": (
        "Import **{file}**: {added} new, {updated} changed, {unchanged} unchanged. Apply it?",
        "导入 **{file}**：新增 {added} 个，修改 {updated} 个，未变 {unchanged} 个。确认导入吗？",
    ),
    "faq.import_nothing": (
        "Nothing to import: every topic in the file is already the same here.",
        "无需导入：文件中的主题与这里完全相同。",
    ),
    "faq.imported": (
        "Imported: {added} new, {updated} changed.",
        "导入完成：新增 {added} 个，修改 {updated} 个。",
    ),
    "faq.unanswered_title": ("Questions I could not answer", "我答不上来的问题"),
    "faq.unanswered_none": ("No unanswered questions yet.", "目前没有未解答的问题。"),
    "button.confirm": ("Confirm", "确认"),
    "button.cancel": ("Cancel", "取消"),
    # /config
    "config.title": ("Bot settings for this server", "本服务器的机器人设置"),
    "config.language": ("Answer language", "回答语言"),
    "config.channels": ("Answers in chat in", "在这些频道回答聊天问题"),
    "config.editor_role": ("Editor role", "编辑角色"),
    "config.rules": ("Server rules", "服务器规则"),
    "config.none": ("none", "无"),
    "config.rules_set": ("set with /config rules", "已通过 /config rules 设置"),
    "config.rules_default": ("the shipped placeholder", "默认占位内容"),
    "config.lang.auto": ("auto (the question's language)", "自动（跟随提问语言）"),
    "config.lang.en": ("English", "英文"),
    "config.lang.zh": ("Chinese", "中文"),
    "config.lang.both": ("both", "中英双语"),
    "config.saved": ("Saved.", "已保存。"),
    "config.channel_needed": ("Pick a channel for add and remove.", "添加或移除时请选择一个频道。"),
    "config.rules_modal": ("Server rules", "服务器规则"),
    "config.rules_en": ("Rules (English)", "Rules (English)"),
    "config.rules_zh": ("规则（中文）", "规则（中文）"),
    # console chat
    "chat.welcome": (
        "Ask me anything about RedNote (小红书), in English or Chinese. Empty line or Ctrl-D to quit.",
        "用中文或英文问我任何关于小红书的问题。空行或 Ctrl-D 退出。",
    ),
    "chat.bye": ("Bye! 再见！", "再见！Bye!"),
}


def localise(text: str, lang: str) -> str:
    """`text` converted to Traditional Chinese when the reply language is zh-Hant."""
    if lang != "zh-Hant":
        return text
    from bot.engine.normalize import to_traditional  # OpenCC: only when it is needed

    return to_traditional(text)


def in_language(en: str, zh: str, lang: str) -> str:
    """`en` or `zh` for the reply language `lang`: "en", "zh", or "zh-Hant" (the Chinese in Traditional)."""
    return localise(zh, lang) if lang.startswith("zh") else en


@lru_cache(maxsize=1024)
def _localised(key: str, lang: str) -> str:
    return in_language(*MESSAGES[key], lang)


def t(key: str, lang: str = "en", **values: object) -> str:
    """The message `key` in `lang` ("en", "zh" or "zh-Hant"), with `values` filled in."""
    text = _localised(key, lang)
    return text.format(**values) if values else text


def category_name(category: str, lang: str = "en") -> str:
    """A category's display name, or the category id when it has none."""
    key = f"category.{category}"
    return t(key, lang) if key in MESSAGES else category


def lang_for_locale(locale: object) -> str:
    """The language of fixed texts for a Discord locale: zh-TW/zh-HK read Traditional, zh-CN Simplified."""
    value = str(locale or "")
    if value in ("zh-TW", "zh-HK"):
        return "zh-Hant"
    if value.startswith("zh"):
        return "zh"
    return "en"
