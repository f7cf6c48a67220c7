"""Structured logging for every process: web, worker, beat, commands.

structlog renders both its own events and those of the standard library:
a readable console in development, one JSON object a line in production.
Context bound with ``structlog.contextvars`` (the request id, a booking
request id in a worker) appears on every line logged while it is bound.
"""

from __future__ import annotations

import logging
import logging.config

import structlog

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
            "handlers": {
                "default": {"class": "logging.StreamHandler", "formatter": "structured"},
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
