"""Bad environment values stop start-up with one line naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tennisbook.settings import env

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("reader", "value", "fragment"),
    [
        (lambda: env.env_bool("TB_X"), "maybe", "TB_X='maybe' is not a boolean"),
        (lambda: env.env_int("TB_X"), "ten", "TB_X='ten' is not a whole number"),
        (lambda: env.env_int("TB_X", minimum=1), "0", "TB_X=0 is below the minimum of 1"),
        (lambda: env.env_url("TB_X"), "localhost:8000", "TB_X='localhost:8000' is not a URL"),
        (lambda: env.env_url("TB_X"), "http://h:abc", "port that is not a number"),
        (lambda: env.env_choice("TB_X", ("a", "b")), "c", "TB_X='c' is not one of: a, b"),
        (lambda: env.env_float("TB_X"), "fast", "TB_X='fast' is not a number"),
    ],
)
def test_a_malformed_value_names_the_variable(monkeypatch, reader, value, fragment):
    monkeypatch.setenv("TB_X", value)
    with pytest.raises(ImproperlyConfigured, match=fragment.replace("(", r"\(")):
        reader()


def test_a_missing_required_variable_says_where_to_look(monkeypatch):
    monkeypatch.delenv("TB_MISSING", raising=False)
    with pytest.raises(ImproperlyConfigured, match=r"Set the environment variable TB_MISSING"):
        env.env_str("TB_MISSING")


def test_helpers_accept_good_values(monkeypatch):
    monkeypatch.setenv("TB_X", " yes ")
    assert env.env_bool("TB_X") is True
    monkeypatch.setenv("TB_X", "a, b,,c")
    assert env.env_list("TB_X") == ["a", "b", "c"]
    assert env.env_int("TB_UNSET", 3) == 3


def _manage_check(**variables: str) -> subprocess.CompletedProcess:
    """``manage.py check`` in a fresh process with the local settings and ``variables``."""
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DYNAMODB"))
    } | {"DJANGO_SETTINGS_MODULE": "tennisbook.settings.local", **variables}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_process_refuses_to_start_with_a_malformed_variable():
    result = _manage_check(REDIS_URL="http://nope")
    assert result.returncode != 0
    assert "REDIS_URL='http://nope' is not a URL of the form redis://" in result.stderr


@pytest.mark.parametrize("kind", ["square", ""])
def test_the_process_refuses_to_start_with_an_unknown_demo_portal_kind(kind):
    result = _manage_check(DEMOCLUB_KIND=kind)
    assert result.returncode != 0
    assert f"DEMOCLUB_KIND={kind!r} is not one of: condo, grid." in result.stderr


def test_the_demo_portal_kinds_are_the_ones_democlub_runs(settings):
    from democlub.settings import KINDS
    from tennisbook.settings import defaults

    assert defaults.DEMOCLUB_KINDS == KINDS
    assert settings.DEMOCLUB_KIND == defaults.DEMOCLUB_KIND == "condo"


# --- base.py defines each setting once, in its section -------------------------


def _settings_assignments(tree):
    import ast

    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                yield func.value.id, node.lineno, f".{func.attr}()"
        for target in targets:
            while isinstance(target, ast.Subscript):
                target = target.value
            if isinstance(target, ast.Name) and target.id.isupper():
                kind = "+=" if isinstance(node, ast.AugAssign) else "="
                yield target.id, node.lineno, kind


def test_base_settings_define_every_setting_once_and_never_patch_it_later():
    import ast
    from collections import defaultdict

    source = (ROOT / "tennisbook" / "settings" / "base.py").read_text()
    writes = defaultdict(list)
    for name, line, kind in _settings_assignments(ast.parse(source)):
        writes[name].append(f"line {line} ({kind})")

    patched = {name: where for name, where in writes.items() if len(where) > 1}
    assert patched == {}


def test_the_club_time_zone_comes_from_system_config_only(settings):
    assert not hasattr(settings, "CLUB_TIME_ZONE")


# --- Celery: the booking queue carries book_batch alone ----------------------------


def test_book_batch_goes_to_the_booking_queue_and_every_other_task_to_default():
    from tennisbook.celery import app

    app.loader.import_default_modules()
    names = [name for name in app.tasks if not name.startswith("celery.")]
    queues = {name: app.amqp.router.route({}, name)["queue"].name for name in names}

    assert queues.pop("booker.tasks.book_batch") == "booking"
    assert {"booker.tasks.sweep_due", "booker.tasks.flush_outbox"} <= set(queues)
    assert "bookings.release_stale_claims" in queues
    assert set(queues.values()) == {"default"}


def test_beat_schedules_the_sweep_at_the_configured_interval(settings):
    assert settings.CELERY_BEAT_SCHEDULE["sweep-due-requests"]["schedule"] == (
        settings.BOOKER_SWEEP_SECONDS
    )


def test_a_worker_process_takes_one_task_at_a_time_and_acknowledges_it_when_done(settings):
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True


# --- logging -----------------------------------------------------------------------


@pytest.fixture
def restore_logging(settings):
    yield
    from tennisbook.logging import configure_logging

    configure_logging(settings.LOG_FORMAT, settings.LOG_LEVEL)


@pytest.mark.parametrize(
    ("project", "daphne"),
    [("DEBUG", "INFO"), ("INFO", "INFO"), ("WARNING", "WARNING"), ("ERROR", "ERROR")],
)
def test_daphne_is_never_more_verbose_than_the_project_nor_than_info(
    restore_logging, project, daphne
):
    import logging

    from tennisbook.logging import configure_logging

    configure_logging("console", project)

    assert logging.getLogger("daphne").getEffectiveLevel() == getattr(logging, daphne)
    assert logging.getLogger("daphne.server").getEffectiveLevel() == getattr(logging, daphne)
    assert logging.getLogger().getEffectiveLevel() == getattr(logging, project)
