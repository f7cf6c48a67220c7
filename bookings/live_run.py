"""Which run of a request its page follows live (``detail.html``'s ``#live-request``).

When a page starts watching ``request:<id>`` the socket replays the kept
events, those of earlier runs too; those runs are already on the page, in
its recorded sections. So the page draws only the events of the run under
way (since a worker took it) or, when none is, of runs that start after the
page was rendered.
"""

from __future__ import annotations

from datetime import datetime

from .choices import RequestStatus


def live_state(item, now: datetime) -> dict:
    """``since``: when the run under way was taken by a worker, else the page's own instant."""
    since = now
    if item.status == RequestStatus.PROCESSING:
        taken = [e.at for e in item.history if e.to_status == RequestStatus.PROCESSING]
        since = max(taken, default=now)
    return {"since": since.isoformat(), "status": item.status}
