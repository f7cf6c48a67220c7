"""Secret URL parts (a calendar feed's token, a share link's secret) never reach a log."""

from __future__ import annotations

import logging

from tennisbook.logging import RedactSecrets, redact

FEED = "/calendar/Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy.ics"
LINK = "/templates/shared/c2VjcmV0LXNoYXJlLWxpbms_0"


def test_the_secret_parts_are_replaced_and_the_rest_kept():
    assert redact(f"Service Unavailable: {FEED}") == (
        "Service Unavailable: /calendar/<redacted>.ics"
    )
    assert redact(f"Not Found: {LINK}?x=1") == "Not Found: /templates/shared/<redacted>?x=1"
    assert redact("GET /calendar/?month=2026-12") == "GET /calendar/?month=2026-12"


class _Request:
    def __repr__(self) -> str:
        return f"<ASGIRequest: GET '{FEED}'>"


def test_djangos_request_log_record_is_cleaned():
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "%s: %s", None, None)
    record.args = ("Service Unavailable", FEED)
    record.request = _Request()

    assert RedactSecrets().filter(record)

    assert "<redacted>" in record.getMessage()
    assert "Zm9v" not in record.getMessage()
    assert "Zm9v" not in record.request
