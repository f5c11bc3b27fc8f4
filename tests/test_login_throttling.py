"""Login throttling on the admin (django-axes) and the client address it keys on."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory, override_settings
from django.urls import reverse

from newsroom.security import client_ip
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("admin:login")


def log_in(client, username, password, address="198.51.100.7"):
    return client.post(
        LOGIN_URL,
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def test_five_wrong_passwords_lock_the_login_out_even_with_the_right_one(client):
    make_staff("chief", superuser=True)
    for _ in range(4):
        response = log_in(client, "chief", "guess")
        assert response.status_code == 200  # the form again, with its error
        assert "Please enter the correct username and password" in response.content.decode()

    response = log_in(client, "chief", "guess")
    assert response.status_code == 429
    assert "Too many login attempts" in response.content.decode()
    assert "paused for 15 minutes" in response.content.decode()

    response = log_in(client, "chief", "pw")  # the right password, too late
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lockout_is_for_that_username_from_that_address_only(client):
    make_staff("chief", superuser=True)
    make_staff("reporter")
    for _ in range(5):
        log_in(client, "chief", "guess", address="198.51.100.7")

    # A colleague in the same office, and the same user from elsewhere, get in.
    assert log_in(client, "reporter", "pw", address="198.51.100.7").status_code == 302
    client.logout()
    assert log_in(client, "chief", "pw", address="203.0.113.9").status_code == 302


def test_a_successful_login_resets_the_count(client):
    make_staff("chief", superuser=True)
    for _ in range(4):
        log_in(client, "chief", "guess")
    assert log_in(client, "chief", "pw").status_code == 302
    client.logout()
    for _ in range(4):
        assert log_in(client, "chief", "guess").status_code == 200


def test_the_lockout_expires_after_the_cool_off(client):
    make_staff("chief", superuser=True)
    for _ in range(5):
        log_in(client, "chief", "guess")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    assert log_in(client, "chief", "pw").status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.2"),  # no proxy: a client's header is ignored
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the proxy appended the reader
        (1, "", "10.0.0.2"),
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
    ],
)
def test_client_address_trusts_only_the_configured_proxies(proxies, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(NEWSROOM_TRUSTED_PROXIES=proxies):
        assert client_ip(request) == expected
