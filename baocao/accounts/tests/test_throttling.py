"""Login throttling (django-axes): the finding was 30 wrong passwords at 5/s, then the right one succeeds.

Now a username+IP pair is locked for LOGIN_LOCKOUT_MINUTES (15) after LOGIN_FAILURE_LIMIT (5) failures, on
the login page and the admin's alike, with a Vietnamese page (status 429)."""

import base64
import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from baocao.accounts.lockout import client_ip

PASSWORD = "mat-khau-dung-2020"


@pytest.fixture
def clerk(db):
    return User.objects.create_user("ttxa.canbo", password=PASSWORD)


def attempt(client, password, username="ttxa.canbo", ip="203.0.113.7", url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_then_the_right_one_is_refused(client, clerk):
    for _ in range(30):
        attempt(client, "sai-mat-khau")
    response = attempt(client, PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    page = response.content.decode()
    assert "Tạm khóa đăng nhập" in page
    assert "nhập sai mật khẩu 5 lần" in page and "15 phút" in page


def test_fewer_failures_than_the_limit_do_not_lock_and_success_resets_them(client, clerk):
    for _ in range(4):
        assert attempt(client, "sai-mat-khau").status_code == 200  # the form again, with its error
    assert attempt(client, PASSWORD).status_code == 302
    assert logged_in(client)
    client.logout()
    # The successful login cleared the count: four more failures still do not lock.
    for _ in range(4):
        attempt(client, "sai-mat-khau")
    assert attempt(client, PASSWORD).status_code == 302


def test_the_fifth_failure_shows_the_lockout_page(client, clerk):
    for _ in range(4):
        attempt(client, "sai-mat-khau")
    response = attempt(client, "sai-mat-khau")
    assert response.status_code == 429
    assert "Tạm khóa đăng nhập" in response.content.decode()


def test_the_lock_is_per_username_and_address(client, clerk):
    other = User.objects.create_user("ttxa.truong", password=PASSWORD)
    for _ in range(5):
        attempt(client, "sai-mat-khau")
    # Another person at the same address, and the same person from another address, still log in.
    assert attempt(client, PASSWORD, username=other.username).status_code == 302
    client.logout()
    assert attempt(client, PASSWORD, ip="198.51.100.9").status_code == 302


def test_the_admin_login_counts_too(client, clerk):
    clerk.is_staff = True
    clerk.save()
    admin_login = reverse("admin:login")
    for _ in range(5):
        attempt(client, "sai-mat-khau", url=admin_login)
    response = attempt(client, PASSWORD, url=admin_login)
    assert response.status_code == 429
    assert not logged_in(client)
    # ... and the lock holds on the ordinary login page as well.
    assert attempt(client, PASSWORD).status_code == 429


def test_the_lock_ends_after_the_cool_off(client, clerk):
    for _ in range(5):
        attempt(client, "sai-mat-khau")
    assert attempt(client, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert attempt(client, PASSWORD).status_code == 302
    assert logged_in(client)


def test_the_api_takes_no_password_so_it_cannot_bypass_the_lock(client, clerk):
    """The API authenticates by token or by the session of the login page; a password sent to it (HTTP
    Basic) is never checked, locked out or not."""
    for _ in range(5):
        attempt(client, "sai-mat-khau")
    basic = "Basic " + base64.b64encode(f"{clerk.username}:{PASSWORD}".encode()).decode()
    response = client.get("/api/v1/org-units/", HTTP_AUTHORIZATION=basic, REMOTE_ADDR="203.0.113.7")
    assert response.status_code in {401, 403}


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "10.0.0.2"),  # directly exposed: the header is the client's, not believed
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the forged left entry is ignored
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.9", "198.51.100.1"),
        (1, "không-phải-địa-chỉ", "10.0.0.2"),
        (1, "", "10.0.0.2"),
    ],
)
def test_the_lock_is_keyed_by_the_address_the_trusted_proxy_saw(settings, proxies, forwarded, expected):
    settings.BAOCAO_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_behind_a_proxy_clients_are_locked_apart(client, clerk, settings):
    settings.BAOCAO_TRUSTED_PROXIES = 1
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": clerk.username, "password": "sai"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
    # The same user from another address behind the same proxy is not locked out.
    response = client.post(
        reverse("login"),
        {"username": clerk.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )
    assert response.status_code == 302


def test_the_admin_shows_the_lockouts_in_vietnamese(client, clerk):
    for _ in range(5):
        attempt(client, "sai-mat-khau")
    client.force_login(User.objects.create_superuser("quantri", password=PASSWORD))
    index = client.get(reverse("admin:index")).content.decode()
    assert "Khóa đăng nhập" in index
    page = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "Lần thử đăng nhập sai" in page and "ttxa.canbo" in page and "Đang bị khóa" in page
    assert "access attempt" not in page.lower()
