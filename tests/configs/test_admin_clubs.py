"""The admin with several clubs: clubs, per-club configurations and settings, limited operators."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.test import Client

from bookings import services as booking_services
from bookings.choices import RequestStatus
from configs import clubs, services
from tennisbook.dynamo import Unavailable
from tests import factories
from tests.configs.test_admin_configs import legacy_config
from tests.factories import CLUB, EIGHT, SEVEN

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]

NORTH = "north"
NORTH_COURTS = [
    {"id": 1, "name": "North 1", "slots": [SEVEN]},
    {"id": 2, "name": "North 2", "slots": [EIGHT]},
]


@pytest.fixture
def north():
    """A second club, with courts of its own."""
    club = clubs.create_club(NORTH, "North Club", actor="test")
    services.set_system_value("courts", NORTH_COURTS, club=NORTH, actor="test")
    return club


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(operator):
    return logged_in(operator)


@pytest.fixture
def limited(operator):
    """An operator of the default club only."""
    operator.operator_clubs = [CLUB]
    operator.save()
    return logged_in(operator)


def configure(member, club, username="101"):
    services.update_user_config(
        str(member.pk), club, portal_username=username, portal_password="pw-secret-1"
    )


# --- clubs ---------------------------------------------------------------------------


def test_the_clubs_page_lists_every_club_with_its_state(admin_client, north):
    page = admin_client.get("/admin/configs/clubs/").content.decode()

    for expected in (CLUB, NORTH, "North Club", "America/Costa_Rica", "/admin/configs/clubs/add/"):
        assert expected in page
    assert f"/admin/configs/systemconfig/{NORTH}/" in page
    assert f"/admin/configs/clubs/{NORTH}/change/" in page


def test_an_operator_of_every_club_creates_a_club_copying_another(admin_client, north):
    response = admin_client.post(
        "/admin/configs/clubs/add/", {"id": "south", "name": "South Club", "copy_from": NORTH}
    )

    assert response.status_code == 302
    assert response.url == "/admin/configs/systemconfig/south/"  # its settings, to review
    created = clubs.get_club("south")
    # A copy points at the source's portal: disabled until an operator sets its own.
    assert (created.name, created.enabled) == ("South Club", False)
    assert services.get_courts("south") == NORTH_COURTS


def test_a_club_created_without_a_source_takes_the_defaults(admin_client):
    admin_client.post("/admin/configs/clubs/add/", {"id": "east", "name": "East"})

    assert clubs.club_ids() == [CLUB, "east"]
    assert services.get_courts("east") == services.get_courts(CLUB)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"id": "Bad Id", "name": "X"}, "expected a club id"),
        ({"id": CLUB, "name": "Again"}, "exists already"),
        ({"id": "west", "name": ""}, "This field is required"),
        ({"id": "west", "name": "West", "copy_from": "nowhere"}, "Select a valid choice"),
    ],
)
def test_bad_club_input_is_shown_on_the_form(admin_client, data, message):
    response = admin_client.post("/admin/configs/clubs/add/", data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert clubs.club_ids(include_unlisted=True) == [CLUB]


def test_an_operator_renames_and_disables_a_club(admin_client, north):
    url = f"/admin/configs/clubs/{NORTH}/change/"

    page = admin_client.get(url)
    saved = admin_client.post(url, {"name": "North Tennis"})  # enabled unticked

    assert page.status_code == 200
    assert b"North Club" in page.content
    assert saved.status_code == 302
    club = clubs.get_club(NORTH)
    assert (club.name, club.enabled) == ("North Tennis", False)
    assert b"takes no new requests" in admin_client.get("/admin/configs/clubs/").content


def test_a_club_renamed_to_nothing_is_refused(admin_client, north):
    response = admin_client.post(f"/admin/configs/clubs/{NORTH}/change/", {"name": "\u200b "})

    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert clubs.get_club(NORTH).name == "North Club"


def test_an_unknown_club_is_a_404(admin_client):
    assert admin_client.get("/admin/configs/clubs/nowhere/change/").status_code == 404
    assert admin_client.get("/admin/configs/clubs/NOT A CLUB/change/").status_code == 404
    assert admin_client.get("/admin/configs/systemconfig/nowhere/").status_code == 404
    assert admin_client.get(f"/admin/configs/systemconfig/{CLUB}/nothing/").status_code == 404


# --- per-club settings -----------------------------------------------------------------


def test_the_settings_page_lists_the_clubs_then_each_clubs_keys(admin_client, north):
    clubs_page = admin_client.get("/admin/configs/systemconfig/").content.decode()
    north_page = admin_client.get(f"/admin/configs/systemconfig/{NORTH}/").content.decode()

    assert f"/admin/configs/systemconfig/{CLUB}/" in clubs_page
    assert f"/admin/configs/systemconfig/{NORTH}/" in clubs_page
    assert f"/admin/configs/systemconfig/{NORTH}/courts/" in north_page
    assert "North Club" in north_page


def test_a_setting_changed_at_one_club_leaves_the_others(admin_client, north):
    good = {"max_active_requests": 2, "max_alternatives": 1, "horizon_days": 7}
    url = f"/admin/configs/systemconfig/{NORTH}/limits/"

    refused = admin_client.post(url, {"value": json.dumps({"horizon_days": 0})})
    broken = admin_client.post(url, {"value": "{not json"})
    saved = admin_client.post(url, {"value": json.dumps(good)})

    assert refused.status_code == 200
    assert b"limits.horizon_days" in refused.content
    assert b"Not valid JSON" in broken.content
    assert saved.status_code == 302
    assert saved["Location"] == f"/admin/configs/systemconfig/{NORTH}/"
    assert services.get_system_value("limits", club=NORTH) == good
    assert services.get_system_value("limits", club=CLUB)["horizon_days"] == 30


def test_the_settings_form_shows_the_clubs_own_value(admin_client, north):
    page = admin_client.get(f"/admin/configs/systemconfig/{NORTH}/courts/").content.decode()

    assert "North 2" in page
    assert "Cancha de Tenis" not in page


# --- per-club member configurations ----------------------------------------------------


def test_the_list_shows_the_club_and_filters_by_it(admin_client, member, north):
    configure(member, CLUB, "home-101")
    configure(member, NORTH, "north-101")

    every = admin_client.get("/admin/configs/userconfigs/").content.decode()
    only_north = admin_client.get(f"/admin/configs/userconfigs/?club={NORTH}").content.decode()

    assert "home-101" in every
    assert "north-101" in every
    assert f"/admin/configs/userconfigs/{member.pk}/{NORTH}/" in every
    assert "North Club" in only_north
    assert "north-101" in only_north
    assert "home-101" not in only_north


def test_a_members_configuration_is_edited_at_one_club(admin_client, member, north):
    configure(member, CLUB, "home-101")
    url = f"/admin/configs/userconfigs/{member.pk}/{NORTH}/"

    page = admin_client.get(url)
    created = admin_client.post(
        url,
        {
            "portal_username": "n-7",
            "new_portal_password": "north-pw",
            "preferred_court": "2",
            "preferred_slots": [EIGHT],
        },
    )

    assert page.status_code == 200
    assert b"North 2" in page.content
    assert b"Cancha de Tenis" not in page.content
    assert created.status_code == 302
    at_north = services.get_user_config(str(member.pk), NORTH)
    assert (at_north.portal_username, at_north.preferred_court) == ("n-7", 2)
    assert services.get_user_config(str(member.pk), CLUB).portal_username == "home-101"


@pytest.mark.parametrize(
    ("court", "slots", "message"),
    [
        ("5", [], "5 is not one of the available choices"),  # the default club's court
        ("1", [EIGHT], "is not a slot of North 1"),
    ],
)
def test_court_and_slots_are_checked_against_that_clubs_courts(
    admin_client, member, north, court, slots, message
):
    response = admin_client.post(
        f"/admin/configs/userconfigs/{member.pk}/{NORTH}/",
        {
            "portal_username": "n-7",
            "new_portal_password": "north-pw",
            "preferred_court": court,
            "preferred_slots": slots,
        },
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert services.find_user_config(str(member.pk), NORTH) is None


def test_creating_a_configuration_without_credentials_says_what_is_missing(
    admin_client, member, north
):
    response = admin_client.post(f"/admin/configs/userconfigs/{member.pk}/{NORTH}/", {})

    assert response.status_code == 200
    assert b"this field is required to create a configuration" in response.content
    assert services.find_user_config(str(member.pk), NORTH) is None


def test_deleting_a_configuration_at_one_club_keeps_the_others(admin_client, member, north):
    configure(member, CLUB)
    configure(member, NORTH)

    response = admin_client.post(f"/admin/configs/userconfigs/{member.pk}/{NORTH}/delete/")

    assert response.status_code == 302
    assert services.find_user_config(str(member.pk), NORTH) is None
    assert services.find_user_config(str(member.pk), CLUB) is not None


def test_a_configuration_at_an_unknown_club_is_a_404(admin_client, member):
    url = f"/admin/configs/userconfigs/{member.pk}/nowhere/"

    assert admin_client.get(url).status_code == 404
    assert admin_client.post(url, {"portal_username": "1"}).status_code == 404
    assert admin_client.get("/admin/configs/userconfigs/?club=nowhere").status_code == 404


# --- an operator limited to some clubs ---------------------------------------------------


def test_a_limited_operator_sees_only_their_clubs(limited, member, north):
    configure(member, CLUB, "home-101")
    configure(member, NORTH, "north-101")
    factories.user_config(club_id=NORTH, portal_username="north-orphan")

    clubs_page = limited.get("/admin/configs/clubs/").content.decode()
    settings_page = limited.get("/admin/configs/systemconfig/").content.decode()
    configs_page = limited.get("/admin/configs/userconfigs/").content.decode()
    orphans_page = limited.get("/admin/configs/userconfigs/delete-orphans/").content.decode()

    assert "North Club" not in clubs_page
    assert "/admin/configs/clubs/add/" not in clubs_page
    assert f"/admin/configs/systemconfig/{CLUB}/" in settings_page
    assert f"/admin/configs/systemconfig/{NORTH}/" not in settings_page
    assert "home-101" in configs_page
    assert "north-101" not in configs_page
    assert "north-orphan" not in configs_page
    assert "north-orphan" not in orphans_page


def test_a_limited_operator_cannot_read_or_change_another_clubs_settings(limited, north):
    before = services.get_system_value("limits", club=NORTH)
    value = json.dumps({"max_active_requests": 1, "max_alternatives": 0, "horizon_days": 1})

    responses = [
        limited.get(f"/admin/configs/systemconfig/{NORTH}/"),
        limited.get(f"/admin/configs/systemconfig/{NORTH}/limits/"),
        limited.post(f"/admin/configs/systemconfig/{NORTH}/limits/", {"value": value}),
        limited.get(f"/admin/configs/clubs/{NORTH}/change/"),
        limited.post(f"/admin/configs/clubs/{NORTH}/change/", {"name": "Taken"}),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    assert all(b"max_active_requests" not in r.content for r in responses)
    assert services.get_system_value("limits", club=NORTH) == before
    assert clubs.get_club(NORTH) == north
    assert limited.get(f"/admin/configs/systemconfig/{CLUB}/limits/").status_code == 200


def test_a_limited_operator_cannot_create_clubs(limited):
    assert limited.get("/admin/configs/clubs/add/").status_code == 403
    assert (
        limited.post("/admin/configs/clubs/add/", {"id": "rogue", "name": "R"}).status_code == 403
    )
    assert clubs.club_ids(include_unlisted=True) == [CLUB]


def test_a_limited_operator_cannot_read_or_change_another_clubs_configurations(
    limited, member, north
):
    configure(member, NORTH, "north-101")
    orphan = factories.user_config(club_id=NORTH, portal_username="north-orphan").user_id
    change = f"/admin/configs/userconfigs/{member.pk}/{NORTH}/"

    responses = [
        limited.get(change),
        limited.post(change, {"portal_username": "stolen", "new_portal_password": "pw-2"}),
        limited.get(f"{change}delete/"),
        limited.post(f"{change}delete/"),
        limited.get(f"/admin/configs/userconfigs/{orphan}/{NORTH}/delete/"),
        limited.post(f"/admin/configs/userconfigs/{orphan}/{NORTH}/delete/"),
        limited.get(f"/admin/configs/userconfigs/?club={NORTH}"),
    ]
    swept = limited.post("/admin/configs/userconfigs/delete-orphans/", follow=True)

    assert [r.status_code for r in responses] == [403] * 7
    assert all(b"north-101" not in r.content for r in responses)
    assert services.get_user_config(str(member.pk), NORTH).portal_username == "north-101"
    assert services.find_user_config(orphan, NORTH) is not None
    assert b"There were no orphan configurations." in swept.content


def test_a_limited_operator_deletes_only_their_clubs_orphans(limited, north):
    home = factories.user_config(club_id=CLUB).user_id
    away = factories.user_config(club_id=NORTH).user_id

    swept = limited.post("/admin/configs/userconfigs/delete-orphans/", follow=True)

    assert b"Deleted 1 orphan configuration(s)." in swept.content
    assert services.find_user_config(home, CLUB) is None
    assert services.find_user_config(away, NORTH) is not None


def test_legacy_items_are_left_to_operators_of_every_club(limited):
    gone = "7b0c3c1e-1111-4aaa-8bbb-000000000001"
    legacy_config(gone)

    listed = limited.get("/admin/configs/userconfigs/")
    refused = limited.post(f"/admin/configs/userconfigs/{gone}/_legacy/delete/")

    assert gone.encode() not in listed.content
    assert refused.status_code == 403
    assert [c.config_key for c in services.list_user_configs()] == [gone]


@pytest.fixture
def north_request(member, north):
    return factories.booking_request(user_id=str(member.pk), club_id=NORTH, court_id=1)


def test_a_limited_operator_cannot_read_or_change_another_clubs_requests(
    limited, member, north_request
):
    home = factories.booking_request(user_id=str(member.pk), court_id=7)
    detail = f"/admin/bookings/requests/{north_request.request_id}/"

    listed = limited.get("/admin/bookings/requests/").content.decode()
    searched = limited.get("/admin/bookings/requests/", {"q": member.username}).content.decode()
    by_id = limited.get("/admin/bookings/requests/", {"q": north_request.request_id})
    responses = [
        limited.get(detail),
        limited.post(f"{detail}status", {"status": "cancelled", "message": "nope"}),
        limited.get("/admin/bookings/requests/", {"club": NORTH}),
    ]

    assert home.request_id in listed
    assert north_request.request_id not in listed
    assert home.request_id in searched
    assert north_request.request_id not in searched
    assert "No booking requests match" in by_id.content.decode()
    assert [r.status_code for r in responses] == [404, 404, 403]
    stored = booking_services.get_request(str(member.pk), north_request.request_id)
    assert stored.status == RequestStatus.PENDING
    assert len(stored.history) == 1


def test_an_operator_of_every_club_sees_and_filters_every_clubs_requests(
    admin_client, member, north_request
):
    home = factories.booking_request(user_id=str(member.pk), court_id=7)

    every = admin_client.get("/admin/bookings/requests/").content.decode()
    only_north = admin_client.get("/admin/bookings/requests/", {"club": NORTH}).content.decode()
    detail = admin_client.get(f"/admin/bookings/requests/{north_request.request_id}/")

    assert home.request_id in every
    assert north_request.request_id in every
    assert north_request.request_id in only_north
    assert home.request_id not in only_north
    assert detail.status_code == 200
    assert NORTH in detail.content.decode()


def test_a_limited_operators_pages_fill_with_their_clubs_requests(
    limited, member, north, monkeypatch
):
    from bookings import admin as bookings_admin

    home = [factories.booking_request(user_id=str(member.pk), court_id=7) for _ in range(3)]
    away = [factories.booking_request(user_id=str(member.pk), club_id=NORTH) for _ in range(3)]
    monkeypatch.setattr(bookings_admin, "PAGE_SIZE", 2)

    first = limited.get("/admin/bookings/requests/").content.decode()
    cursor = html.unescape(re.search(r'after=([^"]+)">older', first).group(1))
    second = limited.get(f"/admin/bookings/requests/?after={cursor}")
    pages = first + second.content.decode()

    assert sum(item.request_id in first for item in home) == 2
    assert all(item.request_id in pages for item in home)
    assert not any(item.request_id in pages for item in away)


def test_every_admin_page_of_a_club_renders(superuser_client, member, north):
    from configs import system_keys

    configure(member, NORTH)
    pages = [
        "/admin/",
        "/admin/configs/clubs/",
        "/admin/configs/clubs/add/",
        f"/admin/configs/clubs/{NORTH}/change/",
        "/admin/configs/systemconfig/",
        f"/admin/configs/systemconfig/{NORTH}/",
        *(f"/admin/configs/systemconfig/{NORTH}/{key}/" for key in system_keys.KEYS),
        f"/admin/configs/userconfigs/?club={NORTH}&q=alice&orphans=1&page=x",
        f"/admin/configs/userconfigs/{member.pk}/{NORTH}/",
        f"/admin/configs/userconfigs/{member.pk}/{NORTH}/delete/",
        "/admin/configs/userconfigs/delete-orphans/",
        f"/admin/bookings/requests/?club={NORTH}&status=pending",
        f"/admin/accounts/user/{member.pk}/change/",
    ]

    assert {page: superuser_client.get(page).status_code for page in pages} == dict.fromkeys(
        pages, 200
    )


def test_dynamodb_down_on_the_club_pages_is_a_message_not_a_500(admin_client, monkeypatch):
    def down(*args, **kwargs):
        raise Unavailable("DynamoDB at test cannot be reached.")

    services.forget_cached_settings()
    for name in ("all", "find", "get_many", "scan"):
        monkeypatch.setattr(services.system_configs, name, down)
    pages = [
        "/admin/configs/clubs/",
        "/admin/configs/clubs/add/",
        f"/admin/configs/clubs/{CLUB}/change/",
        "/admin/configs/systemconfig/",
        f"/admin/configs/systemconfig/{CLUB}/",
        f"/admin/configs/systemconfig/{CLUB}/limits/",
        "/admin/configs/userconfigs/",
        "/admin/bookings/requests/",
    ]

    answers = {page: admin_client.get(page, follow=True) for page in pages}

    assert {page: r.status_code for page, r in answers.items()} == dict.fromkeys(pages, 200)
    assert all(b"unavailable" in r.content for r in answers.values())
