"""Editing one template together: who may, versions, the event after the commit, the page.

Alice owns "Tuesday singles" and shares it with Bob by username; Cleo
holds a link share (and copied it); Dan is a stranger. Alice and Bob may
edit it, Cleo and Dan get 404. A save drawn from an older version is
refused naming who changed it; a save that lands publishes
``template.changed`` once the transaction commits, and a Redis that is down
fails nothing. The browser suite (tests/pages/test_template_coediting.py)
runs two members' pages against each other.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from structlog.testing import capture_logs

from accounts.models import BookingTemplate, TemplateShare
from bookings import member_templates, template_editing
from bookings.member_templates import NoSuchTemplate
from bookings.template_editing import StaleTemplate
from realtime import broadcast
from tennisbook.values import InvalidValue
from tests.bookings.page_clients import logged_in
from tests.factories import CLUB, EIGHT, SEVEN

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]


@pytest.fixture(autouse=True)
def fresh_log():
    """Each test reads only its own events (the in-memory log of the test settings)."""
    broadcast.event_log.cache_clear()
    yield
    broadcast.event_log.cache_clear()


@pytest.fixture
def alice(member):
    return member


@pytest.fixture
def bob(other_member):
    return other_member


@pytest.fixture
def cleo(django_user_model):
    return django_user_model.objects.create_user("cleo", "cleo@example.test", "cleo-password-1")


@pytest.fixture
def dan(django_user_model):
    return django_user_model.objects.create_user("dan", "dan@example.test", "dan-password-1")


@pytest.fixture
def template(alice, bob, cleo):
    """Alice's template, shared with Bob by username and with Cleo by a link she copied."""
    made = BookingTemplate.objects.create(
        owner=alice,
        club_id=CLUB,
        name="Tuesday singles",
        court_id=5,
        time_slot=SEVEN,
        alternatives=[{"court_id": 7, "time_slot": SEVEN}],
        partners=["Ana"],
        notes="Bring balls",
        on_conflict="suggest",
        weekdays=[1],
    )
    TemplateShare.objects.create(template=made, recipient=bob)
    share, _token = member_templates.share_link(alice, made.pk)
    member_templates.accept(cleo, share)
    return made


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def body(**changes) -> dict:
    """The template's fields as the edit form sends them, with ``changes``."""
    return {
        "name": "Tuesday singles",
        "court_id": 5,
        "time_slot": SEVEN,
        "alternatives": [{"court_id": 7, "time_slot": SEVEN}],
        "partners": ["Ana"],
        "notes": "Bring balls",
        "on_conflict": "suggest",
        "weekdays": [1],
    } | changes


def events(template) -> list[dict]:
    return broadcast.event_log().after(broadcast.template_stream(template.pk), 0).events


def form(version, base=None, **changes) -> dict:
    """The edit page's POST: its fields, the version and the copy it was drawn from."""
    fields = {
        "name": "Tuesday singles",
        "court_id": "5",
        "time_slot": SEVEN,
        "alt_court": ["7", ""],
        "alt_slot": [SEVEN, ""],
        "partner": ["Ana", "", ""],
        "notes": "Bring balls",
        "on_conflict": "suggest",
        "weekday": ["1"],
    } | changes
    return fields | {"version": str(version), "base": json.dumps(base or {})}


def edit_url(template) -> str:
    return f"/templates/{template.pk}/edit"


# --- who may edit -----------------------------------------------------------------------


def test_the_owner_edits_and_the_version_counts_up(alice, template, committed):
    with committed():
        edited = template_editing.edit_template(alice, template.pk, body(notes="New balls"), 1)

    template.refresh_from_db()
    assert edited.fields == ["notes"]
    assert (template.notes, template.version, template.updated_by) == ("New balls", 2, alice)


def test_a_member_it_is_shared_with_by_username_edits_the_template_itself(bob, template, committed):
    with committed():
        template_editing.edit_template(bob, template.pk, body(time_slot=EIGHT, weekdays=[1, 3]), 1)

    template.refresh_from_db()
    assert (template.time_slot, template.weekdays, template.updated_by) == (EIGHT, [1, 3], bob)
    assert template.owner.username == "alice"  # still hers: Bob changed it, he did not copy it
    assert BookingTemplate.objects.filter(owner=bob).count() == 0


