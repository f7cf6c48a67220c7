"""Members' notification choices: defaults that never flood, seeded from the old e-mail flags.

- A new member gets the centre, e-mail and push for every event type, and
  no browser notification until they turn it on.
- A member who turned e-mail off at any club before keeps it off: their
  choices are seeded from those flags the first time they are needed, once.
- A posted choice that is not one of the form's is refused, naming it.
"""

from __future__ import annotations

import pytest
from django.http import QueryDict

from configs import clubs
from configs import services as config_services
from configs.dynamo import NotificationSettings
from realtime import preferences
from realtime.choices import DEFAULTS, PAIRS, Channel, EventType
from realtime.models import NotificationPreference
from tennisbook.dynamo import Unavailable
from tests.factories import CLUB

pytestmark = pytest.mark.django_db


def test_a_new_member_gets_the_defaults(member, dynamo):
    choices = preferences.preferences_for(member)
    assert choices == DEFAULTS
    assert preferences.wanted_channels(member, EventType.BOOKED) == {
        Channel.IN_APP,
        Channel.EMAIL,
        Channel.PUSH,
    }
    assert NotificationPreference.objects.filter(member=member).count() == len(PAIRS)


def test_every_event_type_is_one_message_per_channel_by_default():
    assert all(not DEFAULTS[(event, Channel.BROWSER)] for event in EventType)
    assert {event for event, _channel in DEFAULTS} == set(EventType)


def test_a_member_who_opted_out_of_failure_mail_at_one_club_stays_opted_out(member, dynamo):
    clubs.create_club("second", "Second club", actor="test")
    config_services.save_user_config(str(member.pk), CLUB, portal_username="101")
    config_services.save_user_config(
        str(member.pk), "second", notifications=NotificationSettings(email_on_failure=False)
    )
    choices = preferences.preferences_for(member)
    assert choices[("failed", "email")] is False
    assert choices[("credentials_rejected", "email")] is False
    assert choices[("preflight_problem", "email")] is False
    assert choices[("booked", "email")] is True
    assert choices[("failed", "in_app")] is True


def test_the_old_flags_are_read_once(member, dynamo):
    assert preferences.preferences_for(member)[("booked", "email")] is True
    config_services.save_user_config(
        str(member.pk), CLUB, notifications=NotificationSettings(email_on_success=False)
    )
    assert preferences.preferences_for(member)[("booked", "email")] is True


def test_a_choice_added_later_starts_at_its_default(member, dynamo):
    preferences.preferences_for(member)
    NotificationPreference.objects.filter(member=member, event="preflight_problem").delete()
    choices = preferences.preferences_for(member)
    assert choices[("preflight_problem", "email")] is DEFAULTS[("preflight_problem", "email")]


def test_seeding_while_dynamodb_is_away_raises_for_the_caller_to_retry(member, dynamo, monkeypatch):
    def away(*args, **kwargs):
        raise Unavailable("DynamoDB at test is unavailable")

    monkeypatch.setattr(config_services, "member_configs", away)
    with pytest.raises(Unavailable):
        preferences.preferences_for(member)
    assert not NotificationPreference.objects.exists()


def test_without_rows_one_choice_reads_its_default(member):
    assert preferences.wants(member, "booked", "browser") is False
    assert preferences.wants(member, "booked", "email") is True


def test_saving_changes_only_the_given_choices(member, dynamo):
    preferences.save_preferences(member, {("booked", "browser"): True, ("failed", "email"): False})
    choices = preferences.preferences_for(member)
    assert choices[("booked", "browser")] is True
    assert choices[("failed", "email")] is False
    assert choices[("booked", "email")] is True


def test_saving_a_pair_that_does_not_exist_is_refused(member, dynamo):
    with pytest.raises(preferences.InvalidChoice, match="not a notification choice"):
        preferences.save_preferences(member, {("booked", "fax"): True})


# --- the UserConfig API's old flags ---------------------------------------------------


def test_the_old_flags_read_the_members_email_choices(member, dynamo):
    preferences.save_preferences(member, {("failed", "email"): False})
    flags = preferences.legacy_flags(str(member.pk))
    assert flags == {"email_on_success": True, "email_on_failure": False, "live_updates": True}


def test_the_old_flags_of_a_deleted_account_are_none(db):
    assert preferences.legacy_flags("00000000-0000-0000-0000-000000000000") is None


def test_a_club_operator_may_not_change_choices_that_span_every_club(member, operator, dynamo):
    operator.operator_clubs = [CLUB]
    operator.save()
    before = preferences.preferences_for(member)
    with pytest.raises(preferences.NotPermitted, match="every club"):
        preferences.save_legacy_flags(operator, str(member.pk), {"email_on_failure": False})
    assert preferences.preferences_for(member) == before


def test_the_member_and_an_operator_of_every_club_may(member, operator, dynamo):
    preferences.save_legacy_flags(member, str(member.pk), {"email_on_failure": False})
    assert preferences.wants(member, "failed", "email") is False
    preferences.save_legacy_flags(operator, str(member.pk), {"email_on_failure": True})
    assert preferences.wants(member, "failed", "email") is True


# --- the profile form's posts ------------------------------------------------------------


def post(text: str) -> QueryDict:
    return QueryDict(text)


ALL = {c.value for c in Channel}


def test_a_post_sets_every_editable_choice_ticked_or_not():
    choices = preferences.parse_posted(
        post("section=notifications&pref.booked.email=on&pref.failed.browser=on"), editable=ALL
    )
    assert len(choices) == len(PAIRS)
    assert {pair for pair, on in choices.items() if on} == {
        ("booked", "email"),
        ("failed", "browser"),
    }


def test_a_channel_that_cannot_change_now_is_left_as_saved():
    choices = preferences.parse_posted(post("pref.booked.email=on"), editable=ALL - {"push"})
    assert all(channel != "push" for _event, channel in choices)


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("pref.booked.fax=on", "pref.booked.fax", "is not one of the notification choices"),
        ("pref.weather.email=on", "pref.weather.email", "is not one of the notification choices"),
        ("pref.booked=on", "pref.booked", "is not one of the notification choices"),
        ("pref.booked.email=maybe", "pref.booked.email", "can only be ticked"),
        ("pref.booked.push=on", "pref.booked.push", "cannot be changed on this site now"),
    ],
)
def test_a_post_that_is_not_the_forms_is_refused_naming_the_field(text, field, words):
    with pytest.raises(preferences.InvalidChoice, match=words) as refused:
        preferences.parse_posted(post(text), editable=ALL - {"push"})
    assert refused.value.field == field
