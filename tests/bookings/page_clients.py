"""Django test clients for the member pages: logged in, with a portal account saved."""

from __future__ import annotations

from django.test import Client

from configs import services as config_services
from tests.factories import CLUB


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def with_credentials(user) -> Client:
    """A client of ``user``, who has saved the demo portal account at the default club."""
    config_services.update_user_config(
        str(user.pk), CLUB, portal_username="101", portal_password="pw-portal-1"
    )
    return logged_in(user)
