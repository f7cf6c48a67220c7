"""A canary portal password never reaches any log output, whatever path wrote it."""

import dataclasses
import logging
from io import StringIO

import pytest
from django.core.management import call_command

from configs import services
from configs.crypto import acting_as
from configs.demo_portals import DEMO_PORTALS
from tests.factories import CLUB

CANARY = "CANARY-pw-7f3a9c"


@pytest.mark.django_db
@pytest.mark.usefixtures("dynamo")
def test_the_canary_never_appears_in_logs_or_output(caplog, capsys, monkeypatch, django_user_model):
    caplog.set_level(logging.DEBUG)
    canary_portal = dataclasses.replace(DEMO_PORTALS["condo"], password=CANARY)
    monkeypatch.setitem(DEMO_PORTALS, "condo", canary_portal)
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=out)
    member = django_user_model.objects.get(username="member")
    services.save_user_config("api-user", CLUB, portal_username="202", portal_password=CANARY)
    with acting_as("test", "read back"):
        assert services.get_user_config("api-user", CLUB).portal_password == CANARY
        assert services.get_user_config(str(member.pk), CLUB).portal_password == CANARY
    call_command("rotate_keys", "--new-key", "--no-progress", stdout=out, stderr=out)
    captured = capsys.readouterr()
    everything = caplog.text + out.getvalue() + captured.out + captured.err
    assert "crypto.decrypt" in caplog.text  # the logs really were captured
    assert CANARY not in everything
    assert CANARY not in repr(services.get_user_config("api-user", CLUB))
