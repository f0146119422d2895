"""JSON log lines on stderr: one object per line, with the replica and correlation id."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

LOGGER = "arqonbus"
TIME_DIGITS = 3  # milliseconds
FIELDS = ("replica", "tenant", "client", "correlation_id", "message_id", "code", "room", "channel")


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "event", ...fields}``: the fields given as ``extra``."""

    def format(self, record: logging.LogRecord) -> str:
        """One JSON object for ``record``."""
        document: dict[str, Any] = {
            "ts": round(record.created, TIME_DIGITS),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                document[name] = value
        if record.exc_info:
            document["error"] = self.formatException(record.exc_info)
        return json.dumps(document, sort_keys=True)


def setup(level: int = logging.INFO) -> logging.Logger:
    """The service logger, writing JSON lines to stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(LOGGER)
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
    return logger
