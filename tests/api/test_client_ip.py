"""Which address the limits count a request under."""

from django.test import RequestFactory

from tennisbook.api.ratelimit import client_ip


def test_the_direct_peer_is_the_client_by_default():
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.7")) == "10.0.0.7"


def test_behind_a_proxy_the_entry_it_appended_counts_not_a_forged_one(settings):
    settings.CLIENT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")

    assert client_ip(request) == "203.0.113.9"


def test_a_request_without_an_address_does_not_crash():
    request = RequestFactory().get("/")
    request.META.pop("REMOTE_ADDR", None)

    assert client_ip(request) == "unknown"
