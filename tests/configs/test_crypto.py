"""Portal passwords encrypted at rest: envelope, binding, environments, failures."""

import http.server
import json
import logging
import socket
import threading

import boto3
import pytest

from configs import services
from configs.crypto import (
    Binding,
    DecryptionFailed,
    KeyServiceUnavailable,
    PlaintextWriteRefused,
    WrongEnvironment,
    acting_as,
    decrypt,
    encrypt,
    get_provider,
)
from configs.crypto.envelope import Envelope
from configs.dynamo import UserConfig, user_config_key
from tennisbook.dynamo import NotFound
from tests.factories import CLUB

pytestmark = pytest.mark.usefixtures("dynamo")

SECRET = "club-pass-Ω-42"
ALICE = Binding("portal-credentials", "alice-id", "portalPassword")


def raw_item(user_id: str, club: str = CLUB) -> dict:
    client = boto3.client("dynamodb", region_name="us-east-1")
    key = {"userId": {"S": user_config_key(user_id, club)}}
    return client.get_item(TableName=UserConfig.Meta.table_name, Key=key)["Item"]


def copy_password(source: tuple[str, str], target: tuple[str, str]) -> None:
    """Copy the stored envelope from one (member, club) item to another, as an attacker would."""
    client = boto3.client("dynamodb", region_name="us-east-1")
    client.update_item(
        TableName=UserConfig.Meta.table_name,
        Key={"userId": {"S": user_config_key(*target)}},
        UpdateExpression="SET portalPassword = :p",
        ExpressionAttributeValues={":p": raw_item(*source)["portalPassword"]},
    )


def test_a_saved_password_reads_back_and_is_never_stored_in_plaintext():
    services.save_user_config("alice-id", CLUB, portal_username="101", portal_password=SECRET)
    item = raw_item("alice-id")
    stored = item["portalPassword"]["S"]
    assert SECRET not in json.dumps(item)
    envelope = Envelope.loads(stored)
    assert (envelope.version, envelope.algorithm, envelope.env) == (1, "A256GCM", "test")
    assert envelope.key_id.startswith("arn:aws:kms:")
    assert len(envelope.nonce) == 12
    config = services.get_user_config("alice-id", CLUB)
    assert config.has_portal_password is True
    assert config.portal_password == SECRET


def test_listing_configs_decrypts_nothing(caplog):
    services.save_user_config("alice-id", CLUB, portal_password=SECRET)
    caplog.clear()
    config = services.get_user_config("alice-id", CLUB)
    assert config.has_portal_password is True
    assert not [r for r in caplog.records if "crypto.decrypt" in str(r.msg)]


def test_each_value_gets_its_own_data_key_and_nonce():
    first, second = Envelope.loads(encrypt(SECRET, ALICE)), Envelope.loads(encrypt(SECRET, ALICE))
    assert first.encrypted_key != second.encrypted_key
    assert first.nonce != second.nonce
    assert first.ciphertext != second.ciphertext


