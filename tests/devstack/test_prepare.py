"""The setup steps: every one runs, and the first that fails fails the whole."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.core import management
from django.core.management import CommandError

from tennisbook.devstack import prepare


@dataclass
class Commands:
    """The manage.py commands prepare ran; ``fail`` names one that raises."""

    ran: list[str] = field(default_factory=list)
    fail: str | None = None

    def __call__(self, name, *args, **kwargs):
        self.ran.append(name)
        if name == self.fail:
            raise CommandError(f"{name} could not do it")


@pytest.fixture
def commands(monkeypatch):
    recorder = Commands()
    monkeypatch.setattr(management, "call_command", recorder)
    return recorder


def test_the_demo_booking_is_the_last_step_before_static_files(commands):
    assert prepare.main(collect_static=False, demo_booking=True) == 0

    assert commands.ran == [
        "migrate",
        "create_tables",
        "setup_keys",
        "migrate_clubs",
        "seed_demo",
        "demo_release",
    ]


def test_without_the_flag_there_is_no_demo_booking(commands):
    assert prepare.main(collect_static=False) == 0

    assert "demo_release" not in commands.ran


def test_a_failing_step_stops_the_setup_with_its_name(commands, capsys):
    commands.fail = "seed_demo"

    assert prepare.main(collect_static=False, demo_booking=True) == 1

    assert commands.ran[-1] == "seed_demo"
    assert "ERROR: manage.py seed_demo failed: seed_demo could not do it" in capsys.readouterr().out
