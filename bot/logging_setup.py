"""Logging, configured once by the entry point."""

from __future__ import annotations

import logging


def setup_logging(level: str = "INFO") -> None:
    """Plain lines to stderr; discord.py's own loggers at WARNING unless DEBUG is asked for."""
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
    )
    if level != "DEBUG":
        logging.getLogger("discord").setLevel(max(logging.WARNING, logging.getLevelName(level)))
        logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
        logging.getLogger("alembic").setLevel(logging.WARNING)
