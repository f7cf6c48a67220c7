"""A request's page through Django's test client: what the engine did, its evidence, the edit.

The browser suite (tests/pages/test_request_detail.py) drives the same
pages against real engine runs; these pin down what they render from a
stored result, who may see the evidence, and how an edit is saved or
refused.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bookings import services, workflow
from bookings.choices import RequestStatus
from bookings.workflow.editing import NOT_PENDING
from configs import services as config_services
from tests.bookings.conftest import finish
from tests.bookings.page_clients import logged_in, with_credentials
from tests.factories import CLUB, EIGHT, SEVEN, in_days

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]

NINE = "De 09:00 AM a 10:00 AM"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
COURT_5, COURT_7 = "Cancha de Tenis 1", "Cancha de Tenis 2"


@pytest.fixture
def alice(member):
    return with_credentials(member)


@pytest.fixture
def bob(other_member):
    return with_credentials(other_member)


@pytest.fixture
def names():
    return {c["id"]: c["name"] for c in config_services.get_courts(CLUB)}


def form(**overrides):
    return {"club": CLUB, "court_id": "5", "date": in_days(10), "time_slot": SEVEN} | overrides


def create(client, **overrides) -> str:
    response = client.post("/book/", form(**overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"].split("/")[2]


def booked_result(release_at: str) -> dict:
    """What ``BookingResult.to_dict`` stores for a booking that needed an alternative."""
    return {
        "outcome": "booked",
        "ok": True,
        "message": "Reservación realizada",
        "reason": "Booked and confirmed in your reservation list.",
        "choice": {"court": 7, "slot": SEVEN},
        "confirmation": {"reservation_id": "41", "row": {"id": "41"}},
        "verified": True,
        "attempts": [
            {
                "choice": {"court": 5, "slot": SEVEN},
                "path": "door",
                "outcome": "slot_taken",
                "message": "Espacio no disponible",
                "sent_at_ns": 1,
                "portal_sent_ns": 2,
                "ms_after_release": 3.25,
                "round_trip_ms": 41.5,
                "http_status": 200,
            },
            {
                "choice": {"court": 7, "slot": SEVEN},
                "path": "replay",
                "outcome": "success",
                "message": "Reservación realizada",
                "sent_at_ns": 3,
                "portal_sent_ns": 4,
                "ms_after_release": -1.5,
                "round_trip_ms": 1234.0,
                "http_status": None,
            },
        ],
        "timings": [
            {"step": "login", "ms": 812.4},
            {"step": "open_form", "ms": 120.0, "court": 5},
            {"step": "clock_sync", "ms": 240.5},
            {"step": "wait", "ms": 4100.0},
            {"step": "submit", "ms": 41.5, "path": "door", "choice": SEVEN},
            {"step": "verify", "ms": 95.0, "error": "TimeoutException"},
        ],
        "clock": {"offset_ms": 12.3, "uncertainty_ms": 0.4, "probes": 8, "sync_ms": 240.5},
        "evidence": {},
        "release_at": release_at,
        "detail": "door: warm-up failed",
        "release_to_confirmation_ms": 1232.5,
    }


@pytest.fixture
def evidence_dir(settings, tmp_path):
    settings.BOOKER_EVIDENCE_DIR = tmp_path / "evidence"
    settings.BOOKER_EVIDENCE_DIR.mkdir()
    return settings.BOOKER_EVIDENCE_DIR


@pytest.fixture
def failed(alice, member, evidence_dir):
    """alice's request, failed at the login with a screenshot and the page kept."""
    request_id = create(alice)
    run = evidence_dir / request_id
    run.mkdir()
    (run / "login.png").write_bytes(PNG)
    (run / "login.html").write_text("<p>Clave incorrecta</p><script>steal()</script>")
    result = {
        "outcome": "login_failed",
        "ok": False,
        "message": "Usuario o clave incorrectos",
        "reason": "The portal refused your username or password.",
        "attempts": [],
        "timings": [{"step": "launch", "ms": 300.0}, {"step": "login", "ms": 450.0}],
        "clock": None,
        "evidence": {"screenshot": str(run / "login.png"), "html": str(run / "login.html")},
        "detail": "LoginFailed: the portal said 'Usuario o clave incorrectos'",
    }
    item = services.get_request(str(member.pk), request_id)
    finish(item, "failed", result=result, message=result["message"], reason="bad_credentials")
    return request_id


