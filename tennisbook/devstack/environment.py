"""The environment the supervisor gives its children, and ``var/run/stack.env``.

Every child (web, workers, beat, the setup steps, the demo portal) gets the
same variables, so they all talk to the same Redis, emulator and portal;
``stack.env`` lets a developer's shell join them. ``WEB_PORT``,
``DEMOCLUB_PORT`` and ``DEMOCLUB_SECOND_PORT`` are the ports of those URLs,
for the Procfile's commands; ``DEMOCLUB_KIND`` is always set, so the
portal, the setup steps and the site agree on which demo portal is the
default club's, and ``DEMOCLUB_SECOND_KIND`` names the other, the second
demo club's.
"""

from __future__ import annotations

import os
import secrets
import shlex
from datetime import UTC, datetime
from pathlib import Path

from realtime import vapid

from .config import StackConfig

STACK_ENV_KEYS = (
    "TENNISBOOK_ENV",
    "DJANGO_SETTINGS_MODULE",
    "TENNISBOOK_VAR_DIR",
    "TENNISBOOK_SITE_URL",
    "DYNAMODB_ENDPOINT_URL",
    "KMS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_KMS",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "REDIS_URL",
    "DEMOCLUB_URL",
    "DEMOCLUB_SECOND_URL",
    "DEMOCLUB_KIND",
)


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def child_env(cfg: StackConfig, redis_url: str) -> dict[str, str]:
    env = base_env()
    env.setdefault("TENNISBOOK_ENV", "dev")
    env.update(
        DJANGO_SETTINGS_MODULE="tennisbook.settings.local",
        TENNISBOOK_VAR_DIR=str(cfg.var_dir),
        TENNISBOOK_SITE_URL=cfg.site.url,
        REDIS_URL=redis_url,
        DEMOCLUB_URL=cfg.democlub.url,
        DEMOCLUB_SECOND_URL=cfg.democlub_second.url,
        DEMOCLUB_KIND=cfg.democlub_kind,
        DEMOCLUB_SECOND_KIND=cfg.democlub_second_kind,
        WEB_PORT=str(cfg.site.port),
        DEMOCLUB_PORT=str(cfg.democlub.port),
        DEMOCLUB_SECOND_PORT=str(cfg.democlub_second.port),
        AWS_REGION=cfg.region,
        AWS_DEFAULT_REGION=cfg.region,
        # Selenium Manager would otherwise phone home before every browser start.
        SE_AVOID_STATS="true",
        # Every process writes its metrics here; /metrics on the web adds them up.
        PROMETHEUS_MULTIPROC_DIR=str(cfg.var_dir / "run" / "prometheus"),
    )
    # The demo portals and `manage.py demo_release` share their control token.
    env.setdefault("DEMOCLUB_CONTROL_TOKEN", secrets.token_urlsafe(24))
    # Web Push on: the stack's own VAPID pair, kept in its var dir so that a
    # browser subscribed yesterday still receives today (a new pair would orphan it).
    if not (env.get("VAPID_PUBLIC_KEY") and env.get("VAPID_PRIVATE_KEY")):
        keys = vapid.load_or_create(cfg.var_dir / "keys" / "vapid.json")
        env.update(VAPID_PUBLIC_KEY=keys["public_key"], VAPID_PRIVATE_KEY=keys["private_key"])
    if cfg.run_emulator:
        assert cfg.dynamodb is not None
        env.update(
            DYNAMODB_ENDPOINT_URL=cfg.dynamodb.url,
            KMS_ENDPOINT_URL=cfg.dynamodb.url,
            # botocore's own variable, for any code that builds a bare KMS client.
            AWS_ENDPOINT_URL_KMS=cfg.dynamodb.url,
            AWS_ACCESS_KEY_ID="local",
            AWS_SECRET_ACCESS_KEY="local",  # noqa: S106 - the emulator's dummy
        )
        # A developer's real AWS session must not leak into the emulator.
        for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE"):
            env.pop(name, None)
    else:
        env["DYNAMODB_ENDPOINT_URL"] = cfg.dynamodb.url if cfg.dynamodb else ""
    return env


def write_stack_env(path: Path, env: dict[str, str], with_emulator: bool) -> None:
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    lines = [
        f"# Endpoints of the stack started by `make run` (pid {os.getpid()}, {stamp}).",
        "# Use them from a shell: set -a; . var/run/stack.env; set +a",
    ]
    for key in STACK_ENV_KEYS:
        wanted = with_emulator or not key.startswith(("AWS_", "KMS_"))
        if wanted and key in env:
            lines.append(f"{key}={shlex.quote(env[key])}")
    path.write_text("\n".join(lines) + "\n")