def test_a_link_holder_and_a_stranger_find_no_such_template(cleo, dan, template):
    for who in (cleo, dan):
        with pytest.raises(NoSuchTemplate):
            template_editing.editable_template(who, template.pk)
        with pytest.raises(NoSuchTemplate):
            template_editing.edit_template(who, template.pk, body(notes="Mine now"), 1)
        assert logged_in(who).get(edit_url(template)).status_code == 404
        assert logged_in(who).post(edit_url(template), form(1, notes="x")).status_code == 404
    template.refresh_from_db()
    assert (template.notes, template.version) == ("Bring balls", 1)


def test_an_id_that_is_no_template_answers_404(alice):
    assert (
        logged_in(alice).get("/templates/0e6b7ad2-74a5-4bb5-9b7e-0d1e0dbd4a57/edit").status_code
        == 404
    )
    with pytest.raises(NoSuchTemplate):
        template_editing.editable_template(alice, "not-a-uuid")


def test_a_withdrawn_share_ends_editing_together(alice, bob, template):
    share = TemplateShare.objects.get(template=template, recipient=bob)
    member_templates.withdraw(alice, share.pk)

    assert logged_in(bob).get(edit_url(template)).status_code == 404


def test_deleting_and_sharing_stay_the_owners(bob, template):
    client = logged_in(bob)

    assert client.post(f"/templates/{template.pk}/delete").status_code == 404
    assert client.post(f"/templates/{template.pk}/share", {"username": "dan"}).status_code == 404
    assert client.post(f"/templates/{template.pk}/link").status_code == 404
    share = TemplateShare.objects.get(template=template, recipient=bob)
    assert client.post(f"/templates/shares/{share.pk}/withdraw").status_code == 404
    assert BookingTemplate.objects.filter(pk=template.pk).exists()
    assert template.shares.count() == 2


# --- versions -----------------------------------------------------------------------------


def test_a_save_from_a_stale_version_is_refused_naming_who_changed_it(
    alice, bob, template, committed
):
    with committed():
        template_editing.edit_template(bob, template.pk, body(notes="Bob's balls"), 1)

    with pytest.raises(StaleTemplate) as refused:
        template_editing.edit_template(alice, template.pk, body(notes="Alice's balls"), 1)

    assert refused.value.by == "bob"
    assert "bob changed this template meanwhile; nothing was saved" in refused.value.message
    assert refused.value.fields == ["notes"]
    assert refused.value.template.version == 2
    template.refresh_from_db()
    assert (template.notes, template.version, template.updated_by) == ("Bob's balls", 2, bob)


def test_a_replacement_by_name_counts_as_a_version_too(alice, bob, template, committed):
    # The owner's "Save as template" under the same name replaces it through save().
    member_templates.save_template(alice, CLUB, body(notes="Replaced"))

    with pytest.raises(StaleTemplate):
        template_editing.edit_template(bob, template.pk, body(notes="Bob's"), 1)
    template.refresh_from_db()
    assert (template.notes, template.version) == ("Replaced", 2)


