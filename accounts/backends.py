"""Authentication backends."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Axes' lockout check for every login that comes with a request.

    Axes refuses ``authenticate()`` without a request; programmatic callers
    without one (the test client's ``login()``, a shell, a management
    command) have no HTTP client to lock out, so they are let through to the
    next backend. Every HTTP login path (our pages, the API, the admin)
    passes its request and is checked.
    """

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
