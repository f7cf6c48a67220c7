"""Validation of what a profile reads from the portal's pages.

Three sections, each returned in canonical form or refused with the path of
the bad field:

- ``reservations``: the member's own list (where, when it is loaded, which
  cells, and how one cell's text splits into day, start, end and court);
- ``form.computed``: form fields worked out for each submit (an end time
  from the chosen start, a fresh CSRF token from the live page or a cookie);
- ``clock``: what the clock probes ask for, and whether it costs the server
  any work (a static file does not: its round trip is the network's).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from tennisbook.values import InvalidValue

from .checks import (
    check_keys,
    expect,
    locator,
    number,
    placeholders,
    selector,
    template,
    text,
    url_path,
)

# reservations.url: PortalSession.list_context().
LIST_CONTEXT = ("username",)
# form.computed.<name> (a template): PortalSession.submit_context(choice).
SUBMIT_CONTEXT = (
    "area", "day", "schedule_id", "start", "end", "start_label", "end_label",
    "start_seconds", "end_seconds", "start_minutes", "end_minutes", "minutes", "comments",
)  # fmt: skip
# What a reservation row may carry after its cells are read and parsed.
ROW_FIELDS = ("day", "slot", "start", "end", "court", "area_name")
TOKEN_SOURCES = ("page", "cookie")
DEFAULT_DAY_FORMATS = ("%Y-%m-%d",)
DEFAULT_TIME_FORMATS = ("%H:%M", "%I:%M %p")


def _formats(value: Any, path: str, sample: datetime) -> list[str]:
    items = expect(value, list, path, "a list of strftime formats")
    if not items or len(items) > 10:
        raise InvalidValue(path, "give 1 to 10 formats.")
    for i, fmt in enumerate(items):
        text(fmt, f"{path}[{i}]", max_length=60)
        try:
            datetime.strptime(sample.strftime(fmt), fmt)  # noqa: DTZ007 - a format check
        except ValueError as exc:
            raise InvalidValue(f"{path}[{i}]", f"not a usable strftime format ({exc}).") from None
    return list(items)


def _row_pattern(value: Any, path: str) -> str:
    pattern = text(value, path, max_length=500)
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise InvalidValue(path, f"not a valid regular expression ({exc}).") from None
    unknown = sorted(set(compiled.groupindex) - set(ROW_FIELDS))
    if unknown:
        raise InvalidValue(
            path, f"unknown group (?P<{unknown[0]}>); allowed: {', '.join(ROW_FIELDS)}."
        )
    if not compiled.groupindex:
        raise InvalidValue(path, f"needs named groups, e.g. (?P<day>...); {', '.join(ROW_FIELDS)}.")
    return pattern


def validate_reservations(value: Any, path: str) -> dict:
    check_keys(
        value,
        path,
        {"url", "row", "fields"},
        {"id_attribute", "ready", "failed", "timeout_s", "settle_ms", "parse", "formats"},
    )
    fields = expect(value["fields"], dict, f"{path}.fields", "an object of name: CSS selector")
    if not 1 <= len(fields) <= 10:
        raise InvalidValue(f"{path}.fields", "give 1 to 10 cells.")
    cells = {}
    for name, css in fields.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,29}", name):
            raise InvalidValue(f"{path}.fields.{name}", "lower-case letters, digits and '_' only.")
        cells[name] = selector(css, f"{path}.fields.{name}")
    parse = expect(value.get("parse", {}), dict, f"{path}.parse", "an object of cell: pattern")
    patterns = {}
    for name, pattern in parse.items():
        if name not in cells:
            raise InvalidValue(f"{path}.parse.{name}", "parses a cell that fields does not name.")
        patterns[name] = _row_pattern(pattern, f"{path}.parse.{name}")
    produced = {n for n in cells if n in ROW_FIELDS}
    produced |= {g for p in patterns.values() for g in re.compile(p).groupindex}
    if "day" not in produced or not produced & {"slot", "start"}:
        raise InvalidValue(
            f"{path}.fields", "the rows must yield a day and a slot or start (cells or groups)."
        )
    formats = check_keys(value.get("formats", {}), f"{path}.formats", set(), {"day", "time"})
    sample = datetime(2026, 12, 1, 19, 5, tzinfo=UTC)
    out = {
        "url": url_path(value["url"], f"{path}.url", LIST_CONTEXT),
        "row": locator(value["row"], f"{path}.row"),
        "id_attribute": text(value.get("id_attribute", "id"), f"{path}.id_attribute"),
        "fields": cells,
        "parse": patterns,
        "formats": {
            kind: _formats(formats.get(kind, list(default)), f"{path}.formats.{kind}", sample)
            for kind, default in (("day", DEFAULT_DAY_FORMATS), ("time", DEFAULT_TIME_FORMATS))
        },
        "ready": None,
        "timeout_s": number(value.get("timeout_s", 10), f"{path}.timeout_s", 0.1, 60),
        "settle_ms": number(value.get("settle_ms", 0), f"{path}.settle_ms", 0, 5000),
    }
    out["failed"] = None
    for name in ("ready", "failed"):
        if value.get(name) is not None:
            out[name] = locator(value[name], f"{path}.{name}")
    if out["failed"] and not out["ready"]:
        raise InvalidValue(f"{path}.failed", "needs 'ready': it is what the wait stops on.")
    return out


def _computed_field(value: Any, path: str) -> str | dict:
    if isinstance(value, str):
        return template(value, path, SUBMIT_CONTEXT, empty=True)
    expect(value, dict, path, "a template or a token source object")
    source = value.get("from")
    if source not in TOKEN_SOURCES:
        raise InvalidValue(f"{path}.from", f"expected one of: {', '.join(TOKEN_SOURCES)}.")
    if source == "page":
        check_keys(value, path, {"from", "css"}, {"attribute"})
        return {
            "from": "page",
            "css": selector(value["css"], f"{path}.css"),
            "attribute": text(value.get("attribute", "value"), f"{path}.attribute"),
        }
    check_keys(value, path, {"from", "name"}, set())
    return {"from": "cookie", "name": text(value["name"], f"{path}.name", max_length=200)}


def validate_computed(value: Any, path: str) -> dict:
    """``form.computed``: field name → template (``SUBMIT_CONTEXT``) or token source."""
    expect(value, dict, path, "an object of field name: template or source")
    if len(value) > 20:
        raise InvalidValue(path, "at most 20 computed fields.")
    return {
        text(name, f"{path}.{name}", max_length=100): _computed_field(spec, f"{path}.{name}")
        for name, spec in value.items()
    }


def validate_clock(value: Any, path: str, login_url: str) -> dict:
    """``clock``: the probe request; ``static`` when the portal answers it without work."""
    check_keys(value, path, set(), {"url", "method", "static"})
    method = value.get("method", "GET")
    if method not in ("GET", "HEAD"):
        raise InvalidValue(f"{path}.method", "expected GET or HEAD.")
    static = expect(value.get("static", False), bool, f"{path}.static", "true or false")
    return {
        "url": url_path(value.get("url", login_url), f"{path}.url"),
        "method": method,
        "static": static,
    }


def computed_by_source(profile: dict, source: str) -> dict[str, dict | str]:
    """``form.computed`` entries of one kind: ``"template"``, ``"page"`` or ``"cookie"``."""
    return {
        name: spec
        for name, spec in profile["form"]["computed"].items()
        if (spec["from"] if isinstance(spec, dict) else "template") == source
    }


def slot_label_format(value: Any, path: str, available: tuple[str, ...]) -> str:
    """A slot label's format: ``{start}`` required, ``{end}`` optional."""
    fmt = template(value, path, available)
    if "start" not in placeholders(fmt, path):
        raise InvalidValue(path, "must contain {start}.")
    return fmt
