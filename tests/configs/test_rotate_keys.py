"""rotate_keys: re-wraps under the current key, resumable, idempotent."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from configs import services
from configs.crypto import cipher, key_id_of
from configs.dynamo import UserConfig
from tests.factories import CLUB

pytestmark = pytest.mark.usefixtures("dynamo")


def rotate(*args) -> str:
    out = StringIO()
    call_command("rotate_keys", "--no-progress", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def stored_key(user_id: str) -> str:
    return key_id_of(UserConfig.portal_password.stored(services.get_user_config(user_id, CLUB)))


@pytest.fixture
def members():
    for n in range(5):
        services.save_user_config(
            f"member-{n}", CLUB, portal_username=str(n), portal_password=f"pw-{n}"
        )
    services.save_user_config("no-password", CLUB, portal_username="x")
    return [f"member-{n}" for n in range(5)]


def test_a_dry_run_counts_and_changes_nothing(members):
    before = {m: stored_key(m) for m in members}
    out = rotate("--dry-run")
    assert "would rotate 0" in out
    assert "current 6" in out
    assert {m: stored_key(m) for m in members} == before


def test_values_written_before_rotation_are_readable_after_it(members):
    old_key = stored_key(members[0])
    out = rotate("--new-key")
    assert "rotated 5" in out
    for n, member in enumerate(members):
        assert stored_key(member) != old_key
        assert services.get_user_config(member, CLUB).portal_password == f"pw-{n}"


def test_an_interrupted_rotation_resumes_and_a_second_run_changes_nothing(members, monkeypatch):
    real_rewrap = cipher.rewrap
    calls = {"n": 0}

    def flaky_rewrap(stored, binding):
        calls["n"] += 1
        if calls["n"] == 3:
            raise cipher.CryptoError("KMS went away mid-run")
        return real_rewrap(stored, binding)

    monkeypatch.setattr("configs.management.commands.rotate_keys.rewrap", flaky_rewrap)
    with pytest.raises(CommandError, match="run the command again to resume"):
        rotate("--new-key")
    monkeypatch.undo()
    current = cipher.get_provider().current_key_id()
    assert sum(stored_key(m) == current for m in members) == 2  # then KMS "went away"
    out = rotate()
    assert "failed 0" in out
    keys = {stored_key(m) for m in members}
    assert len(keys) == 1
    assert "rotated 0" in rotate()
    for n, member in enumerate(members):
        assert services.get_user_config(member, CLUB).portal_password == f"pw-{n}"
