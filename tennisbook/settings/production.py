"""Production: real AWS, KMS, JSON logs, secure cookies, no debug."""

import os

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("TENNISBOOK_ENV", "prod")
os.environ.setdefault("LOG_FORMAT", "json")

from .base import *  # noqa: F403
from .base import CRYPTO_KEY_PROVIDER, DEBUG

if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be false in production.")
if CRYPTO_KEY_PROVIDER != "kms":
    raise ImproperlyConfigured(
        "CRYPTO_KEY_PROVIDER must be 'kms' in production: members' portal passwords "
        "are never protected by a local development key there."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 30
SECURE_CONTENT_TYPE_NOSNIFF = True
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
