"""Portal profiles: the default is valid, and a bad field is named by its path."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from booker.engine import BookingEngine, Credentials, Plan
from booker.http_door import DoorClient
from booker.prepare import _prepare_door
from booker.profiles import adapter_for, default_profile, validate_profile
from booker.profiles.schema import DOOR_CONTEXTS, FORM_CONTEXT, LIST_CONTEXT, SUBMIT_CONTEXT
from booker.rawhttp import Response
from booker.results import Choice
from booker.session import BookingSession
from configs import system_keys
from tennisbook.values import InvalidValue, TimeSlot


def _broken(change) -> dict:
    profile = copy.deepcopy(default_profile())
    change(profile)
    return profile


def test_the_democlub_profile_is_the_valid_default_and_canonical():
    profile = default_profile()
    assert validate_profile(profile) == profile
    assert system_keys.KEYS["portal_profile"].default() == profile
    assert system_keys.validate("portal_profile", profile) == profile


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda p: p["login"].pop("submit"), "portal_profile.login.submit"),
        (lambda p: p["login"]["submit"].update(css=""), "portal_profile.login.submit.css"),
        (lambda p: p["login"].update(extra=1), "portal_profile.login.extra"),
        (lambda p: p.update(base_url="ftp://x"), "portal_profile.base_url"),
        (
            lambda p: p["navigation"]["open_form"][3].update(do="hover"),
            "portal_profile.navigation.open_form[3].do",
        ),
        (
            lambda p: p["navigation"]["open_form"][6].update(url="x?d={when}"),
            "portal_profile.navigation.open_form[6].url",
        ),
        (
            lambda p: p["reply"]["patterns"]["quota"].append("(unclosed"),
            "portal_profile.reply.patterns.quota[1]",
        ),
        (
            lambda p: p["reply"]["patterns"].update(success=[]),
            "portal_profile.reply.patterns.success",
        ),
        (lambda p: p["submission"].update(paths=["fax"]), "portal_profile.submission.paths[0]"),
        (lambda p: p["door"].update(password_hash="rot13"), "portal_profile.door.password_hash"),
        (lambda p: p.update(adapter="nope"), "portal_profile.adapter"),
        (lambda p: p["slot_label"].update(format="to {end}"), "portal_profile.slot_label.format"),
        (lambda p: p.update(adapter="json:JSONDecoder"), "portal_profile.adapter"),
        (lambda p: p.update(adapter="no_such_module:Adapter"), "portal_profile.adapter"),
        (lambda p: p["reply"]["message"].update(css="p[id=x"), "portal_profile.reply.message.css"),
        (lambda p: p["reply"]["message"].update(css="a::text"), "portal_profile.reply.message.css"),
        (
            lambda p: p["form"].update(computed={"end": "{finish}"}),
            "portal_profile.form.computed.end",
        ),
        (
            lambda p: p["form"].update(computed={"_token": {"from": "header"}}),
            "portal_profile.form.computed._token.from",
        ),
        (lambda p: p.update(clock={"method": "POST"}), "portal_profile.clock.method"),
        (
            lambda p: p["form"].update(computed={"end_time": "{end_seconds:05d}"}),
            "portal_profile.form.computed.end_time",
        ),
        (lambda p: p.update(day_format="{year.nope}-{month}"), "portal_profile.day_format"),
        (lambda p: p["slot_label"].update(format="{start!x}"), "portal_profile.slot_label.format"),
        (
            lambda p: p["reply"]["message"].update(css="li:contains('x')"),
            "portal_profile.reply.message.css",
        ),
        (lambda p: p.update(slot_minutes=0), "portal_profile.slot_minutes"),
        (
            lambda p: p["reservations"].update(url="/list?who={member}"),
            "portal_profile.reservations.url",
        ),
        (
            lambda p: p["reservations"].update(parse={"day": "(?P<when>.*)"}),
            "portal_profile.reservations.parse.day",
        ),
        (
            lambda p: p["reservations"].update(parse={"nowhere": "(?P<day>.*)"}),
            "portal_profile.reservations.parse.nowhere",
        ),
        (
            lambda p: p["reservations"].update(formats={"day": ["%Q"]}),
            "portal_profile.reservations.formats.day[0]",
        ),
        (
            lambda p: p["release_rules"]["courts"]["5"].update(days_ahead=-1),
            "portal_profile.release_rules.courts.5.days_ahead",
        ),
        (
            lambda p: p["reservations"]["fields"].pop("day"),
            "portal_profile.reservations.fields",
        ),
        (lambda p: p.update(door={"enabled": False}), "portal_profile.submission.paths"),
    ],
)
def test_a_malformed_profile_is_rejected_with_the_path_of_the_bad_field(change, path):
    with pytest.raises(InvalidValue) as caught:
        system_keys.validate("portal_profile", _broken(change))
    assert caught.value.field == path


@pytest.mark.parametrize(
    ("change", "path", "available"),
    [
        # {slot} was once accepted everywhere and raised KeyError at the release.
        (
            lambda p: p["navigation"]["open_form"][6].update(url="day.php?slot={slot}"),
            "portal_profile.navigation.open_form[6].url",
            "area, day, dashboard_url, area_name",
        ),
        # area_name exists only after the step that captures it.
        (
            lambda p: p["navigation"]["open_form"][0].update(url="{dashboard_url}&n={area_name}"),
            "portal_profile.navigation.open_form[0].url",
            "area, day, dashboard_url",
        ),
        (
            lambda p: p["door"]["schedules"]["fields"].update(id="{door_id}"),
            "portal_profile.door.schedules.fields.id",
            "area, day",
        ),
        (
            lambda p: p["door"]["add"]["fields"].update(court="{area_name}"),
            "portal_profile.door.add.fields.court",
            "area, day, door_id, comments",
        ),
        (
            lambda p: p["door"]["reservations"]["fields"].update(day="{day}"),
            "portal_profile.door.reservations.fields.day",
            "none (this text is used as it is)",
        ),
        (
            lambda p: p["reservations"].update(url="/my_reservations.php?day={day}"),
            "portal_profile.reservations.url",
            "username",
        ),
        (
            lambda p: p["slot_label"].update(format="De {start} a {end} ({area})"),
            "portal_profile.slot_label.format",
            "start, end",
        ),
    ],
)
def test_a_placeholder_its_template_is_not_filled_with_is_refused_at_validation(
    change, path, available
):
    with pytest.raises(InvalidValue) as caught:
        system_keys.validate("portal_profile", _broken(change))
    assert caught.value.field == path
    assert caught.value.message.startswith("unknown placeholder {")
    assert caught.value.message.endswith(f"; available: {available}.")


def test_the_declared_contexts_are_the_ones_the_engine_fills_templates_with(monkeypatch):
    profile = default_profile("http://127.0.0.1:9")
    engine = BookingEngine(profile)
    plan = Plan(date(2026, 3, 5), [Choice(5, TimeSlot.parse("De 07:00 AM a 08:00 AM"))])
    session = BookingSession(engine, Credentials("101", "x"), plan)
    assert tuple(session.form_context(5)) == FORM_CONTEXT
    assert tuple(session.list_context()) == LIST_CONTEXT
    assert tuple(session.submit_context(plan.choices[0])) == SUBMIT_CONTEXT

    filled: dict[str, set] = {}

    class RecordingDoor(DoorClient):
        def call(self, action_spec, context):
            self.build(action_spec, context)
            body = b'{"schedules": [{"id": 1000, "label": "De 07:00 AM a 08:00 AM"}]}'
            response = Response(200, {}, body, 0, 0)
            return response, json.loads(body)

        def build(self, action_spec, context):
            filled[action_spec["action"]] = set(context)
            return super().build(action_spec, context)

    monkeypatch.setattr("booker.prepare.DoorClient", RecordingDoor)
    session.schedule_ids = {plan.choices[0]: "1002"}
    _prepare_door(session)  # builds the add requests, after listing the schedules
    RecordingDoor(profile, engine.adapter, "101", "x").reservations()
    door = profile["door"]
    assert {door[kind]["action"]: set(names) for kind, names in DOOR_CONTEXTS.items()} == filled


def test_retired_keys_of_stored_profiles_are_accepted_and_dropped():
    stored = _broken(lambda p: p.update(time_zone="America/Costa_Rica"))
    stored["form"]["submit"] = "input#save_btn"
    profile = validate_profile(stored)
    assert "time_zone" not in profile
    assert "submit" not in profile["form"]
    assert profile == default_profile()


def test_a_profile_that_is_not_an_object_is_rejected():
    with pytest.raises(InvalidValue) as caught:
        validate_profile(["no"])
    assert caught.value.field == "portal_profile"


def test_the_democlub_adapter_formats_days_and_labels_as_the_portal_does():
    adapter = adapter_for(default_profile())
    assert adapter.format_day(date(2026, 3, 5)) == "2026-3-5"
    assert adapter.slot_label(TimeSlot.parse("de 1:00 pm a 2:00 pm")) == "De 01:00 PM a 02:00 PM"
    assert adapter.door_password("x") == "9dd4e461268c8034f5c8564e155c67a6"
    assert adapter.door_schedule_id("1002") == "1000"