# --- what the engine did ------------------------------------------------------------------


def test_a_booked_request_shows_each_attempt_the_steps_and_the_clock(alice, member, names):
    request_id = create(alice, alt_court="7", alt_slot=SEVEN)
    item = services.get_request(str(member.pk), request_id)
    finish(item, "completed", result=booked_result(item.fire_at.isoformat()), message="ok")

    html = alice.get(f"/bookings/{request_id}/").content.decode()

    table = html[html.index('id="attempts"') : html.index("</table>")]
    assert table.count('class="attempt ') == 2
    assert f'{names[5]}<span class="cell-more">{SEVEN}</span>' in table
    assert f'{names[7]}<span class="cell-more">{SEVEN}</span>' in table
    assert 'Direct HTTP<span class="cell-more">the portal&#x27;s booking API</span>' in table
    assert 'Direct HTTP<span class="cell-more">the booking form, replayed</span>' in table
    assert "Already taken" in table
    assert "Accepted" in table
    assert "The portal said: “Espacio no disponible”" in table
    assert ">3.25 ms<" in table
    assert ">1.5 ms before it<" in table
    assert "1,234 ms (1.2 s)" in table
    assert ">200<" in table
    assert ">none<" in table
    timeline = html[html.index('id="timeline"') : html.index("</ol>", html.index('id="timeline"'))]
    labels = [
        "Logging in to the portal",
        f"Opening the booking form: {names[5]}",
        "Measuring the portal&#x27;s clock",
        "Waiting for the release",
        f"Submitting {SEVEN} by direct HTTP (the portal&#x27;s booking API)",
        "Confirming the booking in your reservations",
    ]
    positions = [timeline.index(label) for label in labels]
    assert positions == sorted(positions)  # in the order the engine ran them
    assert 'style="width: 100.0%"' in timeline  # the longest step (the wait)
    assert 'style="width: 19.8%"' in timeline  # the login: 812.4 of 4100 ms
    assert "4,100 ms (4.1 s)" in timeline
    assert "812.4 ms" in timeline
    assert "stopped with an error" in timeline
    assert "TimeoutException" not in html
    assert "The portal&#x27;s clock was 12.3 ms ahead of tennisbook&#x27;s, ± 0.4 ms." in html
    assert "measured with 8 probes in 240.5 ms" in html
    assert "<dd>1,232 ms (1.2 s)</dd>" in html  # release to confirmation
    assert "door: warm-up failed" not in html  # the operators' detail
    assert "For operators" not in html
    assert f"Booked: {names[7]}," in html  # the alternative the engine got


def test_a_clock_behind_is_said_so(alice, member):
    request_id = create(alice)
    result = booked_result("2026-12-02T06:00:00+00:00") | {
        "clock": {"offset_ms": -850.0, "uncertainty_ms": 2.5}
    }
    finish(services.get_request(str(member.pk), request_id), "completed", result=result)
    html = alice.get(f"/bookings/{request_id}/").content.decode()
    assert "was 850 ms behind tennisbook&#x27;s, ± 2.5 ms." in html


