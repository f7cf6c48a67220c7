"""Book one court from a ``.env`` file: the original single-user script, kept working.

    python tennis.py [--env-file .env] [--profile FILE|NAME] [--dry-run]
                     [--at 2026-12-01T00:00:00-06:00] [--user <site user id>]
                     [--evidence-dir DIR]

``.env`` keys (the original script's): ``USERNAME``, ``PASSWORD``, ``COURT``,
``DATE`` (YYYY-MM-DD), ``TIME_SLOT``; optional ``PORTAL_URL`` (default: the
profile's own, for the demo club http://127.0.0.1:8100), ``PORTAL_PROFILE``
and ``ALTERNATIVES`` (``;``-separated, each ``SLOT`` or ``COURT:SLOT``).

The portal is described by a profile (docs/engine.md): ``--profile``, else
``PORTAL_PROFILE``, each a JSON file or a built-in name (``democlub``, the
default, or ``gridclub``). A slot is written ``07:00`` (the profile's slot
length), ``07:00-08:30``, ``De 07:00 AM a 08:00 AM``, or as the profile's
portal labels it (``7:00 AM`` on the grid club).

Runs with no DynamoDB, Redis or Django database. With ``--user`` (or
``TENNISBOOK_USER``) the member's portal credentials come from DynamoDB when
it answers, and the ``.env`` is the fallback. The release instant is
``--at``, else the club's default release rule for the court and date (now,
if that is past). Exit status: 0 booked (or dry run ready), 1 not booked,
2 bad configuration.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tennisbook.values import (
    InvalidValue,
    TimeSlot,
    clean_portal_password,
    clean_portal_username,
    parse_court_id,
    parse_date,
)

ROOT = Path(__file__).resolve().parent
DEFAULT_PROFILE = "democlub"
CACHE_SECONDS = 60.0
REQUIRED = ("USERNAME", "PASSWORD", "COURT", "DATE", "TIME_SLOT")


class ConfigError(Exception):
    """A missing or malformed setting; the message is the one line to print."""


@dataclass(frozen=True)
class MemberConfig:
    username: str
    password: str = field(repr=False)
    court: int
    day: date
    slot: TimeSlot
    alternatives: tuple[tuple[int, TimeSlot], ...] = ()
    comments: str = ""  # for the portal's comments field (partners, notes)
    profile: dict = field(default_factory=dict, compare=False, repr=False)
    source: str = ".env"

    @property
    def portal_url(self) -> str:
        return self.profile.get("base_url", "")


_cache: dict[tuple, tuple[float, MemberConfig]] = {}


def _read_env(path: Path) -> dict[str, str]:
    from dotenv import dotenv_values

    if not path.is_file():
        raise ConfigError(f"{path.name}: file not found ({path})")
    return {k: (v or "").strip() for k, v in dotenv_values(path).items()}


def _field(values: dict, key: str, parse):
    raw = values.get(key, "")
    if not raw:
        raise ConfigError(f".env: {key}: missing")
    try:
        return parse(raw, key)
    except InvalidValue as exc:
        raise ConfigError(f".env: {key}: {exc.message}".rstrip(".")) from None


COMMENTS_MAX = 200


def _comments(raw: str, key: str) -> str:
    """``COMMENTS``: one line of text for the portal's comments field."""
    text = raw.strip()
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise InvalidValue(key, "must be one line of plain text (no control characters)")
    if len(text) > COMMENTS_MAX:
        raise InvalidValue(key, f"at most {COMMENTS_MAX} characters (it has {len(text)})")
    return text


def _alternatives(raw: str, court: int, parse_slot) -> tuple[tuple[int, TimeSlot], ...]:
    out = []
    for part in filter(None, (p.strip() for p in raw.split(";"))):
        court_text, sep, slot_text = part.partition(":")
        alt_court, slot = court, None
        if sep and court_text.strip().isdigit():
            try:  # "5:07:00" is court 5 at 07:00; "07:00" and "7:00 AM" are slots alone
                slot = parse_slot(slot_text.strip(), "ALTERNATIVES")
                alt_court = parse_court_id(court_text, "ALTERNATIVES")
            except InvalidValue:
                slot = None
        out.append((alt_court, slot or parse_slot(part, "ALTERNATIVES")))
    return tuple(out)


