"""``manage.py migrate_clubs``: a single-club deployment's data becomes the default club's.

The data "from before clubs" is made the way the single-club version wrote
it: bare SystemConfig keys, a configuration keyed by the member alone with
a password bound to the member alone, requests without a club, claims whose
keys name no club.
"""

from __future__ import annotations

from io import StringIO

import boto3
import pytest
from django.core.management import CommandError, call_command

from booker import dispatch
from bookings import claims, services, workflow
from bookings.dynamo import BookingRequest, Claim
from bookings.errors import DuplicateRequest
from bookings.lifecycle import Actor
from configs import club_migration
from configs import services as config_services
from configs.club_migration import MARKER_KEY, MigrationPending
from configs.crypto import acting_as
from configs.dynamo import SystemConfigItem, UserConfig
from configs.system_keys import item_key
from tennisbook.dynamo import Unavailable
from tennisbook.health import check_clubs_migrated
from tests.factories import CLUB, SEVEN, in_days, system_config

COURTS = [{"id": 5, "name": "Centre court", "slots": [SEVEN]}]


def _client():
    return boto3.client("dynamodb", region_name="us-east-1")


def _scan(model) -> list[dict]:
    client = _client()
    items = client.scan(TableName=model.Meta.table_name)["Items"]
    return sorted(items, key=lambda item: sorted((k, str(v)) for k, v in item.items()))


def _everything() -> list[list[dict]]:
    return [_scan(SystemConfigItem), _scan(UserConfig), _scan(BookingRequest)]


def make_single_club_data(django_user_model) -> dict:
    """What the single-club version left in the three tables."""
    member = str(django_user_model.objects.create_user("ana", "ana@example.test").pk)
    # A request and its claims, made now, then put back in the old form.
    config_services.save_user_config(member, CLUB, portal_username="101", portal_password="x")
    request = workflow.create(member, 5, in_days(10), SEVEN, club=CLUB)
    config_services.user_configs.delete(config_services.get_user_config(member, CLUB))
    client = _client()
    table = BookingRequest.Meta.table_name
    client.update_item(
        TableName=table,
        Key={"requestId": {"S": request.request_id}, "userId": {"S": member}},
        UpdateExpression="REMOVE clubId",
    )
    for claim in Claim.scan(Claim.kind.exists()):
        old_key = claim.claim_id.replace(f"#{CLUB}#", "#", 1)
        key = {"requestId": {"S": claim.claim_id}, "userId": {"S": claim.marker}}
        raw = client.get_item(TableName=table, Key=key)["Item"]
        raw["requestId"] = {"S": old_key}
        raw.pop("clubId", None)
        client.put_item(TableName=table, Item=raw)
        client.delete_item(TableName=table, Key=key)

    config_services.set_system_value("courts", COURTS, club=CLUB, actor="op")
    stored = config_services.system_configs.get(item_key(CLUB, "courts"))
    legacy_setting = SystemConfigItem(
        "courts",
        config_value=stored.config_value,
        description=stored.description,
        last_modified=stored.last_modified,
        modified_by="op",
    )
    legacy_setting.save()
    stored.delete()
    config_services.forget_cached_settings()

    with acting_as("test", "a single-club configuration"):
        legacy = UserConfig(
            member,
            portal_username="101",
            preferred_court=5,
            created_at=stored.last_modified,
            updated_at=stored.last_modified,
        )
        legacy.portal_password = "s3cret-101"
        legacy.save()  # no club: bound to the member alone, as before clubs
    # An upgraded deployment: migrate_clubs never ran.
    config_services.system_configs.get(MARKER_KEY).delete()
    config_services.forget_cached_settings()
    return {"member": member, "request": request}


def migrate(*args: str) -> str:
    out = StringIO()
    call_command("migrate_clubs", *args, stdout=out)
    return out.getvalue()


def test_the_single_club_becomes_the_default_club(dynamo, db, django_user_model):
    data = make_single_club_data(django_user_model)
    member, request = data["member"], data["request"]
    assert check_clubs_migrated() is not None  # /readyz says what to run

    output = migrate()

    assert "SystemConfig: moved 1" in output
    assert "UserConfigs: moved 1" in output
    assert "BookingRequests: moved 1" in output
    assert "claims: moved 3" in output
    assert check_clubs_migrated() is None
    assert config_services.get_courts(CLUB) == COURTS
    assert config_services.system_configs.find("courts") is None
    config = config_services.get_user_config(member, CLUB)
    assert (config.user_id, config.club_id, config.preferred_court) == (member, CLUB, 5)
    with acting_as("test", "check"):
        assert config.portal_password == "s3cret-101"  # re-encrypted, bound to the club
    assert config_services.user_configs.find(member) is None
    moved = services.get_request(member, request.request_id)
    assert moved.club_id == CLUB
    holder = claims.get_slot_claim(CLUB, 5, moved.date, SEVEN)
    assert holder is not None
    assert holder.holder == request.request_id
    # The claims guard as before: the slot is held, and a cancel frees it and the quota.
    config_services.save_user_config(member, CLUB, portal_password="s3cret-101")
    with pytest.raises(DuplicateRequest):  # the member-slot claim, under its new key
        workflow.create(member, 5, moved.date, SEVEN, club=CLUB)
    workflow.cancel(moved, actor=Actor.MEMBER, by="ana")
    assert claims.get_slot_claim(CLUB, 5, moved.date, SEVEN) is None
    assert workflow.create(member, 5, moved.date, SEVEN, club=CLUB).club_id == CLUB


