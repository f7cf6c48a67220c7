"""Local development: the embedded defaults `make run` starts on loopback."""

import os

from . import defaults

os.environ.setdefault("TENNISBOOK_ENV", "dev")
os.environ.setdefault("DJANGO_DEBUG", "true")
# Not a secret: only ever used on a developer's machine, never in production.
os.environ.setdefault("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me-0123456789abcdef")
os.environ.setdefault("DYNAMODB_ENDPOINT_URL", defaults.DYNAMODB_URL)
# The emulator serves KMS on the same port as DynamoDB.
os.environ.setdefault("KMS_ENDPOINT_URL", os.environ["DYNAMODB_ENDPOINT_URL"])
# The emulator accepts any credentials; boto3 insists that some exist.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")

from .base import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