def profile_from(
    values: dict[str, str], source: str | None = None, env_dir: Path | None = None
) -> dict:
    """The portal profile: ``source`` (``--profile``), else ``PORTAL_PROFILE``, else the
    demo club's; pointed at ``PORTAL_URL`` when the ``.env`` gives one. A relative
    ``PORTAL_PROFILE`` path is read beside the ``.env`` (``env_dir``)."""
    from booker.profiles import BUILT_IN, load_profile

    url = values.get("PORTAL_URL") or None
    if url and not url.startswith(("http://", "https://")):
        raise ConfigError(f".env: PORTAL_URL: expected an http(s) URL, got {url!r}")
    chosen = given = source or values.get("PORTAL_PROFILE") or DEFAULT_PROFILE
    if not source and env_dir and chosen not in BUILT_IN and not Path(chosen).is_absolute():
        chosen = str(env_dir / chosen)
    where = (
        "--profile" if source else ".env: PORTAL_PROFILE" if values.get("PORTAL_PROFILE") else ""
    )
    try:
        return load_profile(chosen, url.rstrip("/") if url else None)
    except InvalidValue as exc:
        label = f"{where}: " if where else ""
        detail = exc.message if exc.field == "profile" else f"{exc.field}: {exc.message}"
        raise ConfigError(f"{label}{given}: {detail}".rstrip(".")) from None


def config_from_env(values: dict[str, str], profile: dict | None = None) -> MemberConfig:
    """Validate the ``.env`` keys with the project's shared validators and the profile."""
    from booker.profiles import adapter_for

    profile = profile or profile_from(values)
    parse_slot = adapter_for(profile).parse_slot
    court = _field(values, "COURT", parse_court_id)
    return MemberConfig(
        username=_field(values, "USERNAME", clean_portal_username),
        password=_field(values, "PASSWORD", clean_portal_password),
        court=court,
        day=_field(values, "DATE", parse_date),
        slot=_field(values, "TIME_SLOT", parse_slot),
        alternatives=_field(
            {"ALTERNATIVES": values.get("ALTERNATIVES") or ";"},
            "ALTERNATIVES",
            lambda raw, _key: _alternatives(raw, court, parse_slot),
        ),
        comments=_field(values, "COMMENTS", _comments) if values.get("COMMENTS") else "",
        profile=profile,
    )


