"""Portal profiles: the declarative description of a club's portal.

``default_profile()`` is the demo club's profile (``democlub.json``);
``builtin_profile(name)`` any profile shipped here (``BUILT_IN``: the demo
club and the grid club, the two demo portals of ``democlub``);
``load_profile(source)`` a built-in name or a JSON file, validated;
``validate_profile`` checks any profile and returns it in canonical form;
``adapter_for`` gives the small per-portal class for what data cannot say.
See docs/engine.md for the format.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

from tennisbook.values import InvalidValue

from .adapters import ADAPTERS, PortalAdapter, adapter_for
from .schema import validate_profile

_HERE = Path(__file__).parent
# The profiles shipped with the engine: the two demo portals' (python -m democlub --kind ...).
BUILT_IN = {"democlub": "democlub.json", "gridclub": "gridclub.json"}
MAX_PROFILE_BYTES = 200_000


@cache
def _raw(name: str) -> dict:
    return json.loads((_HERE / BUILT_IN[name]).read_text(encoding="utf-8"))


def _pointed(raw: dict, base_url: str | None) -> dict:
    raw = copy.deepcopy(raw)
    if base_url:
        raw["base_url"] = base_url
    return validate_profile(raw)


def default_profile(base_url: str | None = None) -> dict:
    """The demo club's profile, validated; optionally pointed at another URL."""
    return builtin_profile("democlub", base_url)


def builtin_profile(name: str, base_url: str | None = None) -> dict:
    """A shipped profile (``BUILT_IN``) by name; optionally pointed at another URL."""
    if name not in BUILT_IN:
        raise InvalidValue(
            "profile", f"no built-in profile {name!r}; known: {', '.join(BUILT_IN)}."
        )
    return _pointed(_raw(name), base_url)


def load_profile(source: str | Path, base_url: str | None = None) -> dict:
    """A built-in profile's name or a JSON file's path, validated (``InvalidValue`` if not).

    A bad file is named in the error, and so is the bad field of a bad
    profile (``portal_profile.reply.message.css: ...``).
    """
    if str(source) in BUILT_IN:
        return builtin_profile(str(source), base_url)
    path = Path(source)
    try:
        if path.stat().st_size > MAX_PROFILE_BYTES:
            raise InvalidValue("profile", f"{path}: larger than {MAX_PROFILE_BYTES} bytes.")
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        known = ", ".join(BUILT_IN)
        raise InvalidValue(
            "profile", f"cannot read {path} ({exc.strerror}); give a JSON file or one of: {known}."
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidValue("profile", f"{path}: not a JSON file ({exc}).") from None
    return _pointed(raw, base_url)


__all__ = [
    "ADAPTERS",
    "BUILT_IN",
    "PortalAdapter",
    "adapter_for",
    "builtin_profile",
    "default_profile",
    "load_profile",
    "validate_profile",
]
