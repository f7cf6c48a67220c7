"""VAPID keys: printed by a command, kept by ``make run``, checked before push turns on.

- ``manage.py generate_vapid_keys`` prints three environment lines with a
  pair that belongs together.
- ``make run`` gives every process of the stack the same pair, made once
  in its var dir (mode 0600) and found again on the next start; keys set
  in the environment win.
- Push is off, saying why, while a key is missing or the pair is wrong.
"""

from __future__ import annotations

import io
import stat

import pytest
from django.core.management import CommandError, call_command

from realtime import push, vapid
from tennisbook.devstack import environment
from tennisbook.devstack.config import StackConfig


def test_the_command_prints_a_pair_that_belongs_together():
    out = io.StringIO()
    call_command("generate_vapid_keys", "--subject", "mailto:ops@example.test", stdout=out)
    lines = dict(
        line.split("=", 1) for line in out.getvalue().splitlines() if not line.startswith("#")
    )
    assert set(lines) == {"VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY", "VAPID_SUBJECT"}
    vapid.check_pair(lines["VAPID_PUBLIC_KEY"], lines["VAPID_PRIVATE_KEY"])
    assert lines["VAPID_SUBJECT"] == "mailto:ops@example.test"
    assert len(vapid.unb64url(lines["VAPID_PUBLIC_KEY"])) == 65


def test_the_command_refuses_a_subject_that_is_no_url():
    with pytest.raises(CommandError, match="mailto: or https:"):
        call_command("generate_vapid_keys", "--subject", "ops", stdout=io.StringIO())


def stack_env(var, **environ):
    config = StackConfig.from_env({"TENNISBOOK_VAR_DIR": str(var), **environ})
    return environment.child_env(config, "redis://127.0.0.1:6399/0")


def test_the_stack_keeps_its_own_pair_across_starts(tmp_path, monkeypatch):
    monkeypatch.delenv("VAPID_PUBLIC_KEY", raising=False)
    monkeypatch.delenv("VAPID_PRIVATE_KEY", raising=False)
    first = stack_env(tmp_path)
    again = stack_env(tmp_path)
    vapid.check_pair(first["VAPID_PUBLIC_KEY"], first["VAPID_PRIVATE_KEY"])
    assert (again["VAPID_PUBLIC_KEY"], again["VAPID_PRIVATE_KEY"]) == (
        first["VAPID_PUBLIC_KEY"],
        first["VAPID_PRIVATE_KEY"],
    )
    kept = tmp_path.resolve() / "keys" / "vapid.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_keys_from_the_environment_win(tmp_path, monkeypatch):
    public, private = vapid.generate()
    monkeypatch.setenv("VAPID_PUBLIC_KEY", public)
    monkeypatch.setenv("VAPID_PRIVATE_KEY", private)
    env = stack_env(tmp_path)
    assert (env["VAPID_PUBLIC_KEY"], env["VAPID_PRIVATE_KEY"]) == (public, private)
    assert not (tmp_path / "keys" / "vapid.json").exists()


@pytest.mark.parametrize(
    ("public", "private", "reason"),
    [
        ("", "", "VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY not set"),
        ("{public}", "", "VAPID_PRIVATE_KEY not set"),
        ("{public}", "not-base64-at-all!", "its VAPID keys are wrong"),
        ("{public}", "{other}", "the public key is not the private key's"),
        ("{public}", "AAAA", "a private key is 32 bytes"),
    ],
)
def test_push_is_off_saying_why(settings, public, private, reason):
    mine, _private = vapid.generate()
    _other_public, other = vapid.generate()
    settings.VAPID_PUBLIC_KEY = public.format(public=mine)
    settings.VAPID_PRIVATE_KEY = private.format(other=other)
    current = push.status()
    assert current.enabled is False
    assert reason in current.reason
    assert other not in current.reason


def test_push_is_on_with_a_good_pair(settings):
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid.generate()
    assert push.status() == push.Status(True, public_key=settings.VAPID_PUBLIC_KEY)
