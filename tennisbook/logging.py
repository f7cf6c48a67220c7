"""Structured logging for every process: web, worker, beat, commands.

structlog renders both its own events and those of the standard library:
a readable console in development, one JSON object a line in production.
Context bound with ``structlog.contextvars`` (the request id, a booking
request id in a worker) appears on every line logged while it is bound.
"""

from __future__ import annotations

import logging
import logging.config
import re

import structlog

# URLs whose last part is a secret (a calendar feed, a template's share link):
# Django logs a path with every 4xx/5xx answer, and a log must not hold them.
_SECRET_PATHS = re.compile(r"(/calendar/)[A-Za-z0-9_-]+(\.ics)|(/templates/shared/)[A-Za-z0-9_-]+")


def redact(text: str) -> str:
    """``text`` with the secret part of such URLs replaced by ``<redacted>``."""

    def hide(match: re.Match) -> str:
        if match.group(1):
            return f"{match.group(1)}<redacted>{match.group(2)}"
        return f"{match.group(3)}<redacted>"

    return _SECRET_PATHS.sub(hide, text)


class RedactSecrets(logging.Filter):
    """Take secret URL parts out of a standard-library record (its message and request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            message = record.getMessage()
            cleaned = redact(message)
            if cleaned != message:
                record.msg, record.args = cleaned, ()
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            shown = repr(request)
            if redact(shown) != shown:
                record.request = redact(shown)
        return True


_SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.ExtraAdder(),
]


def daphne_level(level: str) -> str:
    """Daphne's level for the project's ``level``: never more verbose than INFO or it."""
    return "INFO" if level == "DEBUG" else level


def configure_logging(log_format: str = "console", level: str = "INFO") -> None:
    renderer = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "structured": {
                    "()": structlog.stdlib.ProcessorFormatter,
                    "foreign_pre_chain": _SHARED_PROCESSORS,
                    "processors": [
                        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                        structlog.processors.format_exc_info,
                        renderer,
                    ],
                }
            },
            "filters": {"redact": {"()": RedactSecrets}},
            "handlers": {
                "default": {
                    "class": "logging.StreamHandler",
                    "formatter": "structured",
                    "filters": ["redact"],
                },
            },
            "root": {"handlers": ["default"], "level": level},
            "loggers": {
                # Chatty libraries: their debug output never helps an operator.
                "botocore": {"level": "WARNING"},
                "urllib3": {"level": "WARNING"},
                "pynamodb": {"level": "WARNING"},
                "asyncio": {"level": "WARNING"},
                # Daphne's DEBUG is a line per HTTP request and WebSocket frame:
                # at DEBUG it stays at INFO (start-up, errors); else it follows.
                "daphne": {"level": daphne_level(level)},
            },
        }
    )
    structlog.configure(
        processors=[
            *_SHARED_PROCESSORS[:-1],
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
