"""The steps between "services are up" and "start the site", in one process.

Run by the supervisor as ``python -m tennisbook.devstack prepare`` with the
stack's environment: migrate, create the DynamoDB tables, create the
encryption key, seed the demo accounts and club, and collect static files
when they changed. One Django
start-up for all four instead of one per ``manage.py`` call saves seconds on
every ``make run``. Each step is idempotent.
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
    from django.conf import settings

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    fingerprint = static_fingerprint()
    if manifest.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        _say("static files unchanged; collectstatic skipped")
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint)
    _say(f"collected static files into {settings.STATIC_ROOT}")


def main(*, collect_static: bool = True) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tennisbook.settings.local")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command, get_commands

    available = get_commands()
    for name, kwargs in (
        ("migrate", {"interactive": False, "verbosity": 1}),
        ("create_tables", {}),
        ("setup_keys", {}),  # the KMS key (or local key) seed_demo encrypts with
        ("seed_demo", {}),
    ):
        if name not in available:
            _say(f"WARNING: manage.py {name} does not exist yet; skipped")
            continue
        started = time.perf_counter()
        _say(f"manage.py {name}")
        call_command(name, **kwargs)
        _say(f"manage.py {name} done in {time.perf_counter() - started:.1f} s")
    if collect_static:
        collectstatic_if_needed(call_command, Path(settings.VAR_DIR) / "run" / "static.stamp")
    return 0