def _from_dynamo(user: str) -> tuple[str, str, int | None] | None:
    """(username, password, preferred court) from UserConfigs, or None.

    The configuration is the member's at the deployment's default club: the
    portal profile is still ``.env``'s (or ``--profile``), as it was before
    clubs, so a member's credentials for another club never go to it.

    Needs Django settings (``tennisbook.settings.local`` unless told
    otherwise) but never the Django database. Short timeouts: a missing
    emulator must not delay the booking.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tennisbook.settings.local")
    os.environ.setdefault("DYNAMODB_CONNECT_TIMEOUT", "1")
    os.environ.setdefault("DYNAMODB_READ_TIMEOUT", "2")
    os.environ.setdefault("DYNAMODB_MAX_RETRIES", "0")
    import django

    django.setup()
    from django.conf import settings

    from configs.crypto import acting_as
    from configs.services import find_user_config
    from tennisbook.dynamo import Unavailable

    try:
        config = find_user_config(user, settings.DEFAULT_CLUB_ID)
        if config is None or not config.portal_username or not config.has_portal_password:
            return None
        with acting_as("tennis.py", f"booking from tennis.py for {user}"):
            password = config.portal_password
    except Unavailable:
        return None
    court = int(config.preferred_court) if config.preferred_court else None
    return config.portal_username, password, court


def load_config(
    user: str | None = None, env_file: Path | None = None, profile: str | None = None
) -> MemberConfig:
    """The member's configuration: DynamoDB when ``user`` is given and it answers, else ``.env``.

    ``profile``: ``--profile`` (a file or built-in name), else the ``.env``'s.
    Cached in process for ``CACHE_SECONDS`` (never on disk: it holds the password).
    """
    user = user or os.environ.get("TENNISBOOK_USER") or None
    env_path = env_file or ROOT / ".env"
    key = (user, str(env_path), profile)
    cached = _cache.get(key)
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    values = _read_env(env_path) if env_path.is_file() or not user else {}
    stored = None
    if user:
        try:
            stored = _from_dynamo(user)
        except Exception as exc:  # any failure to reach the store means: use the .env
            note = f"tennis.py: DynamoDB unavailable ({type(exc).__name__}); using .env"
            print(note, file=sys.stderr)
    if stored:
        username, password, court = stored
        merged = {"COURT": str(court) if court else "", **{k: v for k, v in values.items() if v}}
        merged.update(USERNAME=username, PASSWORD=password)
        chosen = profile_from(merged, profile, env_path.parent)
        config = replace(config_from_env(merged, chosen), source="dynamodb")
    else:
        config = config_from_env(values, profile_from(values, profile, env_path.parent))
    _cache[key] = (time.monotonic(), config)
    return config


def _release_instant(config: MemberConfig, at: str | None, profile: dict) -> datetime:
    """``--at``, else the profile's release rules (the club's defaults if it has none)."""
    from booker.profiles.release_rules import default_release_rules
    from bookings.release import release_instant, rule_for_court

    rules = profile.get("release_rules") or default_release_rules()
    if at:
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            raise ConfigError(f"--at: expected an ISO date-time, got {at!r}") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ZoneInfo(rules["time_zone"]))
        return moment.astimezone(UTC)
    rule = rule_for_court(rules, config.court)
    instant = release_instant(rule, config.day, config.slot, ZoneInfo(rules["time_zone"]))
    return max(instant, datetime.now(UTC))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tennis.py", description="Book a court once.")
    parser.add_argument("--env-file", type=Path, default=None)
    parser.add_argument(
        "--profile", default=None, help="portal profile: a JSON file or a built-in name"
    )
    parser.add_argument("--user", default=None, help="site user id (UUID) whose config to use")
    parser.add_argument("--dry-run", action="store_true", help="everything but the final submit")
    parser.add_argument("--at", default=None, help="release instant (ISO; club time if naive)")
    parser.add_argument("--evidence-dir", type=Path, default=ROOT / "var" / "evidence")
    parser.add_argument("--retry-window", type=float, default=5.0, help="seconds")
    args = parser.parse_args(argv)
    from booker.engine import BookingEngine, Credentials, EngineSettings, Plan
    from booker.profiles import adapter_for
    from booker.results import Choice

    try:
        config = load_config(args.user, args.env_file, args.profile)
        profile = config.profile
        release_at = _release_instant(config, args.at, profile)
    except ConfigError as exc:
        print(f"tennis.py: {exc}", file=sys.stderr)
        return 2

    choices = [Choice(config.court, config.slot)]
    choices += [Choice(c, s) for c, s in config.alternatives if Choice(c, s) not in choices]
    plan = Plan(
        config.day, choices, retry_window_s=args.retry_window, dry_run=args.dry_run,
        run_id=f"tennis-{datetime.now(UTC):%Y%m%dT%H%M%S}", comments=config.comments,
    )  # fmt: skip
    engine = BookingEngine(profile, EngineSettings(evidence_dir=args.evidence_dir))
    label = adapter_for(profile).slot_label(config.slot)
    print(f"tennis.py: {label} ({config.slot.start:%H:%M}-{config.slot.end:%H:%M}) on court "
          f"{config.court}, {config.day} at "
          f"{profile['name']} ({profile['base_url']}); release {release_at.isoformat()} "
          f"({config.source})")  # fmt: skip
    result = engine.book(Credentials(config.username, config.password), plan, release_at)
    print(f"tennis.py: {result.outcome.value}: {result.reason}")
    if result.message:
        print(f"tennis.py: portal said: {result.message}")
    if result.confirmation:
        print(f"tennis.py: reservation {result.confirmation.get('reservation_id')}")
    for kind, path in result.evidence.items():
        print(f"tennis.py: {kind}: {path}")
    if result.detail:
        print(f"tennis.py: detail: {result.detail}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
