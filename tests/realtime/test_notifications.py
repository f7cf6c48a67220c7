"""Notifications as a member's requests end: one per outcome, on the channels they chose.

A request that is booked or fails becomes one stored notification (a task
queued after the status write, never inside it): ``booked``, ``failed``,
or ``credentials_rejected`` when the portal refused the member's login.
The same event delivered twice (a retry, a redelivery) gives the same one
notification; a request that fails again after a retry gives a new one.
The notification centre's verbs (unread count, mark read, mark all read)
touch the member's own notifications only.
"""

from __future__ import annotations

import pytest
from django.core import mail

from bookings import notify, workflow
from bookings.choices import RequestStatus
from bookings.lifecycle import Actor, FailureReason
from realtime import notifications, preferences
from realtime.choices import Channel, DeliveryState, EventType
from realtime.models import Delivery, Notification
from tests.bookings.conftest import finish

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the code defers to the commit, as a worker outside a test transaction does."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def site_member(member, portal_member):
    portal_member(str(member.pk))
    return member


def notice(key="k1", kind=EventType.BOOKED, **fields):
    values = {"title": "Court booked", "body": "Court 5, tomorrow", "url": "/bookings/x/"} | fields
    return notifications.Notice(kind=kind.value, dedupe_key=key, **values)


# --- from a request's outcome --------------------------------------------------------


def test_a_booked_request_gives_one_notification_and_one_mail(site_member, make_request, committed):
    request = make_request(str(site_member.pk))
    with committed():
        finish(request, RequestStatus.COMPLETED, message="Reserva confirmada")
    [note] = Notification.objects.filter(member=site_member)
    assert (note.kind, note.request_id, note.url) == (
        EventType.BOOKED,
        request.request_id,
        f"/bookings/{request.request_id}/",
    )
    assert note.title.startswith("Court booked: court 5 at")
    assert "Reserva confirmada" in note.body
    assert note.unread
    assert [m.subject for m in mail.outbox] == [note.title]
    assert mail.outbox[0].to == [site_member.email]
    assert f"/bookings/{request.request_id}/" in mail.outbox[0].body


def test_a_refused_login_is_told_as_credentials_rejected_without_the_portals_words(
    site_member, make_request, committed
):
    with committed():
        finish(
            make_request(str(site_member.pk)),
            RequestStatus.FAILED,
            reason=FailureReason.BAD_CREDENTIALS,
            message="Usuario 101 o clave incorrecta",
        )
    [note] = Notification.objects.filter(member=site_member)
    assert note.kind == EventType.CREDENTIALS_REJECTED
    assert "refused your username or password" in note.body
    assert "101" not in note.body
    assert "101" not in note.title


def test_a_failure_says_why_in_the_members_words(site_member, make_request, committed):
    with committed():
        finish(make_request(str(site_member.pk)), RequestStatus.FAILED, reason="slot_taken")
    [note] = Notification.objects.filter(member=site_member)
    assert note.kind == EventType.FAILED
    assert "Someone else booked the slot" in note.body


def test_other_transitions_notify_nobody(site_member, make_request, committed):
    with committed():
        request = make_request(str(site_member.pk))
        workflow.cancel(request, actor=Actor.MEMBER, by="alice")
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_the_same_event_delivered_again_gives_no_second_notification(
    site_member, make_request, committed
):
    request = make_request(str(site_member.pk))
    with committed():
        finished = finish(request, RequestStatus.COMPLETED)
    last = finished.history[-1]
    payload = {
        "request_id": request.request_id,
        "user_id": str(site_member.pk),
        "club": "default",
        "club_name": "Default",
        "status": "completed",
        "previous": "processing",
        "reason": None,
        "court_id": 5,
        "date": request.date,
        "time_slot": request.time_slot,
        "message": last.message,
        "at": last.at.isoformat(),
        "queued_behind": False,
    }
    with committed():
        again = notify.notify_outcome.apply(args=[payload]).get()
        legacy = notify.email_status.apply(args=[payload]).get()  # queued by an older release
    assert again == legacy == Notification.objects.get().pk
    assert len(mail.outbox) == 1


def test_a_request_retried_and_failing_again_is_told_again(site_member, make_request, committed):
    request = make_request(str(site_member.pk))
    with committed():
        failed = finish(request, RequestStatus.FAILED, reason="not_open")
        again = workflow.change_status(failed, RequestStatus.PENDING, actor=Actor.MEMBER, by="a")
        finish(again, RequestStatus.FAILED, reason="not_open")
    assert Notification.objects.filter(member=site_member, kind="failed").count() == 2


def test_a_member_who_opted_out_of_failure_mail_gets_it_in_the_centre_only(
    site_member, make_request, committed
):
    preferences.save_preferences(site_member, {("failed", "email"): False})
    with committed():
        finish(make_request(str(site_member.pk)), RequestStatus.FAILED, reason="quota")
    assert Notification.objects.get().unread
    assert mail.outbox == []


# --- the service --------------------------------------------------------------------


