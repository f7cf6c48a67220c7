"""The booking pages through real URLs with Django's test client (the browser suite
drives the same pages in Chromium): what they render, and that the form and
``POST /api/bookings`` accept and refuse the same wishes."""

import pytest

from bookings import services
from configs import services as config_services
from tennisbook.dynamo import Unavailable
from tests.bookings.page_clients import logged_in, with_credentials
from tests.factories import CLUB, SEVEN, in_days

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]


@pytest.fixture
def alice(member):
    return with_credentials(member)


@pytest.fixture
def bob(other_member):
    return with_credentials(other_member)


def form(**overrides):
    return {"club": CLUB, "court_id": "5", "date": in_days(10), "time_slot": SEVEN} | overrides


def test_a_visitor_gets_the_landing_page_and_a_member_the_dashboard(client, member):
    landing = client.get("/")
    assert landing.status_code == 200
    assert b"Create an account" in landing.content
    dashboard = logged_in(member).get("/")
    assert b"Book a court" in dashboard.content
    assert b"Finish setting up" in dashboard.content  # no portal account yet
    assert b"Next releases" in dashboard.content


def test_a_posted_form_creates_the_request_and_lands_on_its_page(alice, member):
    body = form(partner=["Ana", ""], notes="Bring balls", on_conflict="suggest")
    body |= {"alt_court": ["7", ""], "alt_slot": [SEVEN, ""]}
    response = alice.post("/book/", body)
    assert response.status_code == 302
    assert response["Location"].endswith("?created=1")
    (item,) = services.list_requests(str(member.pk))
    assert (item.court_id, item.date, item.time_slot) == (5, in_days(10), SEVEN)
    assert [(a.court_id, a.time_slot) for a in item.alternatives] == [(7, SEVEN)]
    assert (item.partners, item.notes, item.on_conflict) == (["Ana"], "Bring balls", "suggest")
    page = alice.get(response["Location"])
    assert b"Request saved" in page.content
    assert b"What happens next" in page.content
    assert alice.get("/").content.count(item.request_id.encode()) >= 1


def test_bad_fields_come_back_next_to_the_field_they_name(alice, member):
    cases = [
        (form(date="2026-02-30"), "date-error"),
        (form(date=in_days(400)), "date-error"),
        (form(court_id="6"), "court_id-error"),
        (form(time_slot="7am"), "time_slot-error"),
        (form(alt_court="7", alt_slot="nope"), "alt-slot-0-error"),
        (form(alt_court="5", alt_slot=SEVEN), "alt-slot-0-error"),
        (form(notes="x" * 501), "notes-error"),
    ]
    for body, error_id in cases:
        response = alice.post("/book/", body)
        assert response.status_code == 400, body
        html = response.content.decode()
        box = html[html.index(f'id="{error_id}"') :].split("</p>")[0]
        assert box.split(">", 1)[1].strip(), (body, box)  # a message is in that field's box
    assert services.list_requests(str(member.pk)) == []


def test_a_slot_another_member_holds_offers_its_free_suggestions(alice, bob):
    assert alice.post("/book/", form()).status_code == 302
    response = bob.post("/book/", form())
    assert response.status_code == 409
    html = response.content.decode()
    assert "That slot is taken" in html
    assert 'class="secondary suggestion" data-court="7"' in html


def test_without_portal_credentials_the_form_says_what_to_do(member):
    client = logged_in(member)
    page = client.get("/book/")
    assert b"save your portal username and password" in page.content
    refused = client.post("/book/", form())
    assert refused.status_code == 400
    assert b"portal username and password" in refused.content


def test_the_opening_partial_says_when_the_date_opens(alice):
    opens = alice.get("/book/opening", {"club": CLUB, "court_id": 5, "date": in_days(10)})
    assert b"This date opens" in opens.content
    now_open = alice.get("/book/opening", {"club": CLUB, "court_id": 5, "date": in_days(1)})
    assert b"already open" in now_open.content
    blank = alice.get("/book/opening", {"club": CLUB, "court_id": "", "date": in_days(10)})
    assert blank.status_code == 200
    assert b"opening-text" not in blank.content  # nothing to say before a court is chosen
    bad = alice.get("/book/opening", {"club": CLUB, "court_id": 5, "date": "2026-13-01"})
    assert bad.status_code == 200
    assert b"warn" in bad.content


