"""Templates, sharing them and favourites, through real URLs (Django's test client).

The browser suite (tests/pages/test_templates.py) clicks the same pages in
Chromium; here each rule is pinned: what a template keeps, who may see a
share, what a link share is worth once withdrawn, and that favourites come
first in the form.
"""

import re

import pytest
from django.test import Client

from accounts.models import BookingTemplate, TemplateShare
from bookings import member_templates
from configs import services as config_services
from tennisbook.values import InvalidValue
from tests.bookings.page_clients import logged_in, with_credentials
from tests.factories import CLUB, EIGHT, SEVEN, in_days

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]


@pytest.fixture
def alice(member):
    return with_credentials(member)


@pytest.fixture
def bob(other_member):
    return with_credentials(other_member)


def wish(**overrides):
    return {
        "club": CLUB,
        "court_id": "5",
        "date": in_days(10),
        "time_slot": SEVEN,
        "alt_court": ["7"],
        "alt_slot": [SEVEN],
        "partner": ["Ana"],
        "notes": "Bring balls",
        "on_conflict": "suggest",
        "template_name": "Tuesday singles",
    } | overrides


def saved(client, **overrides) -> BookingTemplate:
    answer = client.post("/templates/save", wish(**overrides))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return BookingTemplate.objects.get(name=overrides.get("template_name", "Tuesday singles"))


# --- saving ---------------------------------------------------------------------------------


def test_a_template_keeps_the_wish_and_the_weekday_but_no_date(alice, member):
    template = saved(alice)

    assert template.owner == member
    assert (template.club_id, template.court_id, template.time_slot) == (CLUB, 5, SEVEN)
    assert template.alternatives == [{"court_id": 7, "time_slot": SEVEN}]
    assert template.partners == ["Ana"]
    assert template.notes == "Bring balls"
    assert len(template.weekdays) == 1  # the weekday of the date typed, not the date


def test_saving_under_the_same_name_replaces_and_the_form_offers_it(alice):
    saved(alice)
    saved(alice, time_slot=EIGHT, alt_court=[], alt_slot=[])

    assert BookingTemplate.objects.count() == 1
    assert BookingTemplate.objects.get().time_slot == EIGHT
    page = alice.get("/book/").content.decode()
    assert "Tuesday singles" in page
    assert 'class="own-template"' in page


@pytest.mark.parametrize(
    ("overrides", "field_text"),
    [
        ({"template_name": "  "}, "name"),
        ({"court_id": "99"}, "court"),
        ({"time_slot": "De 11:00 PM a 11:30 PM"}, "slot"),
        ({"alt_court": ["5"], "alt_slot": [SEVEN]}, "repeats"),
    ],
)
def test_a_bad_template_is_refused_on_the_form_naming_the_problem(alice, overrides, field_text):
    answer = alice.post("/templates/save", wish(**overrides))

    assert answer.status_code == 400
    assert field_text in answer.content.decode().lower()
    assert BookingTemplate.objects.count() == 0


def test_a_template_may_have_no_date_and_then_no_weekday(alice):
    template = saved(alice, date="")

    assert template.weekdays == []


def test_using_a_template_fills_the_form_from_the_server(alice):
    template = saved(alice)

    page = alice.get(f"/book/?club={CLUB}&template={template.pk}").content.decode()

    assert re.search(r'<option value="5" selected>', page)
    assert 'value="Bring balls"' in page or "Bring balls</textarea>" in page
    assert 'data-prefilled="1"' in page


def test_another_members_template_id_fills_nothing(alice, bob):
    template = saved(alice)

    answer = bob.get(f"/book/?club={CLUB}&template={template.pk}")

    assert answer.status_code == 200
    assert "Bring balls" not in answer.content.decode()
    assert "not one of yours" in answer.content.decode()


def test_deleting_is_for_the_owner_only(alice, bob):
    template = saved(alice)

    assert bob.post(f"/templates/{template.pk}/delete").status_code == 404
    assert alice.post(f"/templates/{template.pk}/delete").status_code == 302
    assert not BookingTemplate.objects.exists()


# --- sharing --------------------------------------------------------------------------------


def test_a_template_shared_by_username_is_offered_and_copied(alice, bob, member, other_member):
    template = saved(alice)
    answer = alice.post(f"/templates/{template.pk}/share", {"username": other_member.username})
    assert answer.status_code == 302

    page = bob.get("/templates/").content.decode()
    assert "Shared with you" in page
    assert "Tuesday singles" in page
    share = TemplateShare.objects.get()
    assert bob.post(f"/templates/offers/{share.pk}/copy").status_code == 302

    copy = BookingTemplate.objects.get(owner=other_member)
    assert copy.name == f"Tuesday singles (from {member.username})"
    assert (copy.court_id, copy.time_slot, copy.alternatives) == (5, SEVEN, template.alternatives)
    assert copy.copied_from == template
    assert "Shared with you" not in bob.get("/templates/").content.decode()  # accepted


def test_a_share_to_nobody_or_to_oneself_is_refused_plainly(alice, member):
    template = saved(alice)

    nobody = alice.post(f"/templates/{template.pk}/share", {"username": "no-such"}, follow=True)
    me = alice.post(f"/templates/{template.pk}/share", {"username": member.username}, follow=True)

    # The same answer as for a member who exists: sharing tells nobody who has an account.
    assert "Offered “Tuesday singles” to no-such" in nobody.content.decode()
    assert "that is you" in me.content.decode().lower()
    assert not TemplateShare.objects.exists()


