"""The control API and the command line: auth, validation, startup refusals."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import pytest

from democlub.client import ControlClient, ControlError


def test_the_control_api_wants_the_bearer_token(democlub):
    with pytest.raises(ControlError) as error:
        ControlClient(democlub.url, "wrong-token").state()
    assert error.value.status == 401


def test_a_bad_setting_is_a_400_naming_the_field_and_changes_nothing(democlub):
    before = democlub.control.config()
    with pytest.raises(ControlError) as error:
        democlub.control.set_area(5, release={"kind": "fixed", "days_ahead": -1})
    assert error.value.status == 400
    assert error.value.body["error"]["fields"] == {"area.release.days_ahead": "must be at least 0"}
    with pytest.raises(ControlError) as error:
        democlub.control.patch_config(latency_ms="slow")
    assert "latency_ms" in error.value.body["error"]["fields"]
    with pytest.raises(ControlError) as error:
        democlub.control.patch_config(colour="red")
    assert error.value.body["error"]["fields"] == {"colour": "unknown key"}
    assert democlub.control.config() == before


def test_every_response_carries_a_date_header_on_the_portal_clock(democlub):
    democlub.control.set_clock(now="2031-01-01T12:00:00-06:00")
    with urllib.request.urlopen(democlub.url + "/", timeout=5) as resp:
        assert resp.headers["Date"].startswith("Wed, 01 Jan 2031 18:00:")


def test_the_attempt_log_reads_since_an_id(democlub):
    door = democlub.door("101", "cancha-demo-101")
    for _ in range(3):
        door.add_reservation(5, "2031-3-12", 1)
    first, *rest = democlub.control.attempts()
    assert [a["id"] for a in democlub.control.attempts(since_id=first["id"])] == [
        a["id"] for a in rest
    ]
    assert set(first) >= {"received_ns", "member", "area", "slot", "door", "outcome", "message"}


def _run(tmp_path, *args):
    return subprocess.run(
        [sys.executable, "-m", "democlub", "--port", "0", "--data-dir", str(tmp_path), *args],
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_a_bad_config_file_exits_with_one_line_naming_the_key(tmp_path):
    config = tmp_path / "bad.json"
    config.write_text(
        json.dumps({"areas": [{"id": 5, "name": "x", "release": {"kind": "weekly"}}]})
    )
    result = _run(tmp_path, "--config", str(config))
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f'democlub: bad config {config}: areas[0].release.kind: must be "fixed" or "rolling"'
    ]


def test_a_non_loopback_host_is_refused_without_allow_remote(tmp_path):
    result = _run(tmp_path, "--host", "0.0.0.0")  # noqa: S104 - must be refused
    assert result.returncode != 0
    assert "--allow-remote" in result.stderr


def test_a_generated_control_token_is_written_owner_only(tmp_path):
    from democlub.testing import _READY

    process = subprocess.Popen(
        [sys.executable, "-m", "democlub", "--port", "0", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={k: v for k, v in __import__("os").environ.items() if k != "DEMOCLUB_CONTROL_TOKEN"},
    )
    try:
        url = _READY.match(process.stdout.readline().strip()).group(1)
        token_file = tmp_path / "control-token"
        assert token_file.stat().st_mode & 0o777 == 0o600
        assert ControlClient(url, token_file.read_text().strip()).state()["members"] == []
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
