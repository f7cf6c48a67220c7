"""What members may see of a result, and the evidence files behind it.

A stored result holds the engine's technical detail and the server paths of
its evidence (screenshot, page, portal reply). Members get neither: the API
shows the result with the detail left out and each piece of evidence as an
owner-only URL, served from the evidence directory only. Operators read
the detail in the admin.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.http import FileResponse
from django.urls import reverse

from .dynamo import BookingRequest

# Keys of the stored result that only operators see.
OPERATOR_ONLY = frozenset({"detail", "evidence"})


def member_result(request: BookingRequest) -> dict:
    """The result as the API shows it: no server paths, no internal detail."""
    result = {k: v for k, v in request.result_data.items() if k not in OPERATOR_ONLY}
    names = sorted((request.result_data.get("evidence") or {}).keys())
    result["evidence"] = {
        name: reverse("bookings-api:evidence", args=[request.request_id, name]) for name in names
    }
    return result


def evidence_file(request: BookingRequest, name: str) -> tuple[Path, str] | None:
    """The file of one piece of evidence and its content type, if it is still there.

    Only files inside the evidence directory are served, whatever the stored
    result says.
    """
    return kept_file((request.result_data.get("evidence") or {}).get(name))


def kept_file(stored: object) -> tuple[Path, str] | None:
    """A stored evidence path and its content type, if it is a file in the evidence directory."""
    if not isinstance(stored, str):
        return None
    root = Path(settings.BOOKER_EVIDENCE_DIR).resolve()
    path = Path(stored).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path, mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def preflight_file(check, name: str) -> tuple[Path, str] | None:
    """One piece of a pre-flight check's evidence, on the same terms as a result's."""
    return kept_file((check.evidence or {}).get(name))


def evidence_response(path: Path, content_type: str) -> FileResponse:
    """The file as sent to its member or an operator: private, never sniffed, never run.

    Raises ``OSError`` when the file cannot be opened (gone since it was found).
    """
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    if not content_type.startswith("image/"):
        # A kept portal page must not run or reach anything in our origin. (A
        # screenshot opened full size needs none: the browser's own image view
        # would only break under it.)
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src data:"
    return response
