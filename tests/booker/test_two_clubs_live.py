"""Two clubs on two live demo portals, booked by the real processor and engine.

Club A (the default club) books on the condo demo portal, club B on the
grid demo portal (``two_clubs``); one site member has a portal account at
each. Nothing is replaced: requests are made with ``bookings.workflow``,
stored in the in-process DynamoDB emulator, swept by ``booker.dispatch``
and booked by ``booker.processor`` in real Chromium, each batch in its own
thread as in its own booking worker. What each portal saw comes from its
own records (attempt log, reservations, its log of logins) and from the
bytes it received (``WireTap``). Releases are 8-12 s ahead: two Chromium
preparations side by side, clock syncs included, need that on two cores.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from booker import dispatch, outbox
from bookings import services
from bookings.choices import RequestStatus
from configs import services as config_services
from tennisbook.values import InvalidValue

from . import two_clubs
from .live_portals import SLOT_7
from .two_clubs import (
    CLUB_A,
    CLUB_B,
    SLOW_MS,
    WORKERS_TIMEOUT_S,
    ClubPortal,
    ns,
    watching_preparation,
    whole_second_after,
)

clubs_on_portals = two_clubs.clubs_on_portals
site_member = two_clubs.site_member
booking_workers = two_clubs.booking_workers


def assert_completed_and_verified(user_id: str, request, club: ClubPortal) -> None:
    """The worker recorded the request as booked and verified, as the portal holds it."""
    stored = services.get_request(user_id, request.request_id)
    waiting = f"{outbox.depth()} result(s) waiting in the worker's outbox"
    assert (stored.club_id, stored.status) == (club.club, RequestStatus.COMPLETED), waiting
    result = stored.result_data
    assert result["outcome"] == "booked", result
    assert result["verified"] is True, result
    assert result["choice"] == {"court": club.court, "slot": SLOT_7.label}
    [held] = club.control.reservations()
    assert str(held["id"]) == str(result["confirmation"]["reservation_id"])


# --- credentials stay with their club ------------------------------------------------


@pytest.mark.browser
def test_a_members_credentials_for_one_club_never_reach_the_other_clubs_portal(
    clubs_on_portals, site_member, booking_workers
):
    condo, grid = clubs_on_portals(tapped=True)
    member = site_member(condo, grid)
    release = whole_second_after(condo.portal_now(), 8)
    for club in (condo, grid):
        club.opens_at(release)
    at_a, at_b = condo.request(member, release), grid.request(member, release)

    booking_workers.send([[at_a.request_id, member]])
    booking_workers.send([[at_b.request_id, member]])
    booking_workers.wait()

    assert booking_workers.outcomes == {at_a.request_id: "booked", at_b.request_id: "booked"}
    for club, other in ((condo, grid), (grid, condo)):
        # The portal's own records: every submit, booking and login was its club's member.
        assert club.submits(), club.kind
        assert {a["member"] for a in club.submits()} == {club.username}
        assert {r["member"] for r in club.control.reservations()} == {club.username}
        assert set(club.logins()) == {club.username}
        # And the bytes it received: only its club's login, never the other's password.
        fields = club.tap.login_fields()
        names = {name: fields.get(name, set()) for name in ("house", "username", "member")}
        assert set().union(*names.values()) == {club.username}, fields
        passwords = fields.get("password", set())
        assert passwords, fields
        assert passwords <= {s.decode() for s in club.secrets()}, fields
        received = club.tap.streams()
        for secret in other.secrets():
            assert not [s for s in received if secret in s], (club.kind, secret)
    for request, club in ((at_a, condo), (at_b, grid)):
        assert_completed_and_verified(member, request, club)


def test_a_member_without_credentials_at_a_club_is_refused_there_and_nothing_reaches_it(
    clubs_on_portals, site_member, booking_workers
):
    condo, grid = clubs_on_portals(tapped=True)
    member = site_member(condo)  # an account at club A only
    release = whole_second_after(grid.portal_now(), 5)
    grid.opens_at(release)

    with pytest.raises(InvalidValue) as refused:
        grid.request(member, release)

    assert refused.value.field == "portal_credentials"
    assert services.list_requests(member, club=CLUB_B) == []
    assert dispatch.sweep(booking_workers.send) == 0
    assert booking_workers.batches == []
    for club in (condo, grid):
        assert club.tap.streams() == [], club.kind
        assert club.submits() == []
        assert club.control.reservations() == []


def test_a_request_whose_clubs_credentials_were_removed_fails_without_using_another_clubs(
    clubs_on_portals, site_member, booking_workers
):
    condo, grid = clubs_on_portals(tapped=True)
    member = site_member(condo, grid)
    release = whole_second_after(grid.portal_now(), 5)
    grid.opens_at(release)
    at_b = grid.request(member, release)
    config_services.delete_user_config(member, CLUB_B)  # club A's are still saved

    booking_workers.send([[at_b.request_id, member]])
    booking_workers.wait()

    assert booking_workers.outcomes == {at_b.request_id: "login_failed"}
    stored = services.get_request(member, at_b.request_id)
    assert (stored.status, stored.reason) == (RequestStatus.FAILED, "bad_credentials")
    assert "portal_credentials" in stored.result_data["detail"]
    for club in (condo, grid):
        assert club.tap.streams() == [], club.kind  # not a byte, to either portal
        assert club.submits() == []


# --- releases a second apart, one portal slow ----------------------------------------


@pytest.mark.browser
def test_releases_a_second_apart_both_fire_on_time_and_a_slow_portal_delays_no_other_club(
    clubs_on_portals, site_member, booking_workers, caplog, settings
):
    condo, grid = clubs_on_portals(tapped=False)
    member = site_member(condo, grid)
    # Ahead enough for both workers to prepare side by side on a busy machine.
    release_a = whole_second_after(condo.portal_now(), 20)
    release_b = release_a + timedelta(seconds=1)
    condo.opens_at(release_a)
    grid.opens_at(release_b)
    at_a, at_b = condo.request(member, release_a), grid.request(member, release_b)
    club_of = {at_a.request_id: CLUB_A, at_b.request_id: CLUB_B}

    with watching_preparation(caplog) as prepared:
        assert dispatch.sweep(booking_workers.send) == 2
        # B's portal turns slow once B is ready: slow across A's release and its own.
        assert prepared.wait_for(CLUB_B, timeout=WORKERS_TIMEOUT_S)
        grid.control.patch_config(latency_ms=SLOW_MS)
        slow_from = datetime.now(UTC)
        booking_workers.wait()

    # The scenario held: both ready, and B slow, before A's release.
    assert max(prepared.at[CLUB_A], slow_from) < release_a, (prepared.at, slow_from, release_a)
    # Two batches, one per club, the earlier release first.
    assert [[club_of[r] for r, _ in batch] for batch in booking_workers.batches] == [
        [CLUB_A],
        [CLUB_B],
    ]
    assert booking_workers.outcomes == {at_a.request_id: "booked", at_b.request_id: "booked"}
    window_ms = settings.BOOKER_RETRY_WINDOW_SECONDS * 1000
    for club, release in ((condo, release_a), (grid, release_b)):
        submits = club.submits()
        assert submits[-1]["outcome"] == "success", submits
        for row in submits:
            # Judged against its own club's release: never early, within the retry window.
            assert row["release_ns"] == ns(release), (club.kind, row)
            assert 0 <= row["ms_after_release"] <= window_ms, (club.kind, row)
    # Club B's portal took its time to answer; club A's first submit did not wait for it.
    b_booked = grid.submits()[-1]
    assert (b_booked["decided_ns"] - b_booked["received_ns"]) / 1e6 >= SLOW_MS * 0.9
    assert condo.submits()[0]["ms_after_release"] < 500
    for request, club in ((at_a, condo), (at_b, grid)):
        assert_completed_and_verified(member, request, club)
