"""Logging helpers that settings.LOGGING names."""

from __future__ import annotations

import logging


class QuietBelow(logging.Filter):
    """Drops records of one logger (and its children) below a level. A logger's own level is
    not enough for django_tasks: `db_worker` sets it to INFO itself at start."""

    def __init__(self, logger: str, level: str) -> None:
        super().__init__()
        self.prefix = logger
        self.level = logging.getLevelName(level.upper())

    def filter(self, record: logging.LogRecord) -> bool:
        is_ours = record.name == self.prefix or record.name.startswith(self.prefix + ".")
        return not is_ours or record.levelno >= self.level
