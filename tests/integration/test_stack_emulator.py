"""The emulator server keeps its data over a clean stop and over a crash."""

from __future__ import annotations

import time

import pytest

from tennisbook.devstack.emulator import STATE_FILE
from tests.integration.clients import emulator_clients

TABLE = "test-SystemConfig"


def _create_table(dynamodb) -> None:
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "configKey", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "configKey", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def _get(dynamodb, key: str):
    return dynamodb.get_item(TableName=TABLE, Key={"configKey": {"S": key}}).get("Item")


def _wait_for_a_snapshot_holding(state_dir, value: str, timeout: float = 15.0) -> None:
    """Wait until the snapshot on disk holds ``value`` (pickled strings are plain UTF-8).

    The saver writes about a second after a write; how long exactly depends
    on how busy the machine is, so the test waits for the file, not the clock.
    """
    path = state_dir / STATE_FILE
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and value.encode() in path.read_bytes():
            return
        time.sleep(0.05)
    pytest.fail(f"no snapshot holding {value!r} in {path} within {timeout:.0f} s")


def test_a_clean_stop_keeps_every_write_made_before_it(emulator_process):
    emulator_process.start()
    dynamodb, kms = emulator_clients(emulator_process.url)
    _create_table(dynamodb)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/tennisbook-test", TargetKeyId=key_id)
    blob = kms.encrypt(KeyId="alias/tennisbook-test", Plaintext=b"pw")["CiphertextBlob"]
    dynamodb.put_item(TableName=TABLE, Item={"configKey": {"S": "last"}})

    emulator_process.stop()  # SIGTERM straight after the write: the final snapshot has it
    emulator_process.start()

    assert _get(dynamodb, "last") is not None
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"pw"
    assert kms.describe_key(KeyId="alias/tennisbook-test")["KeyMetadata"]["KeyId"] == key_id


def test_a_crash_loses_at_most_the_last_second_of_writes(emulator_process):
    emulator_process.start()
    dynamodb, _ = emulator_clients(emulator_process.url)
    _create_table(dynamodb)
    dynamodb.put_item(TableName=TABLE, Item={"configKey": {"S": "older"}})
    _wait_for_a_snapshot_holding(emulator_process.state_dir, "older")

    emulator_process.kill()
    emulator_process.start()

    assert _get(dynamodb, "older") is not None


def test_concurrent_conditional_writes_let_exactly_one_win(emulator_server):
    """Requests are serialized, so a condition holds as it does on DynamoDB."""
    from concurrent.futures import ThreadPoolExecutor

    dynamodb, _ = emulator_clients(emulator_server)
    table = "test-Claims"
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "slot", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "slot", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )

    def claim(worker: int) -> bool:
        client, _ = emulator_clients(emulator_server)
        try:
            client.put_item(
                TableName=table,
                Item={"slot": {"S": "court5-0800"}, "by": {"N": str(worker)}},
                ConditionExpression="attribute_not_exists(slot)",
            )
        except client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    with ThreadPoolExecutor(max_workers=8) as pool:
        wins = list(pool.map(claim, range(16)))

    assert wins.count(True) == 1


def test_the_session_redis_can_be_stopped_and_started(redis_server):
    import redis

    redis.Redis.from_url(redis_server.url).set("k", "v")
    redis_server.stop()
    try:
        assert not redis_server.running
    finally:
        redis_server.start()
    assert redis.Redis.from_url(redis_server.url).get("k") == b"v"
