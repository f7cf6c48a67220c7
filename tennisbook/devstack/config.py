"""Where each part of the stack listens and keeps its data.

Everything comes from the same environment variables the settings read
(``TENNISBOOK_SITE_URL``, ``DYNAMODB_ENDPOINT_URL``, ``REDIS_URL``,
``DEMOCLUB_URL``, ``DEMOCLUB_SECOND_URL``, ``DEMOCLUB_KIND``,
``TENNISBOOK_VAR_DIR``, ``AWS_REGION``), with the same defaults
(``tennisbook.settings.defaults``), so a port (or the demo portal's kind) is
changed in one place and the site, the supervisor and the Procfile's
commands agree on it. Two demo portals run: the ``DEMOCLUB_KIND`` one at
``DEMOCLUB_URL`` (the default club's) and the other kind at
``DEMOCLUB_SECOND_URL`` (the second demo club's).
The command line flags (``--web-port`` ...) rewrite those URLs; the tests use
them to run a whole stack on free ports beside a developer's own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tennisbook.settings import defaults

ROOT = Path(__file__).resolve().parent.parent.parent
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class ConfigError(Exception):
    """A configuration problem worth one clear line to the developer."""


@dataclass(frozen=True)
class Endpoint:
    """A loopback URL we serve, and the variable that sets it."""

    url: str
    variable: str

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        try:
            parts.port  # noqa: B018 - urllib checks the port only when it is read
        except ValueError as exc:
            raise ConfigError(f"{self.variable}={self.url!r}: {exc}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(
                f"{self.variable}={self.url!r} is not an http:// URL with a host "
                "(for example http://127.0.0.1:8000)"
            )

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    @property
    def local(self) -> bool:
        return self.host in LOOPBACK_HOSTS

    def with_port(self, port: int) -> Endpoint:
        return Endpoint(f"http://127.0.0.1:{port}", self.variable)


@dataclass(frozen=True)
class StackConfig:
    root: Path
    var_dir: Path
    site: Endpoint
    dynamodb: Endpoint | None  # None: real AWS (DYNAMODB_ENDPOINT_URL set empty)
    democlub: Endpoint
    redis_url: str | None  # REDIS_URL as given, if any
    region: str
    # Which demo portal runs at DEMOCLUB_URL (DEMOCLUB_KIND): condo or grid.
    democlub_kind: str = defaults.DEMOCLUB_KIND
    # The other kind's, the second demo club's.
    democlub_second: Endpoint = Endpoint(defaults.DEMOCLUB_SECOND_URL, "DEMOCLUB_SECOND_URL")
    # Children restarted when they die instead of stopping everything
    # (TENNISBOOK_DEVSTACK_RESTART=worker,redis), after this many seconds: the
    # fault tests kill a worker or Redis and watch the site recover.
    restart: frozenset[str] = frozenset()
    restart_delay: float = 1.0

    @property
    def run_dir(self) -> Path:
        return self.var_dir / "run"

    @property
    def democlub_second_kind(self) -> str:
        """The demo portal kind that is not ``democlub_kind``."""
        return next(kind for kind in defaults.DEMOCLUB_KINDS if kind != self.democlub_kind)

    @property
    def run_emulator(self) -> bool:
        return self.dynamodb is not None and self.dynamodb.local

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        var_dir: Path | None = None,
        web_port: int | None = None,
        emulator_port: int | None = None,
        democlub_port: int | None = None,
        democlub_second_port: int | None = None,
    ) -> StackConfig:
        env = os.environ if environ is None else environ
        var = var_dir or Path(env.get("TENNISBOOK_VAR_DIR") or ROOT / "var")
        site = Endpoint(env.get("TENNISBOOK_SITE_URL") or defaults.SITE_URL, "TENNISBOOK_SITE_URL")
        raw_dynamodb = env.get("DYNAMODB_ENDPOINT_URL", defaults.DYNAMODB_URL)
        dynamodb = Endpoint(raw_dynamodb, "DYNAMODB_ENDPOINT_URL") if raw_dynamodb else None
        democlub = Endpoint(env.get("DEMOCLUB_URL") or defaults.DEMOCLUB_URL, "DEMOCLUB_URL")
        second = Endpoint(
            env.get("DEMOCLUB_SECOND_URL") or defaults.DEMOCLUB_SECOND_URL, "DEMOCLUB_SECOND_URL"
        )
        if web_port:
            site = site.with_port(web_port)
        if emulator_port:
            dynamodb = Endpoint(f"http://127.0.0.1:{emulator_port}", "DYNAMODB_ENDPOINT_URL")
        if democlub_port:
            democlub = democlub.with_port(democlub_port)
        if democlub_second_port:
            second = second.with_port(democlub_second_port)
        kind = (env.get("DEMOCLUB_KIND") or defaults.DEMOCLUB_KIND).strip().lower()
        if kind not in defaults.DEMOCLUB_KINDS:
            raise ConfigError(
                f"DEMOCLUB_KIND={env.get('DEMOCLUB_KIND')!r} is not one of: "
                f"{', '.join(defaults.DEMOCLUB_KINDS)} (the demo portal to start)"
            )
        if not site.local:
            raise ConfigError(
                f"TENNISBOOK_SITE_URL={site.url} is not a loopback address; "
                "make run serves the site on 127.0.0.1 only"
            )
        _require_distinct_ports([site, dynamodb, democlub, second])
        return cls(
            root=ROOT,
            var_dir=Path(var).expanduser().resolve(),
            site=site,
            dynamodb=dynamodb,
            democlub=democlub,
            democlub_second=second,
            redis_url=env.get("REDIS_URL") or None,
            region=env.get("AWS_REGION") or "us-east-1",
            democlub_kind=kind,
            restart=frozenset(
                name.strip()
                for name in env.get("TENNISBOOK_DEVSTACK_RESTART", "").split(",")
                if name.strip()
            ),
            restart_delay=_seconds(env, "TENNISBOOK_DEVSTACK_RESTART_DELAY", 1.0),
        )


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name) or ""
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number of seconds") from None
    if not 0 <= value <= 60:
        raise ConfigError(f"{name}={raw!r} must be between 0 and 60 seconds")
    return value


def _require_distinct_ports(endpoints: list[Endpoint | None]) -> None:
    """Refuse two loopback services of the stack on one port, naming both settings.

    make run starts a server on each loopback endpoint (the site, the
    emulator, the two demo portals): two on one port would leave one of them
    unable to bind, or worse, one answering for the other.
    """
    taken: dict[int, Endpoint] = {}
    for endpoint in endpoints:
        if endpoint is None or not endpoint.local:
            continue
        first = taken.setdefault(endpoint.port, endpoint)
        if first is not endpoint:
            raise ConfigError(
                f"{endpoint.variable}={endpoint.url} has the port of {first.variable}={first.url}; "
                "make run starts a server on each, so each needs its own port"
            )
