"""tennis.py: books from a .env alone; one clear line for a bad key; .env fallback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from .conftest import SLOT_7, open_soon

ROOT = Path(__file__).resolve().parent.parent.parent


def run_tennis(tmp_path: Path, env_text: str, *args: str, extra_env: dict | None = None):
    env_file = tmp_path / ".env"
    env_file.write_text(env_text, encoding="utf-8")
    # No Django settings, no DynamoDB, no Redis: a bare environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DYNAMODB_"))}
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, str(ROOT / "tennis.py"), "--env-file", str(env_file), *args],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path, check=False,
    )  # fmt: skip


GOOD = "USERNAME=101\nPASSWORD=cancha-demo-101\nCOURT=5\nDATE=2026-12-03\n"


@pytest.mark.parametrize(
    ("env_text", "line"),
    [
        (
            GOOD + "TIME_SLOT=7am\n",
            "tennis.py: .env: TIME_SLOT: expected a start time like 07:00, 07:00-08:00 or "
            "'De 07:00 AM a 08:00 AM', got '7am'",
        ),
        (
            GOOD + "TIME_SLOT=07:00\nPORTAL_PROFILE=nowhere.json\n",
            "tennis.py: .env: PORTAL_PROFILE: nowhere.json: cannot read {dir}/nowhere.json (No "
            "such file or directory); give a JSON file or one of: democlub, gridclub",
        ),
        (
            GOOD + "TIME_SLOT=07:00\nPORTAL_PROFILE=profile.json\n",
            "tennis.py: .env: PORTAL_PROFILE: profile.json: portal_profile.reply.message.css: "
            "not a CSS selector this engine can evaluate ('p[id=x': Expected ']', got <EOF at 6>)",
        ),
        ("USERNAME=101\nCOURT=5\n", "tennis.py: .env: PASSWORD: missing"),
        (
            GOOD.replace("2026-12-03", "2026-02-30") + "TIME_SLOT=De 07:00 AM a 08:00 AM\n",
            "tennis.py: .env: DATE: '2026-02-30' is not a real calendar date",
        ),
    ],
)
def test_a_missing_or_malformed_key_gives_one_line_naming_it(tmp_path, env_text, line):
    bad = json.loads((ROOT / "booker/profiles/democlub.json").read_text(encoding="utf-8"))
    bad["reply"]["message"]["css"] = "p[id=x"
    (tmp_path / "profile.json").write_text(json.dumps(bad), encoding="utf-8")
    done = run_tennis(tmp_path, env_text)
    assert done.returncode == 2
    assert done.stderr.strip() == line.replace("{dir}", str(tmp_path))
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("profile", "time_slot", "alternatives", "slots"),
    [
        ("democlub", "07:00", "5:08:00-09:30;7:00", ["07:00-08:00", "08:00-09:30", "07:00-08:00"]),
        ("gridclub", "7:00 PM", "3:8:00 AM;21:00", ["19:00-20:00", "08:00-09:00", "21:00-22:00"]),
    ],
)
def test_a_time_slot_may_be_hh_mm_or_the_portals_own_label(profile, time_slot, alternatives, slots):
    sys.path.insert(0, str(ROOT))
    import tennis

    values = {"USERNAME": "101", "PASSWORD": "x", "COURT": "5", "DATE": "2026-12-03",
              "TIME_SLOT": time_slot, "ALTERNATIVES": alternatives}  # fmt: skip
    config = tennis.config_from_env(values, tennis.profile_from(values, profile))
    found = [config.slot, *(slot for _, slot in config.alternatives)]
    assert [f"{s.start:%H:%M}-{s.end:%H:%M}" for s in found] == slots
    assert [court for court, _ in config.alternatives] == (
        [3, 5] if profile == "gridclub" else [5, 5]
    )


@pytest.mark.parametrize(
    ("raw", "kept", "error"),
    [
        ("", "", None),
        ("  Partners: Ana, Luis  ", "Partners: Ana, Luis", None),
        ("x" * 201, None, "COMMENTS: at most 200 characters (it has 201)"),
        ("Ana\tLuis", None, "COMMENTS: must be one line of plain text (no control characters)"),
    ],
)
def test_comments_for_the_portal_are_one_short_line(raw, kept, error):
    sys.path.insert(0, str(ROOT))
    import tennis

    values = {"USERNAME": "101", "PASSWORD": "x", "COURT": "5", "DATE": "2026-12-03",
              "TIME_SLOT": "07:00", "COMMENTS": raw}  # fmt: skip
    profile = tennis.profile_from(values, "democlub")
    if error is None:
        assert tennis.config_from_env(values, profile).comments == kept
    else:
        with pytest.raises(tennis.ConfigError) as refused:
            tennis.config_from_env(values, profile)
        assert str(refused.value) == f".env: {error}"


def test_load_config_falls_back_to_the_env_file_when_dynamodb_is_down(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(GOOD + "TIME_SLOT=De 07:00 AM a 08:00 AM\n", encoding="utf-8")
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import tennis; "
        "c = tennis.load_config('00000000-0000-0000-0000-000000000001', "
        "__import__('pathlib').Path(sys.argv[2])); print(c.source, c.username, c.court)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DYNAMODB_"))}
    env["DYNAMODB_ENDPOINT_URL"] = "http://127.0.0.1:9"  # nothing listens there
    done = subprocess.run(
        [sys.executable, "-c", code, str(ROOT), str(env_file)],
        capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ".env 101 5"


@pytest.mark.browser
def test_tennis_py_books_on_the_demo_portal_from_a_env_alone(democlub, demo_day, tmp_path):
    day, portal_day = demo_day
    opens = open_soon(democlub, day, 6.0)  # the browser starts inside the subprocess
    env_text = (
        f"USERNAME=101\nPASSWORD=cancha-demo-101\nCOURT=5\nDATE={day.isoformat()}\n"
        f"TIME_SLOT={SLOT_7.label}\nPORTAL_URL={democlub.url}\n"
    )
    done = run_tennis(tmp_path, env_text, "--at", opens.isoformat(), "--retry-window", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "booked" in done.stdout
    booked = democlub.control.reservations(member="101")
    assert [(r["portal_day"], r["slot"]) for r in booked] == [(portal_day, SLOT_7.label)]


@pytest.mark.browser
@pytest.mark.parametrize("how", ["--profile", "PORTAL_PROFILE"])
def test_tennis_py_books_and_verifies_on_the_grid_portal_from_a_env_alone(gridclub, tmp_path, how):
    release = gridclub.control.state()["demo_release"]
    day = date.fromisoformat(release["day"])
    gridclub.control.patch_config(latency_ms=30, latency_jitter_ms=50)  # slow pages
    gridclub.control.set_clock(offset_ms=-2_345.0)
    opens = open_soon(gridclub, day, 6.0, area=1)
    env_text = (
        f"USERNAME=alex\nPASSWORD=grid-demo-alex\nCOURT=1\nDATE={day.isoformat()}\n"
        f"TIME_SLOT=8:00 AM\nPORTAL_URL={gridclub.url}\n"
    )
    args = ["--at", opens.isoformat(), "--retry-window", "2"]
    if how == "--profile":
        args += ["--profile", "gridclub"]
    else:
        env_text += "PORTAL_PROFILE=gridclub\n"
    done = run_tennis(tmp_path, env_text, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "tennis.py: booked: Booked and confirmed in your reservation list." in done.stdout
    assert "8:00 AM (08:00-09:00) on court 1" in done.stdout
    booked = gridclub.control.reservations(member="alex")
    assert [(r["day"], r["slot"]) for r in booked] == [(day.isoformat(), "8:00 AM")]
    first = gridclub.control.attempts()[0]
    assert first["outcome"] == "success"
    assert first["ms_after_release"] >= 0  # never before the release on the portal's clock
