"""Portal profiles: the declarative description of a club's portal.

``default_profile()`` is the demo club's profile (``democlub.json``);
``validate_profile`` checks any profile and returns it in canonical form;
``adapter_for`` gives the small per-portal class for what data cannot say.
See docs/engine.md for the format.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

from .adapters import ADAPTERS, PortalAdapter, adapter_for
from .schema import validate_profile

_DEFAULT = Path(__file__).with_name("democlub.json")


@cache
def _default_raw() -> dict:
    return json.loads(_DEFAULT.read_text(encoding="utf-8"))


def default_profile(base_url: str | None = None) -> dict:
    """The demo club's profile, validated; optionally pointed at another URL."""
    raw = copy.deepcopy(_default_raw())
    if base_url:
        raw["base_url"] = base_url
    return validate_profile(raw)


__all__ = [
    "ADAPTERS",
    "PortalAdapter",
    "adapter_for",
    "default_profile",
    "validate_profile",
]