def test_a_replacement_by_name_tells_the_open_editing_pages(
    alice, template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        member_templates.save_template(alice, CLUB, body(notes="Replaced"))

    [event] = events(template)
    data = event["data"]
    assert (event["kind"], data["version"], data["by"]) == ("template.changed", 2, "alice")
    assert (data["fields"], data["values"]) == (["notes"], {"notes": "Replaced"})
    template.refresh_from_db()
    assert template.updated_by == alice


def test_a_replacement_by_name_that_changes_nothing_writes_and_tells_nothing(
    alice, template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        member_templates.save_template(alice, CLUB, body())

    template.refresh_from_db()
    assert (template.version, template.updated_by) == (1, None)
    assert events(template) == []
    # so a co-editor's page, opened at version 1, still saves
    edited = template_editing.edit_template(alice, template.pk, body(notes="court 5 please"), 1)
    assert edited.fields == ["notes"]


def test_a_save_that_changes_nothing_writes_and_tells_nothing(alice, template, committed):
    with committed():
        edited = template_editing.edit_template(alice, template.pk, body(), 1)

    assert edited.fields == []
    template.refresh_from_db()
    assert (template.version, template.updated_by) == (1, None)
    assert events(template) == []


@pytest.mark.parametrize("version", ["", "0", "two", None])
def test_a_form_without_its_version_is_refused(alice, template, version):
    with pytest.raises(InvalidValue) as refused:
        template_editing.edit_template(alice, template.pk, body(notes="x"), version)
    assert refused.value.field == "version"


# --- the event ------------------------------------------------------------------------------


def test_the_change_is_published_after_the_commit_with_its_data(
    bob, template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        template_editing.edit_template(
            bob, template.pk, body(notes="Bob's balls", partners=["Ana", "Eve"]), 1
        )
        assert events(template) == []  # nothing before the commit

    assert len(callbacks) == 1
    callbacks[0]()
    [event] = events(template)
    assert event["kind"] == "template.changed"
    data = event["data"]
    assert data["template_id"] == str(template.pk)
    assert (data["version"], data["by"]) == (2, "bob")
    assert data["fields"] == ["partners", "notes"]
    assert data["values"] == {"partners": ["Ana", "Eve"], "notes": "Bob's balls"}
    template.refresh_from_db()
    assert data["at"] == template.updated_at.isoformat()


def test_a_redis_that_is_down_does_not_fail_the_save(alice, template, settings, committed):
    settings.REALTIME_LOG_BACKEND = "redis"
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there
    broadcast.event_log.cache_clear()

    with capture_logs() as logged, committed():
        edited = template_editing.edit_template(alice, template.pk, body(notes="Still saved"), 1)

    assert edited.fields == ["notes"]
    failed = [line for line in logged if line["event"] == "template.publish_failed"]
    assert [(line["template_id"], line["version"]) for line in failed] == [(str(template.pk), 2)]
    template.refresh_from_db()
    assert (template.notes, template.version) == ("Still saved", 2)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"court_id": 99}, "court_id"),
        ({"time_slot": "De 11:00 PM a 11:30 PM"}, "time_slot"),
        ({"alternatives": [{"court_id": 5, "time_slot": SEVEN}]}, "alternatives[0]"),
        ({"notes": "x" * 501}, "notes"),
        ({"weekdays": [7]}, "weekdays"),
        ({"on_conflict": "shove"}, "on_conflict"),
    ],
)
def test_bad_input_is_refused_naming_the_field(bob, template, changes, field):
    with pytest.raises(InvalidValue) as refused:
        template_editing.edit_template(bob, template.pk, body(**changes), 1)

    assert refused.value.field == field
    template.refresh_from_db()
    assert template.version == 1


def test_a_name_the_owner_keeps_already_is_refused(alice, bob, template):
    BookingTemplate.objects.create(
        owner=alice, club_id=CLUB, name="Fridays", court_id=7, time_slot=EIGHT
    )

    with pytest.raises(InvalidValue) as refused:
        template_editing.edit_template(bob, template.pk, body(name="Fridays"), 1)

    assert refused.value.field == "name"
    assert "alice keeps another template of this name" in refused.value.message


# --- after a refusal: the three-way redraw ---------------------------------------------------


def test_a_redraw_takes_theirs_where_i_changed_nothing_and_flags_what_we_both_changed():
    base = body()
    mine = body(name="Mine", notes="My notes")
    current = body(notes="Their notes", partners=["Eve"])

    rebased = template_editing.rebase(base, mine, current)

    assert rebased.values == body(name="Mine", notes="My notes", partners=["Eve"])
    assert rebased.theirs == ["partners"]
    assert rebased.conflicts == ["notes"]


def test_a_redraw_without_the_forms_copy_calls_every_difference_a_conflict():
    rebased = template_editing.rebase(None, body(notes="Mine"), body(partners=["Eve"]))

    assert rebased.values == body(notes="Mine")
    assert rebased.conflicts == ["partners", "notes"]


# --- the page -------------------------------------------------------------------------------


def test_the_edit_page_shows_the_template_with_its_version(bob, template):
    page = logged_in(bob).get(edit_url(template)).content.decode()

    assert "Edit together: “Tuesday singles”" in page
    assert 'name="version" id="edit-version" value="1"' in page
    assert "Bring balls</textarea>" in page
    assert "Only alice may share or delete it." in page
    assert 'src="/static/js/template-edit.js"' in page or "js/template-edit" in page