def test_notify_stores_once_per_key_and_queues_each_channel(member, dynamo, committed):
    with committed():
        first, created = notifications.notify(member, notice())
        again, created_again = notifications.notify(member, notice(title="other"))
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert again.title == "Court booked"
    deliveries = {d.channel: d.state for d in Delivery.objects.filter(notification=first)}
    assert deliveries == {Channel.IN_APP: DeliveryState.SENT, Channel.EMAIL: DeliveryState.SENT}
    assert len(mail.outbox) == 1  # the second call found the mail already sent


def test_a_notification_whose_in_app_channel_is_off_is_kept_read(member, dynamo, committed):
    preferences.save_preferences(member, {("booked", "in_app"): False})
    with committed():
        note, _ = notifications.notify(member, notice())
    assert not note.unread
    assert notifications.unread_count(member) == 0
    assert list(notifications.list_for(member)) == [note]


def test_an_event_type_that_is_not_defined_is_refused(member, dynamo):
    with pytest.raises(ValueError, match="fax"):
        notifications.notify(member, notifications.Notice("fax", "t", "b", "/", "k"))


def test_unread_count_and_marks_touch_only_the_members_own(member, other_member, dynamo):
    mine = [notifications.notify(member, notice(f"m{i}"))[0] for i in range(3)]
    theirs, _ = notifications.notify(other_member, notice("t1"))
    assert notifications.unread_count(member) == 3
    with pytest.raises(Notification.DoesNotExist):
        notifications.mark_read(member, theirs.pk)
    assert notifications.mark_read(member, mine[0].pk).read_at is not None
    assert notifications.unread_count(member) == 2
    assert notifications.mark_all_read(member) == 2
    assert notifications.mark_all_read(member) == 0
    assert notifications.unread_count(other_member) == 1


def test_the_bell_counts_at_most_a_hundred(member, dynamo):
    Notification.objects.bulk_create(
        Notification(member=member, kind="booked", title="t", dedupe_key=f"k{i}")
        for i in range(120)
    )
    assert notifications.unread_count(member) == 100


def test_the_list_is_newest_first(member, dynamo):
    older, _ = notifications.notify(member, notice("a"))
    newer, _ = notifications.notify(member, notice("b"))
    assert list(notifications.list_for(member)) == [newer, older]
    notifications.mark_read(member, newer.pk)
    assert list(notifications.list_for(member, unread_only=True)) == [older]


def test_the_live_event_carries_the_contracts_fields(member, dynamo):
    note, _ = notifications.notify(member, notice())
    data = notifications.event_data(note)
    assert set(data) == {"id", "kind", "title", "body", "url", "created_at", "unread", "browser"}
    assert (data["id"], data["unread"], data["browser"]) == (note.pk, 1, False)
    preferences.save_preferences(member, {("booked", "browser"): True})
    assert notifications.event_data(note)["browser"] is True


# --- partners who are members ------------------------------------------------------------


def _with_partners(member, *names):
    from tests.factories import CLUB, SEVEN, in_days

    return workflow.create(
        str(member.pk), 5, in_days(10), SEVEN, [], club=CLUB, partners=list(names)
    )


def test_a_partner_hears_of_the_outcome_only_when_they_opted_in(
    site_member, other_member, django_user_model, committed
):
    quiet = django_user_model.objects.create_user("quiet", "quiet@example.test", "pw-quiet-123")
    preferences.save_preferences(
        other_member, {(EventType.PARTNER_OUTCOME.value, Channel.IN_APP.value): True}
    )
    django_user_model.objects.create_user("guest", "guest@example.test", "pw-guest-123")
    # "guest" is free text, not a mention: that member is no partner.
    request = _with_partners(site_member, "@Bob", "@quiet", "guest")
    with committed():
        finish(request, RequestStatus.COMPLETED, message="Reserva confirmada")
    [told] = Notification.objects.filter(member=other_member)
    assert told.kind == EventType.PARTNER_OUTCOME
    assert told.title.startswith("alice's request with you: booked (court 5")
    assert told.url == f"/bookings/{request.request_id}/"
    assert told.unread
    assert not Notification.objects.filter(member=quiet).exists()  # never opted in
    # The partner's e-mail was not chosen: only the owner's booking mail left.
    assert [m.to for m in mail.outbox] == [[site_member.email]]


def test_a_redelivered_outcome_tells_a_partner_once(site_member, other_member, committed):
    preferences.save_preferences(
        other_member, {(EventType.PARTNER_OUTCOME.value, Channel.IN_APP.value): True}
    )
    request = _with_partners(site_member, "@bob")
    with committed():
        finish(request, RequestStatus.FAILED, message="Cancha ocupada", reason="slot_taken")
    stored = workflow_payload(site_member, request)
    notify.notify_outcome.apply(args=[stored])
    assert Notification.objects.filter(member=other_member).count() == 1


def workflow_payload(member, request):
    from bookings import events, services

    return events.event_payload(
        services.get_request(str(member.pk), request.request_id), "processing"
    )
