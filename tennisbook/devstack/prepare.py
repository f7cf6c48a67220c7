"""The steps between "services are up" and "start the site", in one process.

Run by the supervisor as ``python -m tennisbook.devstack prepare
--demo-booking`` with the stack's environment: migrate, create the DynamoDB
tables, create the encryption key, seed the demo accounts and club, give the
demo member a request for the demo portal's demo release (the portal is
already up; no worker is yet), and collect static files when they changed.
One Django start-up for all of them instead of one per ``manage.py`` call
saves seconds on every ``make run``. Each step is idempotent, and a step
that fails fails the whole: the supervisor then stops, naming it.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def static_fingerprint() -> str:
    """A hash of every static source file's path, size and mtime."""
    from django.contrib.staticfiles import finders

    digest = hashlib.sha256()
    for finder in finders.get_finders():
        for path, storage in finder.list(ignore_patterns=["CVS", ".*", "*~"]):
            full = storage.path(path)
            stat = os.stat(full)
            digest.update(f"{full}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collectstatic_if_needed(call_command, stamp: Path) -> None:
    """Collect static files unless STATIC_ROOT already holds these sources.

    The stamp and the lock sit beside STATIC_ROOT (never inside it, where
    they would be served), which every stack of a checkout shares (``make
    run``, each test stack): a collection rewrites files that another
    running stack serves, so it happens only when a source changed, and
    under the lock so that two stacks starting at once never collect over
    each other.
    """
    import fcntl

    from django.conf import settings

    root = Path(settings.STATIC_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    manifest = root / "staticfiles.json"
    with open(root.with_name(root.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        fingerprint = static_fingerprint()
        if manifest.exists() and stamp.exists() and stamp.read_text() == fingerprint:
            _say("static files unchanged; collectstatic skipped")
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        stamp.write_text(fingerprint)
    _say(f"collected static files into {settings.STATIC_ROOT}")


def main(*, collect_static: bool = True, demo_booking: bool = False) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tennisbook.settings.local")
    django.setup()
    from django.conf import settings
    from django.core.management import CommandError, call_command

    steps = [
        ("migrate", {"interactive": False, "verbosity": 1}),
        ("create_tables", {}),
        ("setup_keys", {}),  # the KMS key (or local key) seed_demo encrypts with
        # A var/ from before clubs moves to the default club; a no-op after.
        ("migrate_clubs", {}),
        ("seed_demo", {}),
    ]
    if demo_booking:
        steps.append(("demo_release", {}))
    for name, kwargs in steps:
        started = time.perf_counter()
        _say(f"manage.py {name}")
        try:
            call_command(name, **kwargs)
        except CommandError as exc:
            _say(f"ERROR: manage.py {name} failed: {exc}")
            return 1
        _say(f"manage.py {name} done in {time.perf_counter() - started:.1f} s")
    if collect_static:
        root = Path(settings.STATIC_ROOT)
        collectstatic_if_needed(call_command, root.with_name(root.name + ".stamp"))
    return 0
