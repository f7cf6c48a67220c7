"""Test settings: fast hashing, in-memory layers, the in-process emulator.

Unit tests run DynamoDB and KMS in-process (moto's ``mock_aws``); the
integration tests point the models at a real emulator server themselves.
"""

import os

os.environ.setdefault("TENNISBOOK_ENV", "test")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key-0123456789abcdef0123456789abcdef")
os.environ["DYNAMODB_ENDPOINT_URL"] = ""
os.environ["KMS_ENDPOINT_URL"] = ""
os.environ.setdefault("CRYPTO_KEY_PROVIDER", "kms")
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"  # noqa: S105 - the emulator's dummy
os.environ["AWS_SECURITY_TOKEN"] = "testing"  # noqa: S105
os.environ["AWS_SESSION_TOKEN"] = "testing"  # noqa: S105
os.environ.setdefault("AWS_REGION", "us-east-1")
os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"]

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
REALTIME_LOG_BACKEND = "memory"
# Tasks run in the test process (event delivery, e-mail): the real worker is
# tested by tests/integration, with its own broker.
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Accounts and API protection (tests) --------------------------------------
# Generous limits so that a test trips a limit only when it sets one itself
# (through the `settings` fixture); the lockout keeps its production shape.
LOGIN_IP_FAILURES = 1000
AUTH_RATE_LIMITS = {name: "10000/m" for name in AUTH_RATE_LIMITS}  # noqa: F405
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {  # noqa: F405
    "anon": "100000/min",
    "user": "100000/min",
    "login_check": "5/min",  # its own tests count to it
}