def test_cancel_and_retry_from_the_request_page(alice, member):
    location = alice.post("/book/", form())["Location"]
    request_id = location.split("/")[2]
    cancelled = alice.post(f"/bookings/{request_id}/cancel", follow=True)
    assert b"is cancelled" in cancelled.content
    assert services.get_request(str(member.pk), request_id).status == "cancelled"
    alice.post(f"/bookings/{request_id}/retry")
    assert services.get_request(str(member.pk), request_id).status == "pending"


def test_another_members_request_is_a_404(alice, bob):
    location = alice.post("/book/", form())["Location"]
    assert bob.get(location).status_code == 404
    assert bob.post(location.split("?")[0] + "cancel").status_code == 404


def test_a_database_outage_shows_a_page_not_a_500(alice, monkeypatch):
    def down(*args, **kwargs):
        raise Unavailable("DynamoDB does not answer")

    monkeypatch.setattr(services, "list_requests", down)
    response = alice.get("/")
    assert response.status_code == 503
    assert b"Temporarily unavailable" in response.content
    assert b"Traceback" not in response.content


def test_a_refusal_a_view_let_through_is_a_page_with_its_status(alice, monkeypatch):
    from tennisbook import pages as shared

    def refused(*args, **kwargs):
        raise shared.PageError(409, "conflict", "Someone changed this meanwhile.")

    monkeypatch.setattr(services, "list_requests", refused)
    response = alice.get("/")
    assert response.status_code == 409
    assert b"Someone changed this meanwhile." in response.content


def test_pages_ask_for_a_login(client):
    for path in ("/book/", "/settings/", "/welcome/", "/bookings/requests"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/accounts/login/" in response["Location"]


def test_a_form_posted_for_a_club_that_is_gone_books_nowhere(alice, member):
    response = alice.post("/book/", form(club="nowhere"))
    assert response.status_code == 400
    assert b"There is no enabled club" in response.content
    assert services.list_requests(str(member.pk)) == []


def test_a_booked_request_names_the_choice_the_engine_booked(alice, member):
    from tests.bookings.conftest import finish

    body = form() | {"alt_court": "7", "alt_slot": SEVEN}
    request_id = alice.post("/book/", body)["Location"].split("/")[2]
    result = {
        "choice": {"court": 7, "slot": SEVEN},
        "confirmation": {"reservation_id": "12"},
        "message": "Reservado",
    }
    finish(services.get_request(str(member.pk), request_id), "completed", result=result)
    html = alice.get(f"/bookings/{request_id}/").content.decode()
    names = {c["id"]: c["name"] for c in config_services.get_courts(CLUB)}
    assert f"Booked: {names[7]}," in html
    assert "Portal reservation number 12" in html


def test_a_finished_requests_status_stops_the_polling_and_reloads_the_page(alice, member):
    request_id = alice.post("/book/", form())["Location"].split("/")[2]
    active = alice.get(f"/bookings/{request_id}/status", HTTP_HX_REQUEST="true")
    assert active.status_code == 200
    alice.post(f"/bookings/{request_id}/cancel")
    done = alice.get(f"/bookings/{request_id}/status", HTTP_HX_REQUEST="true")
    assert done.status_code == 286
    assert done["HX-Refresh"] == "true"


def test_a_partial_asked_after_logout_sends_the_page_to_the_login(client):
    response = client.get("/bookings/requests", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/")


def test_an_alternative_without_its_slot_is_named_not_dropped(alice, member):
    response = alice.post("/book/", form(alt_court="7"))
    assert response.status_code == 400
    assert services.list_requests(str(member.pk)) == []
