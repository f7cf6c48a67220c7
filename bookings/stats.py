"""A member's booking history in numbers: counts, success rate, speed."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import date

from .choices import RequestStatus
from .dynamo import BookingRequest


def _rate(counts: Counter) -> float | None:
    decided = counts[RequestStatus.COMPLETED] + counts[RequestStatus.FAILED]
    return round(counts[RequestStatus.COMPLETED] / decided, 4) if decided else None


def _confirmation_ms(request: BookingRequest) -> float | None:
    value = request.result_data.get("release_to_confirmation_ms")
    return float(value) if value is not None else None


def summarize(requests: list[BookingRequest], date_from: date | None, date_to: date | None) -> dict:
    """Counts per status, success rate, median release→confirmation, per club and court.

    The success rate counts only decided requests (completed or failed):
    pending and cancelled ones say nothing about how well booking works.
    """
    counts: Counter = Counter(r.status for r in requests)
    by_court: dict[tuple[str, int], list[BookingRequest]] = defaultdict(list)
    for request in requests:
        by_court[(request.club_id, int(request.court_id))].append(request)
    timings = [t for r in requests if (t := _confirmation_ms(r)) is not None]
    return {
        "period": {
            "from": date_from.isoformat() if date_from else None,
            "to": date_to.isoformat() if date_to else None,
        },
        "total": len(requests),
        "by_status": {status.value: counts[status] for status in RequestStatus},
        "success_rate": _rate(counts),
        "median_release_to_confirmation_ms": statistics.median(timings) if timings else None,
        "by_court": [
            {
                "club": club,
                "court_id": court_id,
                "total": len(items),
                "by_status": dict(Counter(r.status for r in items)),
                "success_rate": _rate(Counter(r.status for r in items)),
            }
            for (club, court_id), items in sorted(
                by_court.items(), key=lambda entry: (entry[0][0] or "", entry[0][1])
            )
        ],
    }
