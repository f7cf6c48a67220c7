"""After the supervisor itself is killed, the next `make run` cleans up and starts."""

from __future__ import annotations

from tennisbook.devstack.procs import group_alive
from tests.integration.clients import emulator_clients


def test_the_next_run_takes_the_lock_over_and_stops_the_orphans(devstack):
    crashed = devstack().start()
    crashed.wait_ready()
    dynamodb, _ = emulator_clients(crashed.emulator_url)
    dynamodb.put_item(TableName="dev-SystemConfig", Item={"configKey": {"S": "before-crash"}})
    orphans = [child["pid"] for child in crashed.children()]

    crashed.proc.kill()  # SIGKILL: no chance to stop its children
    crashed.wait_exit()
    assert all(group_alive(pgid) for pgid in orphans)

    again = devstack().start()
    again.wait_ready()

    assert f"taking over the lock of pid {crashed.proc.pid}" in again.output
    assert "left over from that run" in again.output
    assert not any(group_alive(pgid) for pgid in orphans)
    item = dynamodb.get_item(TableName="dev-SystemConfig", Key={"configKey": {"S": "before-crash"}})
    assert "Item" in item
    groups = [child["pid"] for child in again.children()]
    assert again.interrupt() == 0
    assert not any(group_alive(pgid) for pgid in groups)
