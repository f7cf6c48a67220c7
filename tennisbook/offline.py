"""The service worker (``/sw.js``) and the page it shows offline (``/offline``).

The worker's code is ``static/sw.js``; this view serves it at the site's
root (a worker controls only the paths below its own URL, and the member
pages start at ``/``) with its manifest filled in: the app shell's URLs,
the member pages it keeps a copy of, and a version.

The shell's URLs are the ones this process's pages link to (``static()``:
hashed names under whitenoise's manifest storage, plain ones in tests and
``DEBUG``), plus the plain name of every module, because the modules import
each other by plain relative names that the manifest does not rewrite. The
version is a digest of the bytes behind every listed URL: a collectstatic
that changes any file (another stack of the checkout may run one, under its
lock) gives ``/sw.js`` other bytes, so browsers install the new worker and
drop the old shell, and a file nobody changed never costs a reinstall.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from functools import lru_cache
from pathlib import Path

import structlog
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

log = structlog.get_logger("tennisbook.offline")

WORKER_SOURCE = "sw.js"
# What every page needs besides the modules (base.html's links).
SHELL_FILES = ("css/site.css", "favicon.svg", "vendor/htmx/htmx.min.js")
MODULES_DIR = "js/"
# Loaded by the worker itself (importScripts), never by a page.
NOT_SHELL = {"js/sw-push.js"}
# The member pages the worker keeps the last good copy of (URL names).
SAVED_PAGES = ("bookings:home", "bookings:book", "bookings:history", "bookings:calendar")
ANY_ID = "00000000-0000-0000-0000-000000000000"
UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# static/sw.js carries a placeholder manifest between these comments (so the
# file stays valid JavaScript as collected); the view puts the real one there.
MANIFEST_SLOT = re.compile(r"/\* manifest \*/.*?/\* end manifest \*/", re.S)


@require_GET
def service_worker(request):
    """``/sw.js``: the worker with its manifest; revalidated on every update check."""
    source = MANIFEST_SLOT.sub(
        lambda _: json.dumps(manifest(), separators=(",", ":")), _worker_source(), count=1
    )
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    # The browser asks for /sw.js on navigations; it must see a new one at once.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline_page(request):
    """``/offline``: what the worker shows for a page it has no copy of.

    Cached once per worker version for every visitor, so it names no one.
    """
    response = render(request, "offline.html")
    response["Cache-Control"] = "no-cache"
    return response


def manifest() -> dict:
    """What the worker needs to know of this site, as JSON-ready data."""
    shell = shell_urls()
    offline = reverse("offline")
    digest = hashlib.sha256()
    for url, path in sorted(shell.items()):
        digest.update(f"{url}\0{_file_digest(path)}\n".encode())
    digest.update(_worker_source().encode())
    return {
        "version": digest.hexdigest()[:16],
        "shell": [offline, *sorted(shell)],
        "offline": offline,
        "static": settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/",
        "pages": page_patterns(),
    }


def page_patterns() -> list[str]:
    """Regular expressions (JavaScript's syntax too) of the saved pages' paths."""
    patterns = [f"^{_escape(reverse(name))}$" for name in SAVED_PAGES]
    detail = _escape(reverse("bookings:detail", args=[ANY_ID])).replace(ANY_ID, UUID_PATTERN)
    return [*patterns, f"^{detail}$"]


def shell_names() -> list[str]:
    """The static names of the app shell: base.html's files and every page module."""
    modules = set()
    for finder in finders.get_finders():
        for name, _storage in finder.list(["CVS", ".*", "*~"]):
            name = name.replace(os.sep, "/")
            if name.startswith(MODULES_DIR) and name.endswith(".js") and name not in NOT_SHELL:
                modules.add(name)
    return [*SHELL_FILES, *sorted(modules)]


def shell_urls() -> dict[str, Path | None]:
    """Each shell URL (as linked, and plain) with the file behind it."""
    urls: dict[str, Path | None] = {}
    plain_prefix = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/"
    for name in shell_names():
        try:
            linked = static(name)
        except ValueError:  # not in the manifest: collectstatic has not seen it yet
            log.warning("offline.shell_file_missing", name=name)
            continue
        urls[linked] = _served_file(name, hashed=True)
        urls.setdefault(plain_prefix + name, _served_file(name, hashed=False))
    return urls


def _served_file(name: str, *, hashed: bool) -> Path | None:
    """The file whitenoise serves for ``name`` (its hashed copy, or the plain one)."""
    if not settings.DEBUG:
        stored = getattr(staticfiles_storage, "stored_name", None)
        try:
            collected = Path(staticfiles_storage.path(stored(name) if hashed and stored else name))
        except (ValueError, NotImplementedError):
            collected = None
        if collected is not None and collected.is_file():
            return collected
    found = finders.find(name)
    return Path(found) if found else None


def _file_digest(path: Path | None) -> str:
    if path is None:
        return "missing"
    try:
        stat = path.stat()
    except OSError:
        return "missing"
    return _digest_of(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=512)
def _digest_of(path: str, mtime_ns: int, size: int) -> str:
    # Keyed by mtime and size: a file rewritten by collectstatic is read again.
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _worker_source() -> str:
    found = finders.find(WORKER_SOURCE)
    if found:
        return Path(found).read_text("utf-8")
    return Path(staticfiles_storage.path(WORKER_SOURCE)).read_text("utf-8")


def _escape(path: str) -> str:
    return re.sub(r"[.^$*+?()\[\]{}|\\/]", lambda m: "\\" + m.group(0), path)
