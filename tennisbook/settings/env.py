"""Typed readers for environment variables.

Every variable the project reads goes through one of these helpers, once, in
``base.py``. A bad value raises ``ImproperlyConfigured`` naming the variable
and the expected form, so a typo in ``.env`` or a deployment manifest stops
the process at start-up with one clear line instead of failing later.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

_MISSING = object()


def _raw(name: str, default: object) -> str | object:
    value = os.environ.get(name)
    if value is None:
        if default is _MISSING:
            raise ImproperlyConfigured(f"Set the environment variable {name} (see .env.example).")
        return default
    return value.strip()


def env_str(name: str, default: str | object = _MISSING) -> str:
    return _raw(name, default)  # type: ignore[return-value]


def env_match(name: str, pattern: str, what: str, default: str | object = _MISSING) -> str:
    """A string that must match ``pattern`` whole; ``what`` describes the form."""
    value = str(_raw(name, default))
    if not re.fullmatch(pattern, value):
        raise ImproperlyConfigured(f"{name} must be {what}, got {value!r}.")
    return value


def env_bool(name: str, default: bool | object = _MISSING) -> bool:
    value = _raw(name, default)
    if isinstance(value, bool):
        return value
    lowered = str(value).lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean; use one of true/false, 1/0, yes/no, on/off."
    )


def env_int(
    name: str,
    default: int | object = _MISSING,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    value = _raw(name, default)
    if isinstance(value, int):
        number = value
    else:
        try:
            number = int(str(value))
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} is above the maximum of {maximum}.")
    return number


def env_float(name: str, default: float | object = _MISSING, *, minimum: float = 0.0) -> float:
    value = _raw(name, default)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
    return number


def env_list(name: str, default: list[str] | object = _MISSING) -> list[str]:
    value = _raw(name, default)
    if isinstance(value, list):
        return value
    return [item.strip() for item in str(value).split(",") if item.strip()]


def env_choice(name: str, choices: tuple[str, ...], default: str | object = _MISSING) -> str:
    value = str(_raw(name, default)).lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {', '.join(choices)}.")
    return value


def env_url(
    name: str,
    default: str | object = _MISSING,
    *,
    schemes: tuple[str, ...] = ("http", "https"),
    allow_empty: bool = False,
) -> str:
    value = str(_raw(name, default))
    if not value and allow_empty:
        return ""
    parsed = urlparse(value)
    if parsed.scheme not in schemes or not (parsed.netloc or parsed.path):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a URL of the form {schemes[0]}://host[:port]/..."
        )
    try:
        parsed.port  # noqa: B018 - raises ValueError on a non-numeric port
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} has a port that is not a number.") from None
    return value


def env_path(name: str, default: Path | object = _MISSING) -> Path:
    value = _raw(name, default)
    return Path(value).expanduser().resolve()  # type: ignore[arg-type]