def test_saving_on_the_page_lands_and_says_what_changed(bob, template, committed):
    client = logged_in(bob)
    with committed():
        answer = client.post(edit_url(template), form(1, notes="Bob's balls", weekday=["1", "4"]))

    assert answer.status_code == 302
    assert answer["Location"] == edit_url(template)
    page = client.get(edit_url(template)).content.decode()
    assert "Saved your changes (notes, weekdays)." in page
    template.refresh_from_db()
    assert (template.notes, template.weekdays, template.version) == ("Bob's balls", [1, 4], 2)
    assert [e["data"]["fields"] for e in events(template)] == [["notes", "weekdays"]]


@pytest.mark.parametrize(
    ("changes", "field_id", "words"),
    [
        ({"name": ""}, "name", "may not be blank"),
        ({"court_id": "99"}, "court_id", "court 99 does not exist"),
        ({"court_id": "abc"}, "court_id", ""),
        ({"alt_court": ["5", ""], "alt_slot": [SEVEN, ""]}, "alt-slot-0", "repeats"),
        ({"weekday": ["1", "9"]}, "weekdays", "weekday numbers"),
        ({"weekday": ["x"]}, "weekdays", "weekday numbers"),
        ({"partner": ["A" * 65, "", ""]}, "partner-1", "at most 64"),
    ],
)
def test_bad_input_on_the_page_comes_back_named_beside_its_field(
    bob, template, changes, field_id, words
):
    answer = logged_in(bob).post(edit_url(template), form(1, **changes))

    assert answer.status_code == 400
    page = answer.content.decode()
    box = page.split(f'id="{field_id}-error"', 1)[1].split("</p>", 1)[0]
    message = box.split(">", 1)[1].strip()
    assert message  # a message beside the field, not an empty box
    assert words.lower() in message.lower()
    assert "Nothing was saved" in page
    assert 'name="version" id="edit-version" value="1"' in page  # still the version drawn


def test_a_stale_save_on_the_page_shows_who_and_both_values(alice, bob, template, committed):
    with committed():
        logged_in(alice).post(
            edit_url(template), form(1, notes="Alice's balls", partner=["Eve", "", ""])
        )
    base = template_editing.values_of(template)  # what Bob's page was drawn from

    answer = logged_in(bob).post(edit_url(template), form(1, base, notes="Bob's balls", name="Tue"))

    assert answer.status_code == 409
    page = answer.content.decode()
    assert "Changed meanwhile by alice" in page
    assert "“Alice's balls”. Yours, in the form: “Bob's balls”." in page.replace("&#x27;", "'")
    assert "the form now shows their partners" in page
    assert 'value="Eve"' in page  # hers, where Bob had changed nothing
    assert 'value="Tue"' in page  # his, where she had changed nothing
    assert 'name="version" id="edit-version" value="2"' in page
    template.refresh_from_db()
    assert (template.notes, template.name) == ("Alice's balls", "Tuesday singles")


def test_the_list_links_to_editing_together_and_says_who_changed_it_last(
    alice, bob, cleo, template, committed
):
    alone = BookingTemplate.objects.create(
        owner=alice, club_id=CLUB, name="Fridays", court_id=7, time_slot=EIGHT
    )
    with committed():
        template_editing.edit_template(bob, template.pk, body(notes="Bob's balls"), 1)

    mine = logged_in(alice).get("/templates/").content.decode()
    assert f'href="/templates/{template.pk}/edit">Edit together' in mine
    assert f'href="/templates/{alone.pk}/edit">Edit<span' in mine
    assert "Last changed by bob" in mine

    member_templates.accept(bob, TemplateShare.objects.get(template=template, recipient=bob))
    his = logged_in(bob).get("/templates/").content.decode()
    assert "Edited together with others" in his
    assert f'href="/templates/{template.pk}/edit">Edit together' in his
    assert "Last changed by you" in his

    theirs = logged_in(cleo).get("/templates/").content.decode()
    assert f"/templates/{template.pk}/edit" not in theirs  # a link share: copy-only


def test_the_page_works_for_a_logged_out_visitor_only_through_the_login(template):
    answer = Client().get(edit_url(template))

    assert answer.status_code == 302
    assert "/accounts/login/" in answer["Location"]
