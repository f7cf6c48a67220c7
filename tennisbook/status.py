"""The system status in the page header: the site, the workers, each club's portal and clock.

A member sees, in words and colour, whether tennisbook can book for them
right now: "All systems normal", "Portal unreachable: <club>", "Workers:
none running", "Clock: portal 0.2 ms ahead ± 0.7 ms". Operators also see
what the checks said (which dependency, its error, the worker hosts).

Two pieces feed it, each kept in Django's cache (Redis in the running
system, so every process shares them):

- the **checks**: ``/readyz``'s readiness checks (``tennisbook.health``)
  and the Celery workers that answer a broadcast. Whichever process first
  finds them older than ``STATUS_FEED_SECONDS`` runs them, one process at a
  time (a lock taken with ``cache.add``), in a thread beside the request
  that found them stale; that request and the other processes serve the
  last result meanwhile.
- the **portals**: each enabled club's portal reachability and clock offset,
  probed by a beat task (``tennisbook.portal_probe``). A feed that finds
  them missing or stale asks for a probe (at most once per probe period).

``GET /status.json`` (``status_feed``) combines them; the header's first
render (``header_context``) only reads them, never checks anything. A cache
entry that is missing, of another version or malformed counts as "not
checked yet"; a cache that does not answer is left alone for a while, and
this process's own last copy is served meanwhile.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import structlog
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tennisbook import health
from tennisbook.api.exceptions import error_body
from tennisbook.api.permissions import is_operator

from . import portal_probe
from .status_words import feed_parts, summary_of

log = structlog.get_logger(__name__)

VERSION = 1
CHECKS_KEY = f"status:checks:v{VERSION}"
LOCK_KEY = "status:checks:lock"
PROBE_ASKED_KEY = "status:probe:asked"
LOCK_SECONDS = 20  # longer than a round of checks can take (each has its own timeout)
WORKERS_TIMEOUT_SECONDS = 1.0  # how long the workers have to answer the broadcast
CACHE_RETRY_SECONDS = 30  # a cache that failed is not asked again before this
STALE_PROBES = 3  # portal results older than this many probe periods are "not checked"

_memo: dict[str, dict] = {}  # this process's last copy of each piece
_memo_lock = threading.Lock()
_cache_down_until = 0.0


# --- the cache, read carefully -------------------------------------------------------


def _cache_get_many(keys: list[str]) -> dict[str, Any]:
    """The cached values (a cache that fails is skipped for ``CACHE_RETRY_SECONDS``)."""
    global _cache_down_until
    if time.monotonic() < _cache_down_until:
        return {}
    try:
        return cache.get_many(keys)
    except Exception as exc:  # Redis down or refusing: the header must still render
        _cache_down_until = time.monotonic() + CACHE_RETRY_SECONDS
        log.warning("status.cache_unreadable", error=str(exc) or type(exc).__name__)
        return {}


def _cache_call(method: str, *args, **kwargs) -> Any:
    try:
        return getattr(cache, method)(*args, **kwargs)
    except Exception as exc:
        log.warning("status.cache_failed", call=method, error=str(exc) or type(exc).__name__)
        return None


def valid_checks(value: Any) -> dict | None:
    """``value`` if it is a checks entry of this version, else None."""
    if not isinstance(value, dict) or value.get("version") != VERSION:
        return None
    if not _is_number(value.get("at")):
        return None
    if not isinstance(value.get("site"), dict) or not isinstance(value.get("workers"), dict):
        return None
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _freshest(key: str, cached: dict | None) -> dict | None:
    """The newer of the cache's entry and this process's copy (which it then becomes)."""
    with _memo_lock:
        mine = _memo.get(key)
        if cached is not None and (mine is None or cached["at"] >= mine["at"]):
            _memo[key] = mine = cached
    return mine


def forget() -> None:
    """Drop this process's copies (tests; a process that must look again)."""
    global _cache_down_until
    with _memo_lock:
        _memo.clear()
    _cache_down_until = 0.0


# --- the checks ----------------------------------------------------------------------


def check_workers(timeout: float = WORKERS_TIMEOUT_SECONDS) -> dict:
    """The Celery workers that answer within ``timeout``, and the queues each serves."""
    from tennisbook.celery import app

    try:
        replies = app.control.inspect(timeout=timeout).active_queues() or {}
    except Exception as exc:
        return {"reachable": False, "hosts": {}, "error": str(exc) or type(exc).__name__}
    hosts = {
        str(host): sorted(str(q.get("name")) for q in queues if isinstance(q, dict))
        for host, queues in replies.items()
        if isinstance(queues, list)
    }
    return {"reachable": True, "hosts": hosts}


def compute_checks() -> dict:
    """One round of checks: readiness (``tennisbook.health``) and the workers. Never raises."""
    try:
        body, _ = health.readiness()
    except Exception as exc:  # a bug around the checks; they catch their own failures
        log.exception("status.readiness_failed")
        body = {"status": "unavailable", "down": ["readiness"], "checks": {}}
        body["checks"]["readiness"] = {"ok": False, "error": str(exc) or type(exc).__name__}
    errors = {
        name: result.get("error", "")
        for name, result in body.get("checks", {}).items()
        if not result.get("ok")
    }
    site = {"status": body["status"], "errors": errors, "waiting": body.get("outbox_waiting")}
    if "redis" in errors:
        # The broker is Redis: a broadcast would only wait for its retries.
        workers = {"reachable": False, "hosts": {}, "error": "Redis is down"}
    else:
        workers = check_workers()
    return {"version": VERSION, "at": time.time(), "site": site, "workers": workers}


