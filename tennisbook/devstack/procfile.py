"""The Procfile: the one place the stack's process commands are written.

The supervisor reads it (``make run``), and honcho or foreman can run it as
it is. A line is ``name: command``; ``#`` starts a comment line. In a
command, ``$NAME`` and ``${NAME}`` are replaced from the environment the
supervisor gives its children, and a variable that is not set is an error
rather than an empty string (a port silently missing from a command line
fails much later, and less clearly). The command is then split as a shell
would split it, and a leading ``python`` becomes the interpreter running
the supervisor, so the children use the same virtualenv. No shell runs:
pipes and ``&&`` have no place in the Procfile.
"""

from __future__ import annotations

import re
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .config import ROOT, ConfigError

PROCFILE = ROOT / "Procfile"

_LINE = re.compile(r"^(?P<name>[A-Za-z0-9_-]+):\s*(?P<command>\S.*)$")
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_VARIABLE = re.compile(rf"\$(?:\{{(?P<braced>{_NAME})\}}|(?P<bare>{_NAME}))")


@dataclass(frozen=True)
class Process:
    """One Procfile entry, not yet expanded."""

    name: str
    command: str

    def variables(self) -> set[str]:
        return {m["braced"] or m["bare"] for m in _VARIABLE.finditer(self.command)}

    def argv(self, env: Mapping[str, str], python: str | None = None) -> list[str]:
        """The command's argv with ``env`` substituted; ``ConfigError`` names a missing one."""

        def value(match: re.Match[str]) -> str:
            name = match["braced"] or match["bare"]
            if name not in env:
                raise ConfigError(
                    f"the Procfile's {self.name} command needs ${name}, which is not set"
                )
            return shlex.quote(env[name])

        argv = shlex.split(_VARIABLE.sub(value, self.command))
        if argv and argv[0] == "python":
            argv[0] = python or sys.executable
        return argv


def parse(text: str, source: str = "Procfile") -> dict[str, Process]:
    """The processes of a Procfile's text, in file order."""
    processes: dict[str, Process] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise ConfigError(f"{source} line {number} is not `name: command`: {line!r}")
        if match["name"] in processes:
            raise ConfigError(f"{source} line {number} repeats the process {match['name']!r}")
        processes[match["name"]] = Process(match["name"], match["command"].strip())
    return processes


def load(path: Path = PROCFILE) -> dict[str, Process]:
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    return parse(text, path.name)