def test_until_it_has_run_booking_writes_wait_and_nothing_is_half_written(
    dynamo, db, django_user_model
):
    data = make_single_club_data(django_user_model)
    member, request = data["member"], data["request"]
    legacy = BookingRequest.get(request.request_id, member)
    before = _everything()
    with pytest.raises(MigrationPending, match="migrate_clubs"):
        workflow.cancel(legacy, actor=Actor.MEMBER, by="ana")
    with pytest.raises(MigrationPending):
        workflow.create(member, 5, in_days(11), SEVEN, club=CLUB)
    assert _everything() == before
    sent = []
    assert dispatch.sweep(sent.append, now=legacy.fire_at) == 0  # waits for its club
    migrate()
    workflow.cancel(services.get_request(member, request.request_id), actor=Actor.MEMBER, by="a")


def test_a_run_that_stopped_half_way_keeps_readyz_unready(
    dynamo, db, django_user_model, monkeypatch
):
    make_single_club_data(django_user_model)

    def kms_down(club, *, dry_run=False):
        raise Unavailable("KMS at test cannot be reached.")

    monkeypatch.setattr(club_migration, "migrate_user_configs", kms_down)
    with pytest.raises(CommandError):
        migrate()
    # The bare settings are gone already, but the run did not finish.
    assert config_services.system_configs.find("courts") is None
    assert "did not finish" in check_clubs_migrated()
    monkeypatch.undo()
    migrate()
    assert check_clubs_migrated() is None


def test_a_second_run_changes_nothing(dynamo, db, django_user_model):
    make_single_club_data(django_user_model)
    migrate()
    before = _everything()
    output = migrate()
    assert "Nothing to migrate." in output
    assert _everything() == before


def test_a_dry_run_counts_and_changes_nothing(dynamo, db, django_user_model):
    make_single_club_data(django_user_model)
    before = _everything()
    output = migrate("--dry-run")
    assert "would change 6 item(s)" in output
    assert _everything() == before


def test_an_interrupted_run_is_finished_by_the_next(dynamo, db, django_user_model, monkeypatch):
    data = make_single_club_data(django_user_model)
    real_delete = club_migration._delete

    def crash_after_copy(repository, item, result):
        raise Unavailable("DynamoDB at test cannot be reached.")

    monkeypatch.setattr(club_migration, "_delete", crash_after_copy)
    with pytest.raises(CommandError, match="run it again to resume"):
        migrate()
    # The copy was made, the original is still there: nothing lost.
    assert config_services.system_configs.find("courts") is not None
    assert config_services.system_configs.find(item_key(CLUB, "courts")) is not None
    monkeypatch.setattr(club_migration, "_delete", real_delete)

    output = migrate()

    assert "SystemConfig: dropped 1" in output  # the stale bare copy
    assert config_services.system_configs.find("courts") is None
    assert config_services.get_courts(CLUB) == COURTS
    with acting_as("test", "check"):
        assert config_services.get_user_config(data["member"], CLUB).portal_password == "s3cret-101"
    assert "Nothing to migrate." in migrate()


def test_a_value_the_club_has_already_wins_over_the_bare_one(dynamo, db, django_user_model):
    make_single_club_data(django_user_model)
    newer = [{"id": 9, "name": "Edited since", "slots": [SEVEN]}]
    system_config("courts", newer)  # stored under the club already (an earlier run's copy)
    migrate()
    assert config_services.get_courts(CLUB) == newer
    assert config_services.system_configs.find("courts") is None


def test_settings_and_configurations_are_not_written_until_it_ran(dynamo, db, django_user_model):
    data = make_single_club_data(django_user_model)
    with pytest.raises(MigrationPending):
        config_services.save_user_config(data["member"], CLUB, portal_username="new")
    with pytest.raises(MigrationPending):
        config_services.set_system_value("conflict_policy", "queue", club=CLUB, actor="op")
    migrate()
    config_services.save_user_config(data["member"], CLUB, portal_username="new")


def test_it_names_the_default_club_once(dynamo, db):
    assert "Club name: Riverside TC" in migrate("--name", "Riverside TC")
    assert config_services.get_system_value("club", club=CLUB)["name"] == "Riverside TC"
    assert "already set, kept" in migrate("--name", "Other")
    config_services.system_configs.get(item_key(CLUB, "club")).delete()
    config_services.forget_cached_settings()
    with pytest.raises(CommandError, match=r"club\.name"):
        migrate("--name", "")


def test_readyz_is_unavailable_not_degraded_until_the_clubs_are_migrated(
    dynamo, db, django_user_model, client
):
    from unittest import mock

    from tennisbook import health

    make_single_club_data(django_user_model)

    with mock.patch.dict(health.CHECKS, {"redis": lambda: None}):  # no Redis in unit tests
        response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"  # not an outage that results can wait out
    assert body["down"] == ["clubs"]
    assert body["checks"]["dynamodb"]["ok"] is True
    assert "migrate_clubs" in body["checks"]["clubs"]["error"]

    migrate()

    assert client.get("/readyz").json()["checks"]["clubs"]["ok"] is True