@pytest.mark.parametrize("part", ["ciphertext", "nonce", "commitment", "encrypted_key"])
def test_a_flipped_byte_anywhere_fails_to_decrypt(part):
    envelope = Envelope.loads(encrypt(SECRET, ALICE))
    damaged = bytearray(getattr(envelope, part))
    damaged[len(damaged) // 2] ^= 0x01
    forged = Envelope(**{**envelope.__dict__, part: bytes(damaged)})
    with pytest.raises(DecryptionFailed):
        decrypt(forged.dumps(), ALICE)


def test_a_ciphertext_copied_to_another_members_row_fails():
    services.save_user_config("alice-id", CLUB, portal_password=SECRET)
    services.save_user_config("bob-id", CLUB, portal_password="bob-pass")
    copy_password(("alice-id", CLUB), ("bob-id", CLUB))
    bob = services.get_user_config("bob-id", CLUB)
    with pytest.raises(DecryptionFailed):
        _ = bob.portal_password


def test_a_ciphertext_moved_to_the_same_members_item_at_another_club_fails():
    services.save_user_config("alice-id", CLUB, portal_password=SECRET)
    services.save_user_config("alice-id", "riverside", portal_password="riverside-pass")
    copy_password(("alice-id", CLUB), ("alice-id", "riverside"))
    moved = services.get_user_config("alice-id", "riverside")
    with pytest.raises(DecryptionFailed):
        _ = moved.portal_password
    # The original still opens where it belongs.
    assert services.get_user_config("alice-id", CLUB).portal_password == SECRET


def test_an_item_copied_whole_under_another_key_fails_to_decrypt():
    """memberId/clubId say nothing: the key the item is stored under is what binds it."""
    services.save_user_config("alice-id", CLUB, portal_username="101", portal_password=SECRET)
    client = boto3.client("dynamodb", region_name="us-east-1")
    copied = raw_item("alice-id") | {"userId": {"S": user_config_key("bob-id", "riverside")}}
    client.put_item(TableName=UserConfig.Meta.table_name, Item=copied)
    stolen = services.get_user_config("bob-id", "riverside")
    with pytest.raises(DecryptionFailed):
        _ = stolen.portal_password


def test_the_encryption_context_names_the_club():
    bound = Binding("portal-credentials", "alice-id", "portalPassword", "riverside")
    assert bound.context("test")["club"] == "riverside"
    stored = encrypt(SECRET, bound)
    with pytest.raises(DecryptionFailed):
        decrypt(stored, Binding("portal-credentials", "alice-id", "portalPassword", CLUB))
    with pytest.raises(DecryptionFailed):
        decrypt(stored, ALICE)  # no club: the context of a value written before clubs


def test_a_ciphertext_bound_to_another_field_or_purpose_fails():
    stored = encrypt(SECRET, ALICE)
    for other in (
        Binding("portal-credentials", "alice-id", "otherField"),
        Binding("api-token", "alice-id", "portalPassword"),
    ):
        with pytest.raises(DecryptionFailed):
            decrypt(stored, other)


def test_a_value_from_another_environment_is_refused_clearly(settings):
    settings.TENNISBOOK_ENV = "prod"
    stored = encrypt(SECRET, ALICE)
    settings.TENNISBOOK_ENV = "test"
    with pytest.raises(WrongEnvironment, match="encrypted for the 'prod' environment"):
        decrypt(stored, ALICE)
    # Relabelling the envelope does not help: the context is authenticated.
    relabelled = Envelope(**{**Envelope.loads(stored).__dict__, "env": "test"})
    with pytest.raises(DecryptionFailed):
        decrypt(relabelled.dumps(), ALICE)


def test_garbage_in_the_column_is_a_typed_error():
    for junk in ("not json", '{"v": 1}', '{"v": 9, "alg": "A256GCM"}'):
        with pytest.raises(DecryptionFailed):
            decrypt(junk, ALICE)


def test_writing_a_plaintext_through_an_update_action_is_refused():
    config = services.save_user_config("alice-id", CLUB, portal_username="101")
    with pytest.raises(PlaintextWriteRefused):
        config.update(actions=[UserConfig.portal_password.set("plain")])
    assert not services.get_user_config("alice-id", CLUB).has_portal_password


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_kms_unavailable_is_a_typed_error_and_the_save_stores_nothing(settings):
    settings.KMS_ENDPOINT_URL = f"http://127.0.0.1:{_closed_port()}"
    settings.KMS_MAX_ATTEMPTS = 2
    get_provider.cache_clear()
    try:
        with pytest.raises(KeyServiceUnavailable, match="KMS cannot be reached"):
            services.save_user_config(
                "alice-id", CLUB, portal_username="101", portal_password=SECRET
            )
    finally:
        get_provider.cache_clear()
    with pytest.raises(NotFound):
        services.get_user_config("alice-id", CLUB)


class _ThrottlingKms(http.server.BaseHTTPRequestHandler):
    """A KMS that throttles every call, counting how often it is asked."""

    calls = 0

    def do_POST(self):
        type(self).calls += 1
        self.rfile.read(int(self.headers["Content-Length"]))
        body = b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_throttling_kms_is_retried_a_bounded_number_of_times(settings):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ThrottlingKms)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.KMS_ENDPOINT_URL = f"http://127.0.0.1:{server.server_port}"
    settings.KMS_MAX_ATTEMPTS = 3
    get_provider.cache_clear()
    try:
        with pytest.raises(KeyServiceUnavailable, match="ThrottlingException"):
            encrypt(SECRET, ALICE)
    finally:
        server.shutdown()
        get_provider.cache_clear()
    assert _ThrottlingKms.calls == 3


def test_every_operation_is_audited_without_the_secret(caplog):
    caplog.set_level(logging.DEBUG)
    with acting_as("worker-1", "booking attempt r-1"):
        stored = encrypt(SECRET, ALICE)
        decrypt(stored, ALICE)
    with pytest.raises(DecryptionFailed):
        decrypt(stored, Binding("portal-credentials", "mallory", "portalPassword"))
    audits = [r.msg for r in caplog.records if r.name == "tennisbook.audit"]
    assert [a["event"] for a in audits] == ["crypto.encrypt", "crypto.decrypt", "crypto.decrypt"]
    assert audits[0]["actor"] == "worker-1"
    assert audits[1]["reason"] == "booking attempt r-1"
    assert audits[1]["user_id"] == "alice-id"
    assert audits[1]["field"] == "portalPassword"
    assert audits[1]["purpose"] == "portal-credentials"
    assert audits[1]["key_id"].startswith("arn:aws:kms:")
    assert audits[1]["outcome"] == "ok"
    assert audits[2]["outcome"] == "DecryptionFailed"
    assert SECRET not in caplog.text
