"""The users admin: no password in clear, tokens revocable, operators' clubs."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from configs import clubs
from tennisbook.api.permissions import operated_clubs
from tests.api.fixtures import bearer, login

pytestmark = pytest.mark.django_db


def test_the_user_page_never_shows_the_password(superuser_client, member):
    response = superuser_client.get(f"/admin/accounts/user/{member.pk}/change/")

    assert response.status_code == 200
    assert b"alice-password-1" not in response.content
    assert member.password.encode() not in response.content
    assert b"tokens valid after" in response.content.lower()


def test_an_operator_revokes_a_members_api_tokens(superuser_client, member):
    access = login("alice")["access"]

    superuser_client.post(
        "/admin/accounts/user/",
        {"action": "revoke_api_tokens", "_selected_action": [str(member.pk)]},
    )

    assert bearer(access).get("/api/auth/profile").status_code == 401


# --- the clubs an operator is limited to ----------------------------------------------


@pytest.fixture
def north(dynamo):
    return clubs.create_club("north", "North Club", actor="test")


def user_form(user, **changes) -> dict:
    """The user change form's fields as the admin page posts them."""
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": "",
        "last_name": "",
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "operator_clubs": list(user.operator_clubs),
    }
    return {name: value for name, value in (data | changes).items() if value != ""}


def test_a_superuser_limits_an_operator_to_some_clubs(superuser_client, operator, north):
    url = f"/admin/accounts/user/{operator.pk}/change/"

    page = superuser_client.get(url)
    saved = superuser_client.post(url, user_form(operator, operator_clubs=["north"]))

    assert b"North Club (north)" in page.content
    assert saved.status_code == 302
    operator.refresh_from_db()
    assert operator.operator_clubs == ["north"]
    assert operated_clubs(operator) == {"north"}


def test_an_unknown_club_is_refused_with_the_known_ones(superuser_client, operator, north):
    url = f"/admin/accounts/user/{operator.pk}/change/"

    response = superuser_client.post(url, user_form(operator, operator_clubs=["north", "ghost"]))

    assert response.status_code == 200
    assert b"There is no club &#x27;ghost&#x27;; clubs: default, north." in response.content
    operator.refresh_from_db()
    assert operator.operator_clubs == []


def test_only_a_superuser_changes_an_operators_clubs(operator, north):
    operator.operator_clubs = ["north"]
    operator.save()
    operator.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    client = Client()
    client.force_login(operator)
    url = f"/admin/accounts/user/{operator.pk}/change/"

    page = client.get(url)
    saved = client.post(url, user_form(operator, operator_clubs=[]))

    assert page.status_code == 200
    assert b'name="operator_clubs"' not in page.content
    assert saved.status_code == 302
    operator.refresh_from_db()
    assert operator.operator_clubs == ["north"]


def test_the_user_list_says_which_clubs_operators_operate(superuser_client, operator):
    operator.operator_clubs = ["north", "south"]
    operator.save()

    page = superuser_client.get("/admin/accounts/user/").content.decode()

    assert "north, south" in page
    assert "every club" in page  # the superuser


def test_an_operator_who_may_change_users_cannot_widen_anyones_reach(
    operator, member, north, django_user_model
):
    """Not theirs to give: staff, superuser, permissions, clubs (only a superuser's)."""
    operator.operator_clubs = ["north"]
    operator.save()
    operator.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    client = Client()
    client.force_login(operator)
    for target in (operator, member):
        url = f"/admin/accounts/user/{target.pk}/change/"
        form = user_form(target, is_staff="on", is_superuser="on", operator_clubs=[])
        client.post(url, form)
        target = django_user_model.objects.get(pk=target.pk)
        assert not target.is_superuser
        assert target.is_staff == (target.pk == operator.pk)
    assert django_user_model.objects.get(pk=operator.pk).operator_clubs == ["north"]


def test_an_operator_cannot_set_a_superusers_or_another_operators_password(
    operator, north, django_user_model
):
    boss = django_user_model.objects.create_superuser("boss", "boss@example.test", "boss-pass-1")
    peer = django_user_model.objects.create_user(
        "peer", "peer@example.test", "peer-pass-1", is_staff=True
    )
    operator.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user", "delete_user"])
    )
    client = Client()
    client.force_login(operator)
    for target in (boss, peer):
        url = f"/admin/accounts/user/{target.pk}/password/"
        response = client.post(url, {"password1": "Taken-over-9", "password2": "Taken-over-9"})
        assert response.status_code == 403
        assert django_user_model.objects.get(pk=target.pk).check_password("Taken-over-9") is False
        assert (
            client.post(f"/admin/accounts/user/{target.pk}/delete/", {"post": "yes"}).status_code
            == 403
        )
    assert django_user_model.objects.filter(username__in=["boss", "peer"]).count() == 2


def _add_user(client: Client, username: str, email: str):
    return client.post(
        "/admin/accounts/user/add/",
        {
            "username": username,
            "email": email,
            "usable_password": "true",
            "password1": "Very-long-pass-123",
            "password2": "Very-long-pass-123",
        },
    )


def test_an_operator_adds_users_each_with_their_own_email(superuser_client):
    from accounts.models import User

    first = _add_user(superuser_client, "newbie", "newbie@example.com")
    second = _add_user(superuser_client, "newbie2", "newbie2@example.com")

    assert first.status_code == second.status_code == 302
    assert set(
        User.objects.filter(username__startswith="newbie").values_list("email", flat=True)
    ) == {
        "newbie@example.com",
        "newbie2@example.com",
    }


@pytest.mark.parametrize("email", ["", "ALICE@EXAMPLE.test"])
def test_adding_a_user_without_an_email_or_with_a_taken_one_names_the_field(
    superuser_client, member, email
):
    from accounts.models import User

    response = _add_user(superuser_client, "newbie", email)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["email"]
    assert not User.objects.filter(username="newbie").exists()


def test_changing_an_email_to_another_accounts_in_any_case_is_refused(superuser_client, member):
    from accounts.models import User

    other = User.objects.create_user("bob", "bob@example.com", "bob-password-123")
    page = superuser_client.get(f"/admin/accounts/user/{other.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(email=member.email.upper(), operator_clubs=[], groups=[], user_permissions=[])
    data = {k: v for k, v in data.items() if not isinstance(v, list) or v}

    response = superuser_client.post(f"/admin/accounts/user/{other.pk}/change/", data)

    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    other.refresh_from_db()
    assert other.email == "bob@example.com"
