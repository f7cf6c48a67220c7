"""Settings shared by every environment.

Every environment variable is read here, once, through the typed helpers of
``env.py``. The environment modules (``local``, ``test``, ``production``) set
their defaults with ``os.environ.setdefault`` *before* importing this module,
and adjust derived values after it; they never read the environment
themselves. ``.env.example`` documents every variable.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url

from tennisbook.logging import configure_logging

from . import defaults
from .env import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_match,
    env_path,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# --- Environment -----------------------------------------------------------
# dev / test / prod: prefixes DynamoDB table names and names the KMS key.
TENNISBOOK_ENV = env_choice("TENNISBOOK_ENV", ("dev", "test", "prod"), "dev")
VAR_DIR = env_path("TENNISBOOK_VAR_DIR", BASE_DIR / "var")

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
SITE_URL = env_url("TENNISBOOK_SITE_URL", defaults.SITE_URL)

# --- Applications ----------------------------------------------------------
INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served by the site, no CDN
    "channels",
    "django_htmx",
    "accounts",
    "configs",
    "bookings",
    "booker",
    "realtime",
    "axes",
]

MIDDLEWARE = [
    "tennisbook.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tennisbook.pages.PageErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes last: it turns a lockout flagged during the request into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tennisbook.urls"
WSGI_APPLICATION = "tennisbook.wsgi.application"
ASGI_APPLICATION = "tennisbook.asgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tennisbook.status.header_context",  # the header's system status
            ],
        },
    },
]

# --- Django database (users, sessions, admin, token blacklist) -------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# The club's own zone (release instants, "today") is not a setting: it lives in
# SystemConfig's release_rules, where operators edit it with the rules it governs.

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- DynamoDB ----------------------------------------------------------------
# An empty endpoint means real AWS; local and CI point it at the emulator.
DYNAMODB = {
    "endpoint_url": env_url("DYNAMODB_ENDPOINT_URL", "", allow_empty=True),
    "region": env_str("AWS_REGION", "us-east-1"),
    "table_prefix": env_str("DYNAMODB_TABLE_PREFIX", f"{TENNISBOOK_ENV}-"),
    "connect_timeout": env_float("DYNAMODB_CONNECT_TIMEOUT", 2.0),
    "read_timeout": env_float("DYNAMODB_READ_TIMEOUT", 5.0),
    "max_retry_attempts": env_int("DYNAMODB_MAX_RETRIES", 2, minimum=0, maximum=10),
}

# --- Credential encryption (configs.crypto) -----------------------------------
# "kms": envelope encryption under a KMS key (AWS, or the emulator locally);
# "local": a development key derived from a secret kept out of the code.
CRYPTO_KEY_PROVIDER = env_choice("CRYPTO_KEY_PROVIDER", ("kms", "local"), "kms")
KMS_KEY_ID = env_str("KMS_KEY_ID", f"alias/tennisbook-{TENNISBOOK_ENV}")
KMS_ENDPOINT_URL = env_url("KMS_ENDPOINT_URL", "", allow_empty=True)
KMS_MAX_ATTEMPTS = env_int("KMS_MAX_ATTEMPTS", 4, minimum=1, maximum=10)
# The local provider's secret: this variable, or else a key file created on
# first use with 0600 permissions (under VAR_DIR, which git ignores).
CRYPTO_LOCAL_SECRET = env_str("CRYPTO_LOCAL_SECRET", "")
CRYPTO_LOCAL_KEY_FILE = env_path("CRYPTO_LOCAL_KEY_FILE", VAR_DIR / "keys" / "local-master.json")

# --- Redis: Celery broker, channel layer, shared cache ----------------------
REDIS_URL = env_url("REDIS_URL", defaults.REDIS_URL, schemes=("redis", "rediss"))

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # redis-py 8 reads with a 5 s timeout by default, exactly channels_redis's
        # 5 s blocking pop: every idle receive would time out and close the
        # sockets. A longer timeout still notices a Redis that went away.
        # Its async pool raises beyond max_connections instead of waiting (a mass
        # disconnect failed its discards at 100), and a process's consumers
        # share one queue that drops beyond `capacity` (bench/ws.py).
        "CONFIG": {
            "hosts": [
                {
                    "address": REDIS_URL,
                    "socket_timeout": 15,
                    "socket_connect_timeout": 2,
                    "max_connections": 1000,
                }
            ],
            "capacity": 2000,
        },
    }
}

# --- Live updates (realtime, docs/realtime.md) --------------------------------
# Each stream keeps its last events for pages that reconnect: at most
# REALTIME_LOG_SIZE of them, for REALTIME_LOG_SECONDS after the newest.
REALTIME_LOG_BACKEND = "redis"
REALTIME_LOG_SIZE = env_int("REALTIME_LOG_SIZE", 200, minimum=1, maximum=100_000)
REALTIME_LOG_SECONDS = env_int("REALTIME_LOG_SECONDS", 86_400, minimum=60)

# --- Booking engine (booker) ---------------------------------------------------
# Explicit Chromium paths: Selenium Manager would otherwise try the network.
BOOKER_CHROMIUM_BINARY = env_path("BOOKER_CHROMIUM_BINARY", Path("/usr/bin/chromium"))
BOOKER_CHROMEDRIVER = env_path("BOOKER_CHROMEDRIVER", Path("/usr/bin/chromedriver"))
# Screenshots and HTML of failed attempts, one directory per request.
BOOKER_EVIDENCE_DIR = env_path("BOOKER_EVIDENCE_DIR", VAR_DIR / "evidence")
# Log in and open the form this long before the release instant.
BOOKER_LEAD_TIME_SECONDS = env_float("BOOKER_LEAD_TIME_SECONDS", 120.0)
# Retry "not yet open" and portal errors this long after the release instant.
BOOKER_RETRY_WINDOW_SECONDS = env_float("BOOKER_RETRY_WINDOW_SECONDS", 5.0)
# The members of one release instant share one clock sync of their portal
# when it is at most this old (booker.clock.SharedClocks); 0: one each.
BOOKER_CLOCK_SHARE_SECONDS = env_float("BOOKER_CLOCK_SHARE_SECONDS", 30.0, minimum=0.0)

# --- Booking processor (Celery workers and beat) ---------------------------------
# Beat sweeps for due requests this often, handing over those whose release
# is within BOOKER_LEAD_TIME_SECONDS plus this margin.
BOOKER_SWEEP_SECONDS = env_float("BOOKER_SWEEP_SECONDS", 5.0, minimum=1.0)
BOOKER_DISPATCH_MARGIN_SECONDS = env_float("BOOKER_DISPATCH_MARGIN_SECONDS", 30.0)
# A worker's claim on a request lasts this long and is renewed at a third of it.
BOOKER_LEASE_SECONDS = env_float("BOOKER_LEASE_SECONDS", 30.0, minimum=3.0)
# Live Chromium sessions per worker process (about 380 MB and a busy core each).
BOOKER_MAX_BROWSERS = env_int("BOOKER_MAX_BROWSERS", 2, minimum=1, maximum=32)
# Requests sharing a release instant are prepared and fired together, this many per task.
BOOKER_BATCH_SIZE = env_int("BOOKER_BATCH_SIZE", 20, minimum=1, maximum=200)
# Status writes kept on disk while DynamoDB is unavailable.
BOOKER_OUTBOX_PATH = env_path("BOOKER_OUTBOX_PATH", VAR_DIR / "outbox.sqlite3")

# --- System status (tennisbook/status.py: the header's indicator) ---------------
# Its checks (readiness, workers) run at most this often across processes;
# beat probes each enabled club's portal (reachability, clock offset) this
# often, each connection giving up after the timeout.
STATUS_FEED_SECONDS = env_float("STATUS_FEED_SECONDS", 30.0, minimum=5.0)
STATUS_PROBE_SECONDS = env_float("STATUS_PROBE_SECONDS", 60.0, minimum=10.0)
STATUS_PROBE_TIMEOUT_SECONDS = env_float("STATUS_PROBE_TIMEOUT_SECONDS", 3.0, minimum=0.1)

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A consumer that reconnects while Redis is still coming back can meet a reply
# error (kombu's "channel error") instead of a refused connection; by default
# Celery treats that as unrecoverable and the worker exits. Retry it as well.
CELERY_BROKER_CHANNEL_ERROR_RETRY = True
CELERY_TIMEZONE = "UTC"
# Two queues, each with its own worker process (Procfile, docker-compose.yml):
# "booking" carries book_batch alone, which holds its worker slot from
# preparation until the release has fired and been verified (minutes);
# everything else (beat's sweep, the outbox flush, maintenance, members'
# notifications) goes to "default" by default, so a long batch never delays it.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"booker.tasks.book_batch": {"queue": "booking"}}
CELERY_IMPORTS = ("tennisbook.portal_probe",)  # tennisbook is no app: autodiscovery skips it
# A worker process reserves nothing beyond the task it runs (prefetch 1 with
# late acks): a batch waiting in the queue goes to whichever slot frees first,
# and a batch whose worker dies is not acknowledged (leases make it safe twice).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Recurring series (bookings.series): each date's request is created this
# long before its release, by a planner that runs every SERIES_PLAN_SECONDS.
SERIES_LEAD_HOURS = env_float("SERIES_LEAD_HOURS", 48.0, minimum=1.0)
SERIES_PLAN_SECONDS = env_float("SERIES_PLAN_SECONDS", 300.0, minimum=10.0)

# Pre-flight checks (booker.preflight): a dry run the day before and ten
# minutes before each fire time; beat starts the due ones this often.
PREFLIGHT_ENABLED = env_bool("PREFLIGHT_ENABLED", True)
PREFLIGHT_SWEEP_SECONDS = env_float("PREFLIGHT_SWEEP_SECONDS", 60.0, minimum=10.0)

CELERY_BEAT_SCHEDULE = {
    "sweep-preflights": {
        "task": "booker.tasks.sweep_preflights",
        "schedule": PREFLIGHT_SWEEP_SECONDS,
        "options": {"expires": PREFLIGHT_SWEEP_SECONDS},
    },
    "release-stale-claims": {"task": "bookings.release_stale_claims", "schedule": 300.0},
    "plan-series": {
        "task": "bookings.plan_series",
        "schedule": SERIES_PLAN_SECONDS,
        "options": {"expires": SERIES_PLAN_SECONDS},
    },
    "sweep-due-requests": {"task": "booker.tasks.sweep_due", "schedule": BOOKER_SWEEP_SECONDS},
    "flush-outbox": {"task": "booker.tasks.flush_outbox", "schedule": 10.0},
    "probe-portals": {
        "task": "tennisbook.status.probe_portals",
        "schedule": STATUS_PROBE_SECONDS,
        "options": {"expires": STATUS_PROBE_SECONDS},
    },
}

# --- Clubs and their portals -----------------------------------------------------
# The club of a deployment that had one (the club data migration moves its
# settings, members' configurations and requests here), and the club the
# single-club interfaces (tennis.py, an API body without "club") mean.
DEFAULT_CLUB_ID = env_match(
    "DEFAULT_CLUB_ID",
    r"[a-z][a-z0-9-]{0,31}",
    "a club id (lower-case letters, digits and '-', starting with a letter)",
    "default",
)
DEMOCLUB_URL = env_url("DEMOCLUB_URL", defaults.DEMOCLUB_URL)
DEMOCLUB_SECOND_URL = env_url("DEMOCLUB_SECOND_URL", defaults.DEMOCLUB_SECOND_URL)
# The demo portal's kind (`python -m democlub --kind`): the defaults of the
# courts, release rules and portal profile, and the demo member's portal
# account, follow it (configs/demo_portals.py).
DEMOCLUB_KIND = env_choice("DEMOCLUB_KIND", defaults.DEMOCLUB_KINDS, defaults.DEMOCLUB_KIND)

# --- REST API ----------------------------------------------------------------
# DRF throttles every endpoint; the auth endpoints also have request rate
# limits of their own (AUTH_RATE_LIMITS below).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "tennisbook.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "tennisbook.api.exceptions.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "tennisbook.api.pagination.PageNumberPagination",
    "PAGE_SIZE": env_int("API_PAGE_SIZE", 25, minimum=1, maximum=500),
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "120/min"),
        "user": env_str("API_THROTTLE_USER", "600/min"),
        # Every login test is a real login at the club's portal (the API's and the page's).
        "login_check": env_str("API_THROTTLE_LOGIN_CHECK", "5/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "tennisbook API",
    "DESCRIPTION": "Book tennis courts the instant they are released.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
}

# --- Accounts, authentication and API protection --------------------------
# Lockout (django-axes) for the account, a failure counter per client address,
# request rate limits on the auth endpoints (django-ratelimit) and DRF
# throttles for the rest (REST_FRAMEWORK above).
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "bookings:home"

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 15, minimum=1)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 7, minimum=1)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,  # accounts.services.log_in records it
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env_str("JWT_SIGNING_KEY", "") or SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "LEEWAY": 0,
}

# Per account: N failures within the cool-off lock it for the cool-off, which
# runs from the last counted failure; attempts while locked are not counted,
# so an attacker cannot keep a member locked out beyond one cool-off.
LOGIN_LOCKOUT_FAILURES = env_int("LOGIN_LOCKOUT_FAILURES", 5, minimum=1)
LOGIN_LOCKOUT_COOLOFF = timedelta(
    seconds=env_int("LOGIN_LOCKOUT_COOLOFF_SECONDS", 15 * 60, minimum=1)
)
AXES_FAILURE_LIMIT = LOGIN_LOCKOUT_FAILURES
AXES_COOLOFF_TIME = LOGIN_LOCKOUT_COOLOFF
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "tennisbook.api.ratelimit.client_ip"
AXES_SENSITIVE_PARAMETERS = ["password", "new_password", "old_password"]
# W006 asks for ip_address in the lockout parameters; addresses have their own
# counter below instead, with its own limit (a club shares one address).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Per client address: failed logins across all accounts, counted in a window.
LOGIN_IP_FAILURES = env_int("LOGIN_IP_FAILURES", 20, minimum=1)
LOGIN_IP_WINDOW_SECONDS = env_int("LOGIN_IP_WINDOW_SECONDS", 15 * 60, minimum=1)

# Request rates of the auth endpoints, per client address ("count/period").
AUTH_RATE_LIMITS = {
    "login": env_str("AUTH_RATE_LOGIN", "30/m"),
    "register": env_str("AUTH_RATE_REGISTER", "10/h"),
    "password_reset": env_str("AUTH_RATE_PASSWORD_RESET", "5/h"),
    "token": env_str("AUTH_RATE_TOKEN", "60/m"),
}
RATELIMIT_USE_CACHE = "default"
RATELIMIT_FAIL_OPEN = False
# Behind a proxy, the META key its client address arrives in (HTTP_X_FORWARDED_FOR:
# the last entry is used, the one the proxy appended). Without it, every client
# shares the proxy's address and its limits.
CLIENT_IP_META_KEY = env_str("CLIENT_IP_META_KEY", "REMOTE_ADDR")

CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False  # API clients send a bearer token, not cookies
CORS_EXPOSE_HEADERS = ["Retry-After", "X-Request-ID"]

# E-mail (password reset). The backend is chosen per environment module.
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tennisbook <no-reply@localhost>")
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_SECONDS", 60 * 60, minimum=60)

# --- Notifications and Web Push (realtime/notifications.py, realtime/push.py) ----
# Push is on when both VAPID keys are set (`manage.py generate_vapid_keys`
# prints a pair; `make run` keeps one in its var dir); realtime.push checks
# them and says why push is off otherwise. VAPID_SUBJECT tells push services
# how to reach the operators (mailto: or https:).
VAPID_PUBLIC_KEY = env_str("VAPID_PUBLIC_KEY", "")
VAPID_PRIVATE_KEY = env_str("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = env_match(
    "VAPID_SUBJECT",
    r"mailto:[^\s@]+@[^\s@]+|https://[^\s/]+\S*",
    "a mailto: or https: URL",
    "mailto:" + (DEFAULT_FROM_EMAIL.rpartition("<")[2].rstrip(">") or "no-reply@localhost"),
)
# Push endpoints are posted by browsers: only these push services' hosts (and
# their subdomains) are sent to, so a member cannot aim the workers at an
# internal address. Loopback endpoints only when allowed (tests, a local push server).
WEBPUSH_ENDPOINT_HOSTS = env_list(
    "WEBPUSH_ENDPOINT_HOSTS",
    [
        "fcm.googleapis.com",
        "android.googleapis.com",
        "push.services.mozilla.com",
        "notify.windows.com",
        "push.apple.com",
    ],
)
WEBPUSH_ALLOW_LOOPBACK = env_bool("WEBPUSH_ALLOW_LOOPBACK", False)
# How long a push service keeps a message for an offline device, and how long we wait on it.
WEBPUSH_TTL_SECONDS = env_int("WEBPUSH_TTL_SECONDS", 86_400, minimum=0, maximum=2_419_200)
WEBPUSH_TIMEOUT_SECONDS = env_float("WEBPUSH_TIMEOUT_SECONDS", 10.0, minimum=0.5)

# --- Metrics -------------------------------------------------------------------
# /metrics answers loopback callers, or anyone presenting this bearer token.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

# --- Logging -----------------------------------------------------------------
LOG_FORMAT = env_choice("LOG_FORMAT", ("console", "json"), "console")
LOG_LEVEL = env_choice("LOG_LEVEL", ("debug", "info", "warning", "error"), "info").upper()
LOGGING_CONFIG = None  # tennisbook.logging configures logging and structlog itself
configure_logging(LOG_FORMAT, LOG_LEVEL)
