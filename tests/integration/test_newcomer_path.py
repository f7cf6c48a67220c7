"""The newcomer path: `make run` comes up, keeps its data, and cleans up after itself.

This starts the same supervisor ``make run`` starts (on free ports, with a
temporary var dir), writes into the emulator, stops with Ctrl-C, checks that
no process is left behind, starts again and finds the data.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

from tennisbook.devstack.procs import group_alive
from tests.integration.clients import emulator_clients

SMOKE_KEY = "newcomer-smoke-test"


def _readyz(site_url: str) -> tuple[int, dict]:
    with urllib.request.urlopen(f"{site_url}/readyz", timeout=5) as response:
        return response.status, json.loads(response.read())


def _assert_nothing_left(groups: list[int]) -> None:
    alive = [pgid for pgid in groups if group_alive(pgid)]
    assert alive == [], f"process groups still running after the stop: {alive}"


def test_make_run_starts_keeps_data_across_a_restart_and_stops_cleanly(devstack):
    stack = devstack().start()
    stack.wait_ready()

    status, body = _readyz(stack.site_url)
    assert status == 200, body
    assert f"tennisbook is running at {stack.site_url}/" in stack.output
    assert "operator / tennisbook-operator" in stack.output
    assert "member / tennisbook-member" in stack.output
    stack_env = (stack.var_dir / "run" / "stack.env").read_text()
    assert f"DYNAMODB_ENDPOINT_URL={stack.emulator_url}" in stack_env
    assert f"AWS_ENDPOINT_URL_KMS={stack.emulator_url}" in stack_env
    names = {child["name"] for child in stack.children()}
    assert {"redis", "emulator", "web", "worker", "beat"} <= names

    # A second `make run` on the same var dir is refused with a clear line.
    second = stack.run_to_completion()
    assert second.returncode == 2
    assert f"already running as pid {stack.proc.pid}" in second.stdout

    dynamodb, kms = emulator_clients(stack.emulator_url)
    dynamodb.put_item(
        TableName="dev-SystemConfig",
        Item={"configKey": {"S": SMOKE_KEY}, "configValue": {"S": '"kept"'}},
    )
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"portal-password")["CiphertextBlob"]

    groups = [child["pid"] for child in stack.children()]
    assert stack.interrupt() == 0, stack.output
    _assert_nothing_left(groups)
    assert not (stack.var_dir / "run" / "stack.env").exists()

    again = devstack().start()
    again.wait_ready()
    assert _readyz(again.site_url)[0] == 200
    item = dynamodb.get_item(TableName="dev-SystemConfig", Key={"configKey": {"S": SMOKE_KEY}})
    assert item["Item"]["configValue"]["S"] == '"kept"'
    assert kms.decrypt(CiphertextBlob=blob, KeyId=key_id)["Plaintext"] == b"portal-password"

    groups = [child["pid"] for child in again.children()]
    assert again.interrupt() == 0, again.output
    _assert_nothing_left(groups)


def test_the_supervisor_module_answers_help_without_starting_anything():
    result = subprocess.run(
        [sys.executable, "-m", "tennisbook.devstack", "run", "--help"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0
    assert "--web-port" in result.stdout
