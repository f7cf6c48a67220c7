"""The emulator's snapshot keeps DynamoDB tables and KMS keys across restarts."""

from __future__ import annotations

import pickle

import boto3
import pytest
from moto import mock_aws
from moto.core.base_backend import BackendDict

from tennisbook.devstack import snapshot
from tennisbook.devstack.emulator import PersistentState, is_write

REGION = "us-east-1"


def _clients():
    return boto3.client("dynamodb", region_name=REGION), boto3.client("kms", region_name=REGION)


def _make_table(dynamodb) -> None:
    dynamodb.create_table(
        TableName="test-BookingRequests",
        KeySchema=[
            {"AttributeName": "requestId", "KeyType": "HASH"},
            {"AttributeName": "userId", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "requestId", "AttributeType": "S"},
            {"AttributeName": "userId", "AttributeType": "S"},
            {"AttributeName": "status", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byStatus",
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.update_time_to_live(
        TableName="test-BookingRequests",
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"},
    )
    dynamodb.put_item(
        TableName="test-BookingRequests",
        Item={
            "requestId": {"S": "r1"},
            "userId": {"S": "u1"},
            "status": {"S": "pending"},
            "ttl": {"N": "4102444800"},
        },
    )


def _simulate_restart() -> None:
    """Forget every backend, as a fresh emulator process would."""
    BackendDict.reset()


@pytest.fixture
def moto_aws():
    with mock_aws():
        yield _clients()


def test_tables_with_their_gsis_ttl_and_items_survive_a_restore(moto_aws):
    dynamodb, _ = moto_aws
    _make_table(dynamodb)
    data = snapshot.dump_state()
    _simulate_restart()
    assert dynamodb.list_tables()["TableNames"] == []

    summary = snapshot.load_state(data)

    assert (summary.tables, summary.items) == (1, 1)
    table = dynamodb.describe_table(TableName="test-BookingRequests")["Table"]
    assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == ["byStatus"]
    ttl = dynamodb.describe_time_to_live(TableName="test-BookingRequests")
    assert ttl["TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": "ttl"}
    found = dynamodb.query(
        TableName="test-BookingRequests",
        IndexName="byStatus",
        KeyConditionExpression="#s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "pending"}},
    )["Items"]
    assert [item["requestId"]["S"] for item in found] == ["r1"]


def test_a_kms_key_keeps_its_id_alias_rotation_and_material(moto_aws):
    _, kms = moto_aws
    key = kms.create_key(Description="dev credentials")["KeyMetadata"]
    kms.create_alias(AliasName="alias/tennisbook-test", TargetKeyId=key["KeyId"])
    kms.enable_key_rotation(KeyId=key["KeyId"])
    context = {"userId": "u1", "field": "portalPassword"}
    alias = "alias/tennisbook-test"
    blob = kms.encrypt(KeyId=alias, Plaintext=b"s3cret", EncryptionContext=context)
    data_key = kms.generate_data_key(
        KeyId="alias/tennisbook-test", KeySpec="AES_256", EncryptionContext=context
    )
    data = snapshot.dump_state()
    _simulate_restart()

    snapshot.load_state(data)

    restored = kms.describe_key(KeyId="alias/tennisbook-test")["KeyMetadata"]
    assert restored["KeyId"] == key["KeyId"]
    assert restored["Arn"] == key["Arn"]
    assert restored["Description"] == "dev credentials"
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True
    plain = kms.decrypt(CiphertextBlob=blob["CiphertextBlob"], EncryptionContext=context)
    assert plain["Plaintext"] == b"s3cret"
    again = kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"], EncryptionContext=context)
    assert again["Plaintext"] == data_key["Plaintext"]


def test_a_ciphertext_bound_to_one_context_still_fails_with_another(moto_aws):
    _, kms = moto_aws
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext={"userId": "u1"})
    data = snapshot.dump_state()
    _simulate_restart()
    snapshot.load_state(data)

    with pytest.raises(kms.exceptions.InvalidCiphertextException):
        kms.decrypt(CiphertextBlob=blob["CiphertextBlob"], EncryptionContext={"userId": "u2"})


def test_restore_reads_the_file_written_atomically(moto_aws, tmp_path):
    dynamodb, _ = moto_aws
    _make_table(dynamodb)
    path = tmp_path / "state.pickle"
    snapshot.write_atomically(path, snapshot.dump_state())
    _simulate_restart()

    summary = snapshot.restore(path)

    assert summary is not None
    assert summary.items == 1
    assert [p.name for p in tmp_path.iterdir()] == ["state.pickle"]  # no temp file left


def test_restore_without_a_file_starts_empty(tmp_path):
    assert snapshot.restore(tmp_path / "state.pickle") is None


def test_an_unreadable_snapshot_is_set_aside_not_deleted(tmp_path):
    path = tmp_path / "state.pickle"
    path.write_bytes(b"not a snapshot")

    with pytest.raises(pickle.UnpicklingError):  # the loader's own error, passed on
        snapshot.restore(path)

    assert not path.exists()
    assert [p.name.startswith("state.pickle.unreadable-") for p in tmp_path.iterdir()] == [True]


def test_it_saves_only_when_something_changed(moto_aws, tmp_path):
    state = PersistentState(tmp_path)
    assert state.save() is False
    assert not state.path.exists()

    state.mark_dirty()
    assert state.save() is True
    assert state.path.exists()
    assert state.save() is False


@pytest.mark.parametrize(
    ("target", "method", "write"),
    [
        ("DynamoDB_20120810.PutItem", "POST", True),
        ("DynamoDB_20120810.TransactWriteItems", "POST", True),
        ("DynamoDB_20120810.UpdateTimeToLive", "POST", True),
        ("DynamoDB_20120810.GetItem", "POST", False),
        ("DynamoDB_20120810.Query", "POST", False),
        ("TrentService.CreateAlias", "POST", True),
        ("TrentService.GenerateDataKey", "POST", True),  # may create an aws/* key
        ("TrentService.Decrypt", "POST", False),
        ("", "GET", False),
        ("", "POST", True),
    ],
)
def test_which_requests_mark_the_state_dirty(target, method, write):
    environ = {"REQUEST_METHOD": method}
    if target:
        environ["HTTP_X_AMZ_TARGET"] = target
    assert is_write(environ) is write