def test_nobody_but_the_recipient_answers_an_offer(alice, bob, other_member, operator):
    template = saved(alice)
    alice.post(f"/templates/{template.pk}/share", {"username": other_member.username})
    share = TemplateShare.objects.get()
    stranger = logged_in(operator)

    assert stranger.post(f"/templates/offers/{share.pk}/copy").status_code == 404
    assert alice.post(f"/templates/offers/{share.pk}/dismiss").status_code == 404
    assert stranger.post(f"/templates/{template.pk}/share", {"username": "x"}).status_code == 404
    assert stranger.post("/templates/offers/not-a-uuid/copy").status_code == 404
    assert BookingTemplate.objects.count() == 1


def test_a_share_link_is_shown_once_and_stops_when_withdrawn(alice, bob, other_member):
    template = saved(alice)
    made = alice.post(f"/templates/{template.pk}/link")
    assert made["Cache-Control"] == "no-store"
    assert not any("tennisbook.template" in key for key in dict(alice.session.items()))
    page = made.content.decode()
    url = re.search(r'id="new-link-url" value="([^"]+)"', page).group(1)
    path = url.split("testserver", 1)[1]
    assert "new-link-url" not in alice.get("/templates/").content.decode()  # once
    assert path.split("/")[-1] not in TemplateShare.objects.get().token_hash

    shown = bob.get(path)
    assert shown.status_code == 200
    assert "Tuesday singles" in shown.content.decode()
    assert bob.post(path).status_code == 302
    assert BookingTemplate.objects.filter(owner=other_member).count() == 1

    share = TemplateShare.objects.get()
    assert alice.post(f"/templates/shares/{share.pk}/withdraw").status_code == 302
    assert bob.get(path).status_code == 404
    assert bob.get(path[:-3] + "xyz").status_code == 404


def test_an_offer_is_copied_once(alice, bob, other_member):
    template = saved(alice)
    alice.post(f"/templates/{template.pk}/share", {"username": other_member.username})
    share = TemplateShare.objects.get()

    assert bob.post(f"/templates/offers/{share.pk}/copy").status_code == 302
    assert bob.post(f"/templates/offers/{share.pk}/copy").status_code == 404  # a double click

    assert BookingTemplate.objects.filter(owner=other_member).count() == 1


def test_a_link_asks_a_visitor_to_log_in_first(alice):
    template = saved(alice)
    _share, token = member_templates.share_link(template.owner, template.pk)

    answer = Client().get(f"/templates/shared/{token}")

    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/?next=")


def test_a_template_never_carries_credentials(alice):
    template = saved(alice)

    values = {f.name: getattr(template, f.name) for f in template._meta.fields}

    assert not any(str(v) == "101" or "pw-portal" in str(v) for v in values.values())


def test_copies_never_collide_with_the_recipients_own_names(alice, bob, member, other_member):
    template = saved(alice)
    for _ in range(2):
        share = member_templates.share_with(member, template.pk, other_member.username)
        member_templates.accept(other_member, share)

    copies = BookingTemplate.objects.filter(owner=other_member)
    names = sorted(copies.values_list("name", flat=True))

    assert names == [
        f"Tuesday singles (from {member.username})",
        f"Tuesday singles (from {member.username}) 2",
    ]


def test_weekdays_must_be_weekday_numbers(member):
    body = {"name": "x", "court_id": 5, "time_slot": SEVEN, "weekdays": [7]}
    with pytest.raises(InvalidValue) as caught:
        member_templates.check_template(CLUB, body)
    assert caught.value.field == "weekdays"


# --- favourites -----------------------------------------------------------------------------


def settings_form(**overrides):
    return {
        "club": CLUB,
        "portal_username": "101",
        "preferred_court": "",
        "preferred_slot": "",
    } | overrides


def test_favourites_are_saved_in_settings_and_listed_first_in_the_form(alice, member):
    answer = alice.post(
        "/settings/", settings_form(favourite_court=["7"], favourite_slot=[EIGHT, SEVEN])
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]

    config = config_services.get_user_config(str(member.pk), CLUB)
    assert config.favourite_courts == [7]
    assert config.favourite_slots == [EIGHT, SEVEN]
    page = alice.get("/book/").content.decode()
    favourites = page.index('<optgroup label="Favourites">')
    others = page.index('<optgroup label="Other courts">')
    assert favourites < page.index('<option value="7"') < others < page.index('<option value="5"')
    assert f'"favourite_slots": ["{EIGHT}", "{SEVEN}"]' in page


def test_a_favourite_that_is_not_the_clubs_is_refused(alice, member):
    bad = settings_form(favourite_court=["99"], favourite_slot=["De 11:00 PM a 11:30 PM"])
    answer = alice.post("/settings/", bad)

    assert answer.status_code == 400
    assert config_services.get_user_config(str(member.pk), CLUB).favourite_courts == []


def test_the_api_reads_and_writes_favourites(member):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(member)
    body = {
        "portal_username": "101",
        "portal_password": "pw-portal-1",
        "favourite_courts": [5],
        "favourite_slots": [SEVEN],
    }

    answer = client.post(f"/api/users/me/clubs/{CLUB}/config", body, format="json")

    assert answer.status_code in (200, 201), answer.content
    assert answer.json()["favourite_courts"] == [5]
    assert answer.json()["favourite_slots"] == [SEVEN]
