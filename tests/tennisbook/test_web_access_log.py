"""daphne's access log, as ``python -m tennisbook.web`` runs it, never holds a secret URL part."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from tennisbook.web import RedactedAccessLog


def test_an_access_line_for_a_feed_hides_its_token():
    stream = io.StringIO()
    log = RedactedAccessLog(stream)

    log.write_entry(
        "127.0.0.1:5000",
        datetime(2026, 12, 2, tzinfo=UTC),
        "GET /calendar/c2VjcmV0LXRva2VuLXZhbHVl.ics",
        200,
        42,
    )
    log.write_entry(
        "127.0.0.1:5000", datetime(2026, 12, 2, tzinfo=UTC), "GET /calendar/?month=2026-12", 200, 9
    )

    lines = stream.getvalue().splitlines()
    assert '"GET /calendar/<redacted>.ics" 200 42' in lines[0]
    assert "c2VjcmV0" not in stream.getvalue()
    assert '"GET /calendar/?month=2026-12" 200 9' in lines[1]
