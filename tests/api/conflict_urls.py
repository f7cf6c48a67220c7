"""The project's URLs plus one API view that raises the conflict it is asked for.

The booking views may still catch their refusals; this view does not, so the
shared exception handler is what renders each one (``test_conflicts.py``).
"""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from bookings.errors import DuplicateRequest, QuotaReached, SlotClaimed, TransitionRefused
from tennisbook.dynamo import Conflict
from tennisbook.urls import urlpatterns as project_urlpatterns

SUGGESTIONS = [
    {"court_id": 7, "date": "2026-05-04", "time_slot": "De 07:00 AM a 08:00 AM"},
    {"court_id": 5, "date": "2026-05-04", "time_slot": "De 08:00 AM a 09:00 AM"},
]

RAISED = {
    "slot_claimed": lambda: SlotClaimed("Another member holds court 5.", SUGGESTIONS),
    "duplicate_request": lambda: DuplicateRequest("You already have a request then."),
    "quota_reached": lambda: QuotaReached("You have reached the club's limit."),
    "transition_refused": lambda: TransitionRefused("A completed request cannot change."),
    "lost_write": lambda: Conflict("update_item on dev-booking-requests: the item changed."),
}


class RaisingView(APIView):
    permission_classes = [AllowAny]

    def post(self, request, kind):
        raise RAISED[kind]()


urlpatterns = [
    path("api/test/conflicts/<str:kind>", RaisingView.as_view()),
    *project_urlpatterns,
]