def test_a_result_with_odd_values_is_shown_as_far_as_it_can_be_read(alice, member):
    request_id = create(alice)
    result = {
        "outcome": "error",
        "ok": False,
        "attempts": ["nonsense", {"choice": "x", "ms_after_release": "soon"}],
        "timings": [{"step": "mystery_step", "ms": 5}, {"step": "bad", "ms": "?"}, 7],
        "clock": {"offset_ms": "?"},
        "release_at": "not a date",
    }
    finish(services.get_request(str(member.pk), request_id), "failed", result=result)
    response = alice.get(f"/bookings/{request_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mystery step" in html
    assert html.count('class="attempt ') == 1
    assert 'id="clock-offset"' not in html


def test_a_pending_request_has_no_report_yet(alice):
    request_id = create(alice)
    html = alice.get(f"/bookings/{request_id}/").content.decode()
    assert 'id="run-report"' not in html
    assert 'id="edit-request"' in html


# --- the failure's evidence ----------------------------------------------------------------


def test_a_failure_shows_its_screenshot_and_the_portals_message(alice, failed):
    html = alice.get(f"/bookings/{failed}/").content.decode()
    url = f"/bookings/{failed}/evidence/screenshot"
    assert f'<img src="{url}"' in html
    assert "s portal page when the booking failed, saying “Usuario o clave incorrectos”" in html
    assert f'<a href="{url}" target="_blank" rel="noopener">Open it full size' in html
    assert f'href="/bookings/{failed}/evidence/html"' in html
    assert "Usuario o clave incorrectos" in html
    assert "The portal refused your username or password." in html
    assert "LoginFailed" not in html  # operators only
    assert 'id="edit-request"' not in html  # no longer pending
    assert f'action="/bookings/{failed}/retry"' in html


def test_the_screenshot_is_served_to_its_member_privately(alice, failed):
    response = alice.get(f"/bookings/{failed}/evidence/screenshot")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    page = alice.get(f"/bookings/{failed}/evidence/html")
    assert page["Content-Type"].startswith("text/html")
    assert page["Content-Security-Policy"].startswith("sandbox")  # its script never runs here
    assert page["Cache-Control"] == "private, no-store"


def test_another_member_gets_a_404_for_the_page_and_the_evidence(bob, failed):
    for path in (
        f"/bookings/{failed}/",
        f"/bookings/{failed}/status",
        f"/bookings/{failed}/evidence/screenshot",
        f"/bookings/{failed}/evidence/html",
        f"/bookings/{failed}/edit",
    ):
        assert bob.get(path).status_code == 404, path


def test_made_up_ids_and_names_are_404s(alice, failed):
    assert alice.get("/bookings/00000000-0000-4000-8000-000000000000/").status_code == 404
    made_up = "/bookings/00000000-0000-4000-8000-000000000000/evidence/screenshot"
    assert alice.get(made_up).status_code == 404
    assert alice.get(f"/bookings/{failed}/evidence/passwords").status_code == 404
    assert alice.get(f"/bookings/{failed}/evidence/..%2F..%2Fsettings").status_code == 404
    assert alice.get("/bookings/not-a-uuid/evidence/screenshot").status_code == 404


def test_evidence_gone_from_the_server_is_a_404_and_is_not_shown(alice, failed, evidence_dir):
    (evidence_dir / failed / "login.png").unlink()
    assert alice.get(f"/bookings/{failed}/evidence/screenshot").status_code == 404
    assert "<img" not in alice.get(f"/bookings/{failed}/").content.decode()


def test_a_stored_path_outside_the_evidence_directory_is_never_served(
    alice, member, evidence_dir, tmp_path
):
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    request_id = create(alice)
    result = {"outcome": "error", "ok": False, "evidence": {"screenshot": str(secret)}}
    finish(services.get_request(str(member.pk), request_id), "failed", result=result)
    assert alice.get(f"/bookings/{request_id}/evidence/screenshot").status_code == 404


def test_an_operator_sees_the_members_page_the_screenshot_and_the_detail(failed, operator, member):
    staff = logged_in(operator)
    html = staff.get(f"/bookings/{failed}/").content.decode()
    assert "LoginFailed: the portal said" in html
    assert f"You are looking at {member.username}'s request" in html
    assert 'action="/bookings/' not in html  # the member's own actions are the member's
    shot = staff.get(f"/bookings/{failed}/evidence/screenshot")
    assert shot.status_code == 200
    assert shot["Cache-Control"] == "private, no-store"


def test_an_operator_of_another_club_gets_a_404(failed, django_user_model):
    elsewhere = django_user_model.objects.create_user(
        "dora", "dora@example.test", "dora-password-1", is_staff=True, operator_clubs=["other"]
    )
    staff = logged_in(elsewhere)
    assert staff.get(f"/bookings/{failed}/").status_code == 404
    assert staff.get(f"/bookings/{failed}/evidence/screenshot").status_code == 404


def test_a_visitor_is_sent_to_log_in(client, failed):
    response = client.get(f"/bookings/{failed}/evidence/screenshot")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_failed_request_is_tried_again_from_its_page(alice, failed, member):
    response = alice.post(f"/bookings/{failed}/retry", follow=True)
    assert b"The request is pending again." in response.content
    assert services.get_request(str(member.pk), failed).status == RequestStatus.PENDING.value
    assert b"The last try" in response.content  # the failed run stays readable meanwhile


# --- editing ----------------------------------------------------------------------------------


def test_the_edit_form_is_the_booking_form_filled_with_the_request(alice):
    request_id = create(
        alice,
        alt_court=["7"],
        alt_slot=[EIGHT],
        partner=["Ana", "Luis"],
        notes="Bring balls",
        on_conflict="queue",
    )
    page = alice.get(f"/bookings/{request_id}/edit")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1" in html
    assert "Edit your request" in html
    assert f'action="/bookings/{request_id}/edit"' in html
    assert 'name="version" value="' in html
    assert 'data-prefilled="1"' in html
    assert "Save changes" in html
    assert "Ask for this court" not in html
    assert '<option value="5" selected' in html
    assert f'value="{in_days(10)}"' in html
    assert f'<option value="{SEVEN}" selected>' in html
    assert 'value="Ana"' in html
    assert 'value="Luis"' in html
    assert ">Bring balls</textarea>" in html
    assert 'id="on_conflict-queue" name="on_conflict" value="queue" checked' in html
    assert f'<option value="{EIGHT}" selected' in html  # the alternative's row
    assert 'id="club-switch"' not in html


def test_saving_partners_and_notes_keeps_the_request(alice, member):
    request_id = create(alice)
    page = alice.get(f"/bookings/{request_id}/edit").content.decode()
    version = page.split('name="version" value="')[1].split('"')[0]

    response = alice.post(
        f"/bookings/{request_id}/edit",
        form(version=version, partner=["Ana"], notes="Doubles", on_conflict="suggest"),
        follow=True,
    )

    assert response.redirect_chain[-1][0] == f"/bookings/{request_id}/?edited=1"
    assert b"Your changes are saved." in response.content
    item = services.get_request(str(member.pk), request_id)
    assert (item.partners, item.notes) == (["Ana"], "Doubles")
    assert b"edited: partners, notes" in response.content


def test_saving_a_new_slot_replaces_the_request_and_links_both(alice, member):
    request_id = create(alice)
    version = str(services.get_request(str(member.pk), request_id).version)

    response = alice.post(
        f"/bookings/{request_id}/edit",
        form(version=version, time_slot=EIGHT, on_conflict="suggest"),
        follow=True,
    )

    new_id = response.redirect_chain[-1][0].split("/")[2]
    assert new_id != request_id
    html = response.content.decode()
    assert "this one replaces the one you edited" in html
    assert f'<a href="/bookings/{request_id}/">replaces request {request_id[:8]}</a>' in html
    old = alice.get(f"/bookings/{request_id}/").content.decode()
    assert f'<a href="/bookings/{new_id}/">replaced by request {new_id[:8]}</a>' in old
    assert services.get_request(str(member.pk), request_id).status == "cancelled"
    assert services.get_request(str(member.pk), new_id).time_slot == EIGHT


def test_a_request_left_to_the_clubs_policy_stays_so(alice, member):
    request_id = create(alice, on_conflict="")
    item = services.get_request(str(member.pk), request_id)
    assert item.on_conflict is None
    response = alice.post(
        f"/bookings/{request_id}/edit",
        form(version=str(item.version), on_conflict="suggest"),  # what the form showed
        follow=True,
    )
    assert b"Nothing changed" in response.content
    assert services.get_request(str(member.pk), request_id).on_conflict is None


def test_a_new_slot_another_member_holds_comes_back_with_suggestions(alice, bob, member):
    create(bob, time_slot=EIGHT)
    request_id = create(alice)
    version = str(services.get_request(str(member.pk), request_id).version)

    response = alice.post(
        f"/bookings/{request_id}/edit",
        form(version=version, time_slot=EIGHT, on_conflict="suggest"),
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "That slot is taken" in html
    assert 'class="secondary suggestion" data-court="7"' in html
    assert f'action="/bookings/{request_id}/edit"' in html  # a suggestion edits, not books
    item = services.get_request(str(member.pk), request_id)
    assert (item.status, item.time_slot) == ("pending", SEVEN)
    assert len(services.list_requests(str(member.pk))) == 1


def test_a_bad_field_comes_back_next_to_it(alice, member):
    request_id = create(alice)
    version = str(services.get_request(str(member.pk), request_id).version)
    response = alice.post(f"/bookings/{request_id}/edit", form(version=version, date="2026-02-30"))
    assert response.status_code == 400
    html = response.content.decode()
    box = html[html.index('id="date-error"') :].split("</p>")[0]
    assert box.split(">", 1)[1].strip()
    assert 'value="2026-02-30"' in html  # what the member typed stays
    assert services.get_request(str(member.pk), request_id).date == in_days(10)


def test_an_edit_from_a_stale_form_is_refused_and_nothing_is_saved(alice, member):
    request_id = create(alice)
    version = str(services.get_request(str(member.pk), request_id).version)
    alice.post(f"/bookings/{request_id}/edit", form(version=version, notes="From tab one"))

    response = alice.post(
        f"/bookings/{request_id}/edit", form(version=version, notes="From tab two"), follow=True
    )

    assert b"changed since you opened it" in response.content
    assert services.get_request(str(member.pk), request_id).notes == "From tab one"


def test_a_request_that_started_cannot_be_edited(alice, member):
    request_id = create(alice)
    item = services.get_request(str(member.pk), request_id)
    version = str(item.version)
    workflow.take(item, "worker-1", timedelta(seconds=30))

    shown = alice.get(f"/bookings/{request_id}/edit", follow=True)
    posted = alice.post(
        f"/bookings/{request_id}/edit", form(version=version, notes="Late"), follow=True
    )

    for response in (shown, posted):
        assert response.redirect_chain[-1][0] == f"/bookings/{request_id}/"
        assert NOT_PENDING.encode() in response.content.replace(b"&#x27;", b"'")
    assert b'id="edit-request"' not in shown.content
    assert services.get_request(str(member.pk), request_id).notes is None


# --- a partner who is a member --------------------------------------------------------------


def test_a_partner_who_is_a_member_reads_the_page_but_not_the_evidence_or_the_actions(
    alice, bob, member, evidence_dir
):
    request_id = create(alice, partner=["@bob", "a guest"])
    page = bob.get(f"/bookings/{request_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="partner-view"' in text
    assert "alice named you as a partner" in text
    for action in ("/cancel", "/edit"):
        assert f"/bookings/{request_id}{action}" not in text, action
    assert bob.post(f"/bookings/{request_id}/cancel").status_code == 404
    assert bob.get(f"/bookings/{request_id}/edit").status_code == 404
    assert services.get_request(str(member.pk), request_id).status == RequestStatus.PENDING
    # Its evidence stays the owner's (and operators').
    run = evidence_dir / request_id
    run.mkdir()
    (run / "login.png").write_bytes(PNG)
    item = services.get_request(str(member.pk), request_id)
    finish(
        item,
        "failed",
        result={
            "outcome": "login_failed",
            "ok": False,
            "message": "Usuario o clave incorrectos",
            "attempts": [],
            "timings": [],
            "evidence": {"screenshot": str(run / "login.png")},
        },
        message="Usuario o clave incorrectos",
        reason="bad_credentials",
    )
    shown = bob.get(f"/bookings/{request_id}/").content.decode()
    assert "Usuario o clave incorrectos" in shown
    assert "evidence/screenshot" not in shown
    assert bob.get(f"/bookings/{request_id}/evidence/screenshot").status_code == 404
    assert alice.get(f"/bookings/{request_id}/evidence/screenshot").status_code == 200


def test_a_partner_named_in_free_text_gives_that_username_no_access(alice, bob):
    """Anyone may register "bob": only an explicit @mention lets a member follow a request."""
    request_id = create(alice, partner=["bob", "Bob the coach"])
    assert bob.get(f"/bookings/{request_id}/").status_code == 404


def test_the_page_says_when_a_late_portal_opened(alice, member):
    request_id = create(alice)
    item = services.get_request(str(member.pk), request_id)
    finish(
        item,
        "completed",
        result={
            "outcome": "booked",
            "ok": True,
            "attempts": [],
            "timings": [],
            "opened": {"not_open_until_ms": 5980.4, "open_by_ms": 6310.2, "not_open_replies": 31},
        },
    )

    page = alice.get(f"/bookings/{request_id}/").content.decode()

    assert "The portal opened" in page
    assert "between +5.98 s and +6.31 s after the release" in page
