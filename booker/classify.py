"""Classify a portal's reply by its text, accent- and whitespace-insensitively.

Portals answer in prose ("Su reservación se ha realizado con éxito..."), and
the same sentence may arrive with or without accents, with doubled spaces or
line breaks, in another case. Both the reply and the profile's patterns are
normalised the same way (accents stripped, case folded, whitespace collapsed)
before the patterns, regular expressions, are searched in the reply.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .results import CLASSIFIED, ReplyKind

_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """``"  Aún   NO está\\n"`` → ``"aun no esta"``."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACE.sub(" ", bare.casefold()).strip()


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(normalize(pattern))


def classify(text: str, patterns: dict[str, list[str]]) -> ReplyKind:
    """The first kind (in ``CLASSIFIED`` order) whose pattern occurs, else ``unknown``.

    Success is tried first only among equals: a page that says both "success"
    and "session expired" is rare, and then the explicit success text wins.
    """
    plain = normalize(text)
    for outcome in CLASSIFIED:
        for pattern in patterns.get(outcome, ()):
            if _compiled(pattern).search(plain):
                return outcome
    return ReplyKind.UNKNOWN
