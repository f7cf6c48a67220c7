"""The header's system status: checked at most once a period for everyone, each part in words.

``GET /status.json`` runs the checks (readiness, workers) only when the
shared cache holds none younger than ``STATUS_FEED_SECONDS``, one process
at a time; the header's first render reads the cache alone. Each part that
is down says so in words a member reads; operators also see the checks'
own errors. Missing, stale or malformed cache entries read as "not checked
yet", never as an error.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
from django.core.cache import cache

from tennisbook import portal_probe, status

pytestmark = pytest.mark.django_db

DEMO = "Demo Tennis Club"
READY = {"status": "ready", "errors": {}, "waiting": 0}
TWO_WORKERS = {"reachable": True, "hosts": {"booking@h": ["booking"], "default@h": ["default"]}}


def checks(site=READY, workers=TWO_WORKERS, at=None) -> dict:
    return {"version": status.VERSION, "at": time.time() if at is None else at} | {
        "site": site,
        "workers": workers,
    }


def portals(*clubs, at=None) -> dict:
    return {"version": portal_probe.VERSION, "at": time.time() if at is None else at} | {
        "clubs": list(clubs)
    }


def reachable(ident="default", name=DEMO, offset=0.17, uncertainty=0.72) -> dict:
    return {"id": ident, "name": name, "ok": True, "offset_ms": offset} | {
        "uncertainty_ms": uncertainty,
        "rtt_ms": 0.3,
    }


@pytest.fixture(autouse=True)
def _fresh_status():
    cache.clear()
    status.forget()
    yield
    cache.clear()
    status.forget()


@pytest.fixture
def rounds(monkeypatch):
    """Counts the rounds of checks; each round finds everything normal."""
    done = []

    def compute():
        done.append(time.time())
        return checks()

    monkeypatch.setattr(status, "compute_checks", compute)
    return done


@pytest.fixture
def probes_asked(monkeypatch):
    asked = []
    monkeypatch.setattr(portal_probe, "ask_for_probe", lambda: asked.append(1))
    return asked


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def feed_of(client) -> dict:
    response = client.get("/status.json")
    assert response.status_code == 200, response.content
    assert "no-cache" in response["Cache-Control"]
    return response.json()


def texts(feed: dict) -> list[str]:
    return [part["text"] for part in feed["parts"]]


# --- once a period, for every process ------------------------------------------------


def test_many_page_views_run_one_round_of_checks(member_client, rounds, probes_asked):
    for _ in range(5):
        feed_of(member_client)
    assert len(rounds) == 1


def test_other_processes_read_the_shared_cache_instead_of_checking(
    member_client, rounds, probes_asked
):
    feed_of(member_client)
    for _ in range(3):
        status.forget()  # what another process knows: nothing but the cache
        feed_of(member_client)
    assert len(rounds) == 1


def test_checks_older_than_the_period_are_run_again_beside_the_request(
    member_client, rounds, probes_asked, settings, monkeypatch
):
    workers_gone = {"reachable": True, "hosts": {}}
    old = checks(workers=workers_gone, at=time.time() - settings.STATUS_FEED_SECONDS - 1)
    cache.set(status.CHECKS_KEY, old)
    release = threading.Event()
    slow = status.compute_checks
    monkeypatch.setattr(status, "compute_checks", lambda: (release.wait(10), slow())[1])

    feed = feed_of(member_client)  # answered while the round still runs

    assert "Workers: none running" in texts(feed)  # the last round, at once
    assert rounds == []
    release.set()
    status.wait_for_refresh()
    assert len(rounds) == 1
    assert "Workers: none running" not in texts(feed_of(member_client))
    assert len(rounds) == 1


def test_while_another_process_checks_the_last_round_is_served(
    member_client, rounds, probes_asked, settings
):
    workers_gone = {"reachable": True, "hosts": {}}
    stale = checks(workers=workers_gone, at=time.time() - settings.STATUS_FEED_SECONDS - 5)
    cache.set(status.CHECKS_KEY, stale)
    cache.add(status.LOCK_KEY, "1", 20)  # someone else's round is under way
    feed = feed_of(member_client)
    assert rounds == []
    assert "Workers: none running" in texts(feed)


def test_a_missing_probe_is_asked_for_once_per_period(member_client, rounds, probes_asked):
    for _ in range(4):
        feed = feed_of(member_client)
    assert probes_asked == [1]
    assert "Portals: not checked yet" in texts(feed)
    assert feed["state"] == "unknown"


def test_an_unreadable_cache_still_gives_a_feed_and_checks_once(
    member_client, rounds, probes_asked, monkeypatch
):
    def refuse(*args, **kwargs):
        raise ConnectionError("redis is away")

    for method in ("get_many", "add", "set", "delete"):
        monkeypatch.setattr(cache, method, refuse)
    for _ in range(3):
        feed = feed_of(member_client)
    assert len(rounds) == 1  # this process's own copy holds it to one round a period
    assert "Site: normal" in texts(feed)


# --- the parts, in words --------------------------------------------------------------


def test_everything_normal_says_so_with_the_portals_clock(member_client, rounds, probes_asked):
    cache.set(portal_probe.PORTALS_KEY, portals(reachable()))
    feed = feed_of(member_client)
    assert feed["state"] == "ok"
    assert feed["summary"] == "All systems normal"
    assert texts(feed) == [
        "Site: normal",
        "Workers: 2 running",
        f"Portal reachable: {DEMO}",
        "Clock: portal 0.2 ms ahead ± 0.7 ms",
    ]
    assert probes_asked == []


@pytest.mark.parametrize(
    ("site", "workers", "wanted", "state"),
    [
        (
            {"status": "unavailable", "errors": {"redis": "Error 111 connecting"}},
            {"reachable": False, "hosts": {}, "error": "Redis is down"},
            "Site: having trouble, bookings may fail",
            "down",
        ),
        (
            {"status": "degraded", "errors": {"dynamodb": "timed out"}},
            TWO_WORKERS,
            "Site: results are saved with a delay",
            "warn",
        ),
        (READY, {"reachable": True, "hosts": {}}, "Workers: none running", "down"),
        (
            READY,
            {"reachable": True, "hosts": {"default@h": ["default"]}},
            "Workers: none for bookings",
            "down",
        ),
        (
            READY,
            {"reachable": True, "hosts": {"booking@h": ["booking"]}},
            "Workers: background tasks stopped",
            "warn",
        ),
    ],
)
def test_each_part_that_is_down_is_named(site, workers, wanted, state):
    feed = status.feed(checks(site, workers), portals(reachable()), operator=False, now=time.time())
    assert wanted in texts(feed)
    assert feed["state"] == state
    assert feed["summary"].startswith(wanted)


def test_an_unreachable_portal_names_its_club_and_the_summary_counts_the_rest():
    gone = {"id": "second", "name": "Second Club", "ok": False, "kind": "unreachable"}
    gone["error"] = "connection refused"
    feed = status.feed(
        checks(workers={"reachable": True, "hosts": {}}),
        portals(reachable(offset=-12.3, uncertainty=1.4), gone),
        operator=False,
        now=time.time(),
    )
    assert "Portal unreachable: Second Club" in texts(feed)
    assert f"Clock at {DEMO}: portal 12 ms behind ± 1.4 ms" in texts(feed)
    assert feed["state"] == "down"
    assert feed["summary"] == "Workers: none running, and 1 more"


def test_portal_results_long_past_read_as_not_checked_recently(settings):
    old = time.time() - settings.STATUS_PROBE_SECONDS * 10
    feed = status.feed(checks(), portals(reachable(), at=old), operator=False, now=time.time())
    assert "Portals: not checked recently" in texts(feed)
    assert feed["state"] == "unknown"


def test_members_see_no_internal_detail_and_operators_do(client, member, operator, probes_asked):
    cache.set(
        status.CHECKS_KEY,
        checks(site={"status": "unavailable", "errors": {"redis": "Error 111 at 127.0.0.1"}}),
    )
    client.force_login(member)
    assert "127.0.0.1" not in client.get("/status.json").content.decode()
    client.force_login(operator)
    details = [part.get("detail", "") for part in feed_of(client)["parts"]]
    assert any("redis: Error 111 at 127.0.0.1" in detail for detail in details), details


def test_a_visitor_gets_a_401_in_the_sites_error_format(client):
    response = client.get("/status.json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_only_get_is_answered(member_client):
    assert member_client.post("/status.json").status_code == 405


# --- malformed cache entries ----------------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    [
        "not a dict",
        {"version": 99, "at": time.time(), "site": {}, "workers": {}},
        {"version": status.VERSION, "at": "yesterday", "site": {}, "workers": {}},
        {"version": status.VERSION, "at": time.time(), "site": None, "workers": {}},
    ],
)
def test_a_malformed_checks_entry_is_checked_again(member_client, rounds, probes_asked, entry):
    cache.set(status.CHECKS_KEY, entry)
    assert "Site: normal" in texts(feed_of(member_client))
    assert len(rounds) == 1


def test_a_malformed_portal_entry_reads_as_not_checked_and_bad_clubs_are_dropped():
    assert portal_probe.valid_results({"version": 1, "at": "x", "clubs": []}) is None
    assert portal_probe.valid_results(["nope"]) is None
    kept = portal_probe.valid_results(
        portals(reachable(), {"id": 3, "name": "x", "ok": True}, reachable("b", offset="far"))
    )
    assert [club["id"] for club in kept["clubs"]] == ["default"]


# --- the header -----------------------------------------------------------------------


@pytest.mark.usefixtures("dynamo")
def test_the_header_reads_the_cache_only(member_client, rounds, probes_asked):
    page = member_client.get("/").content.decode()
    assert 'id="system-status"' in page
    assert "Site: not checked yet" in page
    assert rounds == []
    assert probes_asked == []

    cache.set(status.CHECKS_KEY, checks())
    cache.set(portal_probe.PORTALS_KEY, portals(reachable()))
    page = member_client.get("/").content.decode()
    assert "All systems normal" in page
    assert "Clock: portal 0.2 ms ahead ± 0.7 ms" in page
    assert rounds == []


def test_a_visitors_page_has_no_status(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'id="system-status"' not in page


# --- the checks themselves ------------------------------------------------------------


def test_a_round_skips_the_workers_while_redis_is_down(monkeypatch):
    body = {
        "status": "unavailable",
        "down": ["redis"],
        "checks": {"redis": {"ok": False, "error": "Error 111"}, "database": {"ok": True}},
        "outbox_waiting": 0,
    }
    monkeypatch.setattr(status.health, "readiness", lambda: (body, 503))
    monkeypatch.setattr(status, "check_workers", lambda: pytest.fail("asked the workers"))
    found = status.compute_checks()
    assert found["site"] == {
        "status": "unavailable",
        "errors": {"redis": "Error 111"},
        "waiting": 0,
    }
    assert found["workers"]["reachable"] is False


def test_a_round_whose_readiness_raises_reports_the_site_down(monkeypatch):
    def broken():
        raise RuntimeError("bug")

    monkeypatch.setattr(status.health, "readiness", broken)
    monkeypatch.setattr(status, "check_workers", lambda: TWO_WORKERS)
    found = status.compute_checks()
    assert found["site"]["status"] == "unavailable"
    assert found["site"]["errors"] == {"readiness": "bug"}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_portal_that_refuses_connections_is_unreachable(settings):
    settings.STATUS_PROBE_TIMEOUT_SECONDS = 0.5
    profile = {
        "base_url": f"http://127.0.0.1:{_closed_port()}",
        "clock": {"url": "/", "method": "GET", "static": False},
    }
    found = portal_probe.probe_club("default", DEMO, profile)
    assert found["ok"] is False
    assert found["kind"] == "unreachable"
    assert found["error"]


@pytest.mark.usefixtures("dynamo")
def test_the_probe_task_publishes_every_enabled_club(monkeypatch):
    monkeypatch.setattr(
        portal_probe, "probe_club", lambda ident, name, profile: reachable(ident, name)
    )
    assert portal_probe.probe_portals() >= 1
    published = portal_probe.valid_results(cache.get(portal_probe.PORTALS_KEY))
    assert published["clubs"][0]["id"] == "default"
    assert all(club["ok"] for club in published["clubs"])
