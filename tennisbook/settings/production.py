"""Production: real AWS, JSON logs, secure cookies, no debug."""

import os

os.environ.setdefault("TENNISBOOK_ENV", "prod")
os.environ.setdefault("LOG_FORMAT", "json")

from .base import *  # noqa: F403
from .base import DEBUG

if DEBUG:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DJANGO_DEBUG must be false in production.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 30
SECURE_CONTENT_TYPE_NOSNIFF = True
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
