"""The local development key provider: a secret out of the code, 0600 key file."""

import stat

import pytest

from configs.crypto import Binding, DecryptionFailed, WrongEnvironment, decrypt, encrypt
from configs.crypto.envelope import Envelope
from configs.crypto.providers import LocalKeyProvider

SECRET = "club-pass-local"
BINDING = Binding("portal-credentials", "alice-id", "portalPassword")


@pytest.fixture
def local_keys(settings, tmp_path):
    from configs.crypto import get_provider

    settings.CRYPTO_KEY_PROVIDER = "local"
    settings.CRYPTO_LOCAL_SECRET = ""
    settings.CRYPTO_LOCAL_KEY_FILE = tmp_path / "keys" / "local-master.json"
    get_provider.cache_clear()
    yield settings.CRYPTO_LOCAL_KEY_FILE
    get_provider.cache_clear()


def test_the_key_file_is_created_on_first_use_readable_by_its_owner_only(local_keys):
    stored = encrypt(SECRET, BINDING)
    assert stat.S_IMODE(local_keys.stat().st_mode) == 0o600
    assert SECRET not in local_keys.read_text()
    assert Envelope.loads(stored).key_id == "local:test:k1"
    assert decrypt(stored, BINDING) == SECRET


def test_a_secret_from_the_environment_needs_no_file(local_keys, settings):
    from configs.crypto import get_provider

    settings.CRYPTO_LOCAL_SECRET = "a-long-developer-secret"
    get_provider.cache_clear()
    assert decrypt(encrypt(SECRET, BINDING), BINDING) == SECRET
    assert not local_keys.exists()


def test_another_binding_or_environment_cannot_open_a_local_value(local_keys, settings):
    stored = encrypt(SECRET, BINDING)
    with pytest.raises(DecryptionFailed):
        decrypt(stored, Binding("portal-credentials", "bob-id", "portalPassword"))
    provider = LocalKeyProvider("prod", key_file=local_keys)
    with pytest.raises(WrongEnvironment):
        provider.unwrap(Envelope.loads(stored).encrypted_key, "local:test:k1", {})


def test_a_new_local_key_keeps_old_values_readable(local_keys):
    from configs.crypto import get_provider, rewrap

    old = encrypt(SECRET, BINDING)
    assert get_provider().add_key() == "local:test:k2"
    rewrapped = rewrap(old, BINDING)
    assert Envelope.loads(rewrapped).key_id == "local:test:k2"
    assert decrypt(old, BINDING) == decrypt(rewrapped, BINDING) == SECRET
    assert rewrap(rewrapped, BINDING) is None


def test_production_refuses_to_start_without_kms():
    import os
    import subprocess
    import sys
    from pathlib import Path

    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")} | {
        "DJANGO_SETTINGS_MODULE": "tennisbook.settings.production",
        "DJANGO_SECRET_KEY": "x" * 50,
        "CRYPTO_KEY_PROVIDER": "local",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "CRYPTO_KEY_PROVIDER must be 'kms' in production" in result.stderr
