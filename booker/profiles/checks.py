"""The small checks every profile validator is built from.

Each returns the value when it passes and raises ``InvalidValue`` whose
``field`` is the path of the bad part otherwise.
"""

from __future__ import annotations

from typing import Any

from tennisbook.values import InvalidValue


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
