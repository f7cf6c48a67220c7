"""Creating a request: validated against the club's settings, fire time stored."""

from datetime import UTC, datetime

import pytest

from bookings import services
from bookings.choices import RequestStatus
from tennisbook.values import InvalidValue

pytestmark = pytest.mark.usefixtures("dynamo")

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_it_stores_a_pending_request_with_its_fire_time_and_history():
    request = services.create_request(
        "u1",
        "5",
        "2026-12-20",
        "de 7:00 am a 8:00 am",
        [{"court_id": 7, "time_slot": "De 07:00 AM a 08:00 AM"}],
        now=NOW,
    )
    stored = services.requests_repo.get(request.request_id, "u1")
    assert stored.status == RequestStatus.PENDING.value
    assert stored.time_slot == "De 07:00 AM a 08:00 AM"
    assert stored.fire_at == datetime(2026, 12, 12, 6, 0, tzinfo=UTC)
    assert [(a.court_id, a.time_slot) for a in stored.alternatives] == [
        (7, "De 07:00 AM a 08:00 AM")
    ]
    assert stored.history[0].to_status == RequestStatus.PENDING.value


@pytest.mark.parametrize(
    ("court", "day", "slot", "alternatives", "field"),
    [
        (6, "2026-12-20", "De 07:00 AM a 08:00 AM", [], "court_id"),
        (5, "2026-12-20", "De 09:00 PM a 10:00 PM", [], "time_slot"),
        (5, "2026-11-30", "De 07:00 AM a 08:00 AM", [], "date"),
        (5, "2027-03-01", "De 07:00 AM a 08:00 AM", [], "date"),
        (5, "2026-12-32", "De 07:00 AM a 08:00 AM", [], "date"),
        (
            5,
            "2026-12-20",
            "De 07:00 AM a 08:00 AM",
            [{"court_id": 5, "time_slot": "De 07:00 AM a 08:00 AM"}],
            "alternatives[0]",
        ),
        (5, "2026-12-20", "De 07:00 AM a 08:00 AM", [{"court_id": 9}], "alternatives[0].court_id"),
    ],
)
def test_a_bad_wish_is_refused_naming_the_field(court, day, slot, alternatives, field):
    with pytest.raises(InvalidValue) as info:
        services.create_request("u1", court, day, slot, alternatives, now=NOW)
    assert info.value.field == field
    assert services.list_requests("u1") == []
