"""The small checks every profile validator is built from.

Each returns the value when it passes and raises ``InvalidValue`` whose
``field`` is the path of the bad part otherwise.
"""

from __future__ import annotations

import string
from typing import Any

from tennisbook.values import InvalidValue

from ..htmltext import selector_error


def expect(value: Any, kind: type | tuple, path: str, what: str) -> Any:
    # bool is an int in Python; a JSON true is never a number.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise InvalidValue(path, f"expected {what}.")
    return value


def check_keys(value: Any, path: str, required: set[str], optional: set[str]) -> dict:
    """An object with every ``required`` key and no key outside ``required | optional``."""
    expect(value, dict, path, "an object")
    unknown = sorted(set(value) - required - optional)
    if unknown:
        allowed = ", ".join(sorted(required | optional))
        raise InvalidValue(f"{path}.{unknown[0]}", f"unknown key; allowed: {allowed}.")
    for key in sorted(required):
        if key not in value:
            raise InvalidValue(f"{path}.{key}", "this field is required.")
    return value


def whole_number(value: Any, path: str, low: int, high: int) -> int:
    expect(value, int, path, "a whole number")
    if not low <= value <= high:
        raise InvalidValue(path, f"must be between {low} and {high}, got {value}.")
    return value


def text(value: Any, path: str, *, max_length: int = 500, empty: bool = False) -> str:
    expect(value, str, path, "text")
    if not empty and not value.strip():
        raise InvalidValue(path, "may not be blank.")
    if len(value) > max_length:
        raise InvalidValue(path, f"must be at most {max_length} characters long.")
    return value


def placeholders(template: str, path: str) -> list[str]:
    """The ``{name}`` placeholders of ``template``, or ``InvalidValue`` for bad syntax."""
    try:
        return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise InvalidValue(path, f"bad placeholder syntax ({exc}).") from None


def template(value: Any, path: str, available: tuple[str, ...], *, empty: bool = False) -> str:
    """A text whose ``{name}`` placeholders are all in ``available``, its real context."""
    result = text(value, path, empty=empty)
    unknown = [name for name in placeholders(result, path) if name not in available]
    if unknown:
        known = ", ".join(available) or "none (this text is used as it is)"
        raise InvalidValue(path, f"unknown placeholder {{{unknown[0]}}}; available: {known}.")
    try:  # the engine fills every template with text: a format spec must suit text
        result.format(**dict.fromkeys(available, "x"))
    except (ValueError, KeyError, IndexError, AttributeError, TypeError) as exc:
        raise InvalidValue(path, f"cannot be filled with text values ({exc}).") from None
    return result


def number(value: Any, path: str, low: float, high: float) -> float:
    expect(value, (int, float), path, "a number")
    if not low <= value <= high:
        raise InvalidValue(path, f"must be between {low:g} and {high:g}, got {value}.")
    return value


def selector(value: Any, path: str) -> str:
    """A CSS selector both the browser and the HTML parser (cssselect) can evaluate."""
    css = text(value, path)
    problem = selector_error(css)
    if problem:
        raise InvalidValue(path, f"not a CSS selector this engine can evaluate ({problem}).")
    return css


def locator(value: Any, path: str) -> dict:
    """``{"css": "...", "index": n}``: the n-th element matching a CSS selector."""
    check_keys(value, path, {"css"}, {"index"})
    index = value.get("index", 0)
    expect(index, int, f"{path}.index", "a whole number")
    if not 0 <= index <= 100:
        raise InvalidValue(f"{path}.index", "must be between 0 and 100.")
    return {"css": selector(value["css"], f"{path}.css"), "index": index}


def url_path(value: Any, path: str, available: tuple[str, ...] = ()) -> str:
    """A path on the portal (``/...``) whose placeholders are in ``available``."""
    result = template(value, path, available)
    if not result.startswith("/"):
        raise InvalidValue(path, "expected a path starting with '/'.")
    return result