def current_checks() -> dict | None:
    """The checks, run again when older than ``STATUS_FEED_SECONDS`` (one process at a time)."""
    period = settings.STATUS_FEED_SECONDS
    with _memo_lock:
        mine = _memo.get(CHECKS_KEY)
    if mine is not None and time.time() - mine["at"] < period:
        return mine
    found = _freshest(CHECKS_KEY, valid_checks(_cache_get_many([CHECKS_KEY]).get(CHECKS_KEY)))
    if found is not None and time.time() - found["at"] < period:
        return found
    taken = _cache_call("add", LOCK_KEY, "1", LOCK_SECONDS)
    if taken is False:  # another process is running them: serve the last round meanwhile
        return found
    # Taken, or the cache is down (None): this process checks, its own copy
    # keeps it to one round per period. With a last round to show, the
    # caller gets it at once and the new round runs beside the request (a
    # worker broadcast can take a second); with none, there is nothing to
    # show but what this round finds.
    if found is not None:
        _refresh_in_background(taken, period)
        return found
    return _run_round(taken, period)


_refresher: threading.Thread | None = None


def _run_round(taken: bool | None, period: float) -> dict:
    try:
        fresh = compute_checks()
        _cache_call("set", CHECKS_KEY, fresh, max(period * 20, 600))
    finally:
        if taken:
            _cache_call("delete", LOCK_KEY)
    return _freshest(CHECKS_KEY, fresh)


def _refresh_in_background(taken: bool | None, period: float) -> None:
    global _refresher

    def run() -> None:
        try:
            _run_round(taken, period)
        except Exception:  # compute_checks never raises; a cache write might
            log.exception("status.refresh_failed")
        finally:
            connection.close()  # this thread's own database connection

    with _memo_lock:
        if _refresher is not None and _refresher.is_alive():
            if taken:
                _cache_call("delete", LOCK_KEY)  # the lock just won is not this round's
            return  # this process's round is already under way
        _refresher = threading.Thread(target=run, name="status-refresh", daemon=True)
        _refresher.start()


def wait_for_refresh(timeout: float = 10.0) -> None:
    """Wait for this process's background round, if one runs (tests, shutdown)."""
    thread = _refresher
    if thread is not None:
        thread.join(timeout)


def current_portals(*, ask: bool) -> dict | None:
    """The last portal probe's results; with ``ask``, ask beat's task for one when stale."""
    found = _freshest(
        portal_probe.PORTALS_KEY,
        portal_probe.valid_results(
            _cache_get_many([portal_probe.PORTALS_KEY]).get(portal_probe.PORTALS_KEY)
        ),
    )
    period = settings.STATUS_PROBE_SECONDS
    stale = found is None or time.time() - found["at"] > period * 1.5
    if ask and stale and _cache_call("add", PROBE_ASKED_KEY, "1", period):
        portal_probe.ask_for_probe()
    return found


# --- the feed ------------------------------------------------------------------------


def feed(checks: dict | None, portals: dict | None, *, operator: bool, now: float) -> dict:
    """What the header shows: a state, a sentence, and each part (operators: with detail)."""
    stale_after = settings.STATUS_PROBE_SECONDS * STALE_PROBES
    parts = feed_parts(checks, portals, now=now, stale_after=stale_after)
    state, summary = summary_of(parts)
    checked = [piece["at"] for piece in (checks, portals) if piece is not None]
    shown = [
        {key: part[key] for key in ("name", "state", "text")}
        | ({"detail": part["detail"]} if operator and part.get("detail") else {})
        for part in parts
    ]
    return {
        "state": state,
        "summary": summary,
        "checked_at": (
            datetime.fromtimestamp(min(checked), UTC).isoformat(timespec="seconds")
            if checked
            else None
        ),
        "parts": shown,
    }


@never_cache
@require_GET
def status_feed(request: HttpRequest) -> JsonResponse:
    """``GET /status.json``: the header's status for a logged-in member (401 otherwise)."""
    if not request.user.is_authenticated:
        body = error_body("not_authenticated", "Log in to see the system status.")
        return JsonResponse(body, status=401)
    checks, portals = current_checks(), current_portals(ask=True)
    return JsonResponse(feed(checks, portals, operator=is_operator(request.user), now=time.time()))


def header_status(request: HttpRequest) -> dict:
    """The feed from what is already cached: the header's first render checks nothing."""
    values = _cache_get_many([CHECKS_KEY, portal_probe.PORTALS_KEY])
    checks = _freshest(CHECKS_KEY, valid_checks(values.get(CHECKS_KEY)))
    portals = _freshest(
        portal_probe.PORTALS_KEY, portal_probe.valid_results(values.get(portal_probe.PORTALS_KEY))
    )
    return feed(checks, portals, operator=is_operator(request.user), now=time.time())


def header_context(request: HttpRequest) -> dict:
    """Context processor: ``system_status``, read only when a template shows it."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"system_status": SimpleLazyObject(lambda: header_status(request))}
