"""What several commands and listeners share about their input."""

from __future__ import annotations

from discord import app_commands

from bot.knowledge.entry import CATEGORIES
from bot.messages import MESSAGES

CATEGORY_CHOICES = [app_commands.Choice(name=MESSAGES[f"category.{c}"][0], value=c) for c in CATEGORIES]
"""The category choices of /topics and /faq add (names translated by the command translator)."""

MAX_QUESTION = 1000
"""Characters of a question (from /ask or a chat message) that are looked at."""
