"""Validation of portal profiles, with the path of the bad field in every error.

A profile is plain JSON (it lives in SystemConfig and is edited in the
admin), so it is checked field by field here and returned in canonical form
(defaults filled in). Errors are ``InvalidValue`` whose ``field`` is a path
such as ``portal_profile.login.submit.css`` or
``portal_profile.navigation.open_form[3].do``. Django-free on purpose:
``tennis.py`` validates the built-in profile without a settings module.

Every ``{placeholder}`` is checked against the context its template is
really filled from (``*_CONTEXT`` below), so a profile that would raise
``KeyError`` at the release instant is refused when it is saved.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any
from urllib.parse import urlsplit

from tennisbook.values import InvalidValue

from ..results import CLASSIFIED, ReplyKind
from .adapters import resolve_adapter
from .checks import (
    check_keys,
    expect,
    locator,
    number,
    selector,
    template,
    text,
    url_path,
    whole_number,
)
from .reading import (
    LIST_CONTEXT,
    SUBMIT_CONTEXT,
    slot_label_format,
    validate_clock,
    validate_computed,
    validate_reservations,
)
from .release_rules import validate_release_rules

ROOT = "portal_profile"
OUTCOMES = tuple(kind.value for kind in CLASSIFIED)
# Kinds every profile must be able to recognise.
REQUIRED_OUTCOMES = (ReplyKind.SUCCESS, ReplyKind.NOT_OPEN, ReplyKind.SLOT_TAKEN, ReplyKind.QUOTA)
STEP_KINDS = ("open", "click", "frame", "top", "select", "wait", "set_src", "script")
SUBMIT_PATHS = ("door", "replay", "browser")
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,49}$")

# What each template is formatted with: the names its caller's context holds.
# Keep them in step with the callers (tests/booker/test_profiles.py checks).
# navigation.open_form[*].url/value: PortalSession.form_context(), plus what
# an earlier step captured (``capture``), in Page.run_steps.
FORM_CONTEXT = ("area", "day", "dashboard_url")
# door.<action>.fields: http_door.DoorClient (add: prepare._prepare_door).
DOOR_CONTEXTS = {
    "add": ("area", "day", "door_id", "comments"),
    "schedules": ("area", "day"),
    "reservations": (),
}
# slot_label.format: PortalAdapter.slot_label ({start} required, {end} optional).
SLOT_LABEL_CONTEXT = ("start", "end")
# reservations.url: LIST_CONTEXT; form.computed: SUBMIT_CONTEXT (profiles.reading).
# login.url, clock.url and door.url are used as they are: no placeholders.
__all__ = ["DOOR_CONTEXTS", "FORM_CONTEXT", "LIST_CONTEXT", "SLOT_LABEL_CONTEXT",
           "SUBMIT_CONTEXT", "validate_profile"]  # fmt: skip


# --- sections ------------------------------------------------------------------


def _login(value: Any, path: str) -> dict:
    check_keys(
        value, path, {"url", "username", "password", "submit"}, {"success_url_contains", "error"}
    )
    out = {
        "url": url_path(value["url"], f"{path}.url"),
        "username": locator(value["username"], f"{path}.username"),
        "password": locator(value["password"], f"{path}.password"),
        "submit": locator(value["submit"], f"{path}.submit"),
        "success_url_contains": text(
            value.get("success_url_contains", ""), f"{path}.success_url_contains", empty=True
        ),
        "error": None,
    }
    if value.get("error") is not None:
        out["error"] = locator(value["error"], f"{path}.error")
    return out


def _step(value: Any, path: str, available: tuple[str, ...]) -> dict:
    """One navigation step; its ``url``/``value`` may use the names in ``available``."""
    expect(value, dict, path, "a step object")
    kind = value.get("do")
    if kind not in STEP_KINDS:
        raise InvalidValue(f"{path}.do", f"expected one of: {', '.join(STEP_KINDS)}.")
    needs = {
        "open": ({"url"}, set()),
        "click": ({"css"}, {"index"}),
        "frame": ({"css"}, {"index"}),
        "top": (set(), set()),
        "select": ({"css", "value"}, {"index", "capture"}),
        "wait": ({"css"}, {"index", "timeout_s"}),
        "set_src": ({"css", "url"}, {"index"}),
        "script": ({"js"}, set()),
    }[kind]
    check_keys(value, path, {"do", *needs[0]}, needs[1])
    step: dict[str, Any] = {"do": kind}
    if "css" in value:
        step.update(locator({"css": value["css"], "index": value.get("index", 0)}, path))
    if "url" in value:
        step["url"] = template(value["url"], f"{path}.url", available)
    if "value" in value:
        step["value"] = template(value["value"], f"{path}.value", available)
    if "capture" in value:
        if value["capture"] not in ("area_name",):
            raise InvalidValue(f"{path}.capture", "expected 'area_name'.")
        step["capture"] = value["capture"]
    if "timeout_s" in value:
        step["timeout_s"] = number(value["timeout_s"], f"{path}.timeout_s", 0.1, 60)
    if "js" in value:
        step["js"] = text(value["js"], f"{path}.js", max_length=4000)
    return step


def _navigation(value: Any, path: str) -> dict:
    check_keys(value, path, {"open_form"}, set())
    steps = expect(value["open_form"], list, f"{path}.open_form", "a list of steps")
    if not steps:
        raise InvalidValue(f"{path}.open_form", "at least one step is required.")
    if len(steps) > 40:
        raise InvalidValue(f"{path}.open_form", "at most 40 steps.")
    available, out = FORM_CONTEXT, []
    for i, raw in enumerate(steps):
        step = _step(raw, f"{path}.open_form[{i}]", available)
        if step.get("capture"):  # later steps are filled with what this one read
            available = (*available, step["capture"])
        out.append(step)
    return {"open_form": out}


def _form(value: Any, path: str) -> dict:
    # "submit" is retired (the form is submitted by script): accepted, dropped.
    check_keys(value, path, {"form", "schedule"}, {"fields", "submit", "computed"})
    fields = expect(value.get("fields", {}), dict, f"{path}.fields", "an object of name: value")
    return {
        "form": selector(value["form"], f"{path}.form"),
        "schedule": selector(value["schedule"], f"{path}.schedule"),
        "fields": {
            text(k, f"{path}.fields.{k}", max_length=100): text(v, f"{path}.fields.{k}", empty=True)
            for k, v in fields.items()
        },
        "computed": validate_computed(value.get("computed", {}), f"{path}.computed"),
    }


def _patterns(value: Any, path: str) -> dict:
    check_keys(value, path, set(REQUIRED_OUTCOMES), set(OUTCOMES))
    out = {}
    for outcome in OUTCOMES:
        items = value.get(outcome, [])
        here = f"{path}.{outcome}"
        expect(items, list, here, "a list of patterns")
        if outcome in REQUIRED_OUTCOMES and not items:
            raise InvalidValue(here, "at least one pattern is required.")
        compiled = []
        for i, pattern in enumerate(items):
            text(pattern, f"{here}[{i}]")
            try:
                re.compile(pattern)
            except re.error as exc:
                raise InvalidValue(
                    f"{here}[{i}]", f"not a valid regular expression ({exc})."
                ) from None
            compiled.append(pattern)
        out[outcome] = compiled
    return out


def _reply(value: Any, path: str) -> dict:
    check_keys(value, path, {"message", "patterns"}, set())
    return {
        "message": locator(value["message"], f"{path}.message"),
        "patterns": _patterns(value["patterns"], f"{path}.patterns"),
    }


def _slot_label(value: Any, path: str) -> dict:
    check_keys(value, path, {"format", "time_format"}, set())
    fmt = slot_label_format(value["format"], f"{path}.format", SLOT_LABEL_CONTEXT)
    time_format = text(value["time_format"], f"{path}.time_format")
    try:
        time(7, 0).strftime(time_format)
    except ValueError as exc:
        raise InvalidValue(f"{path}.time_format", f"not a valid strftime format ({exc}).") from None
    return {"format": fmt, "time_format": time_format}


def _submission(value: Any, path: str) -> dict:
    check_keys(
        value,
        path,
        set(),
        {"paths", "arrive_after_ms", "retry_interval_ms", "max_attempts", "release_watch_s"},
    )
    paths = expect(value.get("paths", ["browser"]), list, f"{path}.paths", "a list of paths")
    for i, name in enumerate(paths):
        if name not in SUBMIT_PATHS:
            raise InvalidValue(f"{path}.paths[{i}]", f"expected one of: {', '.join(SUBMIT_PATHS)}.")
    if not paths or len(set(paths)) != len(paths):
        raise InvalidValue(f"{path}.paths", "a non-empty list without repeats is required.")
    attempts = expect(value.get("max_attempts", 200), int, f"{path}.max_attempts", "an integer")
    return {
        "paths": list(paths),
        "arrive_after_ms": number(
            value.get("arrive_after_ms", 1.0), f"{path}.arrive_after_ms", 0, 1000
        ),
        "retry_interval_ms": number(
            value.get("retry_interval_ms", 3.0), f"{path}.retry_interval_ms", 0, 5000
        ),
        "max_attempts": int(number(attempts, f"{path}.max_attempts", 1, 1000)),
        # Still "not yet open" after the retry window: keep asking, ever more
        # slowly, until this long after the release (0: give up with the window).
        "release_watch_s": number(
            value.get("release_watch_s", 60.0), f"{path}.release_watch_s", 0, 300
        ),
    }


def _door(value: Any, path: str) -> dict:
    expect(value, dict, path, "an object")
    if not value.get("enabled", False):
        check_keys(value, path, {"enabled"}, set(_DOOR_KEYS))
        return {"enabled": False}
    check_keys(value, path, {"enabled", "url", "add"}, set(_DOOR_KEYS))
    hashing = value.get("password_hash", "none")
    if hashing not in ("none", "md5", "sha1", "sha256"):
        raise InvalidValue(f"{path}.password_hash", "expected none, md5, sha1 or sha256.")
    out = {
        "enabled": True,
        "url": url_path(value["url"], f"{path}.url"),
        "action_param": text(value.get("action_param", "action"), f"{path}.action_param"),
        "member_field": text(value.get("member_field", "username"), f"{path}.member_field"),
        "password_field": text(value.get("password_field", "password"), f"{path}.password_field"),
        "password_hash": hashing,
        "message_key": text(value.get("message_key", "message"), f"{path}.message_key"),
        "add": _door_action(value["add"], f"{path}.add", "add", set()),
        "schedules": None,
        "reservations": None,
    }
    if value.get("schedules") is not None:
        out["schedules"] = _door_action(
            value["schedules"],
            f"{path}.schedules",
            "schedules",
            {"list_key", "id_key", "label_key"},
        )
    if value.get("reservations") is not None:
        out["reservations"] = _door_action(
            value["reservations"],
            f"{path}.reservations",
            "reservations",
            {"list_key", "id_key", "area_key", "day_key", "slot_key"},
        )
    return out


_DOOR_KEYS = (
    "enabled", "url", "action_param", "member_field", "password_field", "password_hash",
    "message_key", "add", "schedules", "reservations",
)  # fmt: skip


def _door_action(value: Any, path: str, kind: str, extra: set[str]) -> dict:
    check_keys(value, path, {"action", "fields"} | extra, set())
    fields = expect(value["fields"], dict, f"{path}.fields", "an object of name: template")
    context = DOOR_CONTEXTS[kind]
    out = {
        "action": text(value["action"], f"{path}.action"),
        "fields": {
            k: template(v, f"{path}.fields.{k}", context, empty=True) for k, v in fields.items()
        },
    }
    for key in sorted(extra):
        out[key] = text(value[key], f"{path}.{key}")
    return out


# --- the whole profile -----------------------------------------------------------

_REQUIRED = {"name", "base_url", "login", "navigation", "form", "reply", "reservations"}
_OPTIONAL = {
    "adapter", "day_format", "slot_label", "slot_minutes", "clock", "release_rules",
    "submission", "door",
}  # fmt: skip
# Retired keys, accepted because stored profiles still carry them, then dropped:
# the club's time zone is release_rules.time_zone.
_RETIRED = {"time_zone"}


def validate_profile(value: Any, path: str = ROOT) -> dict:
    """The canonical profile, or ``InvalidValue`` naming the bad field's path."""
    check_keys(value, path, _REQUIRED, _OPTIONAL | _RETIRED)
    name = text(value["name"], f"{path}.name", max_length=50)
    if not _NAME.match(name):
        raise InvalidValue(f"{path}.name", "lower-case letters, digits, '-' and '_' only.")
    base_url = text(value["base_url"], f"{path}.base_url")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidValue(f"{path}.base_url", "expected an http(s) URL.")
    day_format = text(value.get("day_format", "{year}-{month:02d}-{day:02d}"), f"{path}.day_format")
    try:
        day_format.format(year=2026, month=1, day=2)
    except (KeyError, ValueError, IndexError, AttributeError, TypeError) as exc:
        raise InvalidValue(
            f"{path}.day_format", f"use {{year}}, {{month}} and {{day}} only ({exc})."
        ) from None
    adapter = text(value.get("adapter", "default"), f"{path}.adapter", max_length=200)
    resolve_adapter(adapter, f"{path}.adapter")
    login = _login(value["login"], f"{path}.login")
    profile = {
        "name": name,
        "adapter": adapter,
        "base_url": base_url.rstrip("/"),
        "day_format": day_format,
        "slot_label": _slot_label(
            value.get("slot_label", {"format": "De {start} a {end}", "time_format": "%I:%M %p"}),
            f"{path}.slot_label",
        ),
        "slot_minutes": whole_number(value.get("slot_minutes", 60), f"{path}.slot_minutes", 5, 720),
        "login": login,
        "clock": validate_clock(value.get("clock", {}), f"{path}.clock", login["url"]),
        "navigation": _navigation(value["navigation"], f"{path}.navigation"),
        "form": _form(value["form"], f"{path}.form"),
        "reply": _reply(value["reply"], f"{path}.reply"),
        "reservations": validate_reservations(value["reservations"], f"{path}.reservations"),
        "submission": _submission(value.get("submission", {}), f"{path}.submission"),
        "door": _door(value.get("door", {"enabled": False}), f"{path}.door"),
        "release_rules": None,
    }
    if value.get("release_rules") is not None:
        profile["release_rules"] = validate_release_rules(
            value["release_rules"], f"{path}.release_rules"
        )
    if "door" in profile["submission"]["paths"] and not profile["door"]["enabled"]:
        raise InvalidValue(f"{path}.submission.paths", "'door' is listed but the door is disabled.")
    return profile
