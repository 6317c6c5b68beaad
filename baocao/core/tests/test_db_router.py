"""The read replica's router and the read-your-own-writes window (baocao.core.db_router, core.replica).

The replica here is a second connection to the test database (SQLite): the same data, as after replay,
but its own connection, so the queries each page sends to it can be counted. The streaming replication
itself is tested on the loopback topology (deploy/tests)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from baocao.core import db_router
from baocao.core.db_router import REPLICA, ReplicaRouter, replica_reads
from baocao.core.replica import WINDOW_COOKIE
from baocao.indicators.models import Indicator
from baocao.testing.factories import make_user

PASSWORD = "mat-khau-thu-nghiem-2020"


def _add_replica(name: str) -> None:
    settings_dict = connections[DEFAULT_DB_ALIAS].settings_dict
    connections.settings[REPLICA] = {**settings_dict, "NAME": name, "CONN_MAX_AGE": None}
    db_router.reset_replica_health()


def _remove_replica() -> None:
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]
    db_router.reset_replica_health()


@pytest.fixture
def replica(transactional_db: None) -> Iterator[None]:
    """A ``replica`` alias reading the (committed) test database through its own connection. It is opened
    here: the test case allows connections to its own databases only, and this alias came after it."""
    _add_replica(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"])
    connections[REPLICA].connect()
    yield
    _remove_replica()


def _sign_in(client: Client) -> None:
    make_user("lanhdao", superuser=True, password=PASSWORD)
    response = client.post(reverse("login"), {"username": "lanhdao", "password": PASSWORD})
    assert response.status_code == 302


def _queries(client: Client, url: str) -> tuple[int, list[str], list[str]]:
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as secondary,
    ):
        response = client.get(url)
    return response.status_code, [q["sql"] for q in primary], [q["sql"] for q in secondary]


def test_report_list_reads_the_replica_and_the_session_the_primary(client, replica) -> None:
    _sign_in(client)
    client.cookies.pop(WINDOW_COOKIE)  # the login's own window is over
    status, primary, secondary = _queries(client, reverse("reports:list"))
    assert status == 200
    assert any("reports_reporttype" in sql for sql in secondary)
    assert not any("reports_reporttype" in sql for sql in primary)
    assert any("django_session" in sql for sql in primary)
    assert not any("django_session" in sql for sql in secondary)


def test_pages_not_opted_in_never_touch_the_replica(client, replica) -> None:
    _sign_in(client)
    client.cookies.pop(WINDOW_COOKIE)
    status, _primary, secondary = _queries(client, reverse("collection:my_forms"))
    assert status == 200
    assert secondary == []


def test_after_a_save_the_same_user_reads_the_primary_for_the_window(client, replica, settings) -> None:
    settings.BAOCAO_READ_PRIMARY_AFTER_WRITE_SECONDS = 10
    _sign_in(client)  # a successful POST of a signed-in user
    cookie = client.cookies[WINDOW_COOKIE]
    assert cookie["max-age"] == 10
    assert 8 < float(cookie.value) - time.time() <= 10
    status, primary, secondary = _queries(client, reverse("reports:list"))
    assert status == 200 and secondary == []
    assert any("reports_reporttype" in sql for sql in primary)
    client.cookies[WINDOW_COOKIE] = f"{time.time() - 1:.3f}"  # the window has passed
    status, _primary, secondary = _queries(client, reverse("reports:list"))
    assert status == 200 and any("reports_reporttype" in sql for sql in secondary)


def test_a_refused_post_opens_no_window(client, replica) -> None:
    make_user("lanhdao", superuser=True, password=PASSWORD)
    response = client.post(reverse("login"), {"username": "lanhdao", "password": "sai-mat-khau"})
    assert response.status_code == 200  # the form again, nobody signed in
    assert WINDOW_COOKIE not in client.cookies


def test_a_stopped_replica_falls_back_to_the_primary_and_is_remembered(django_db_blocker) -> None:
    """A replica that cannot be opened (as a stopped server refuses the connection): the opted-in reads go
    to the primary, and the failure is remembered for a few seconds (no new attempt per query)."""
    _add_replica("/khong-ton-tai/thu-muc/replica.sqlite3")
    token = replica_reads.set(True)
    try:
        with django_db_blocker.unblock():
            assert ReplicaRouter().db_for_read(Indicator) == DEFAULT_DB_ALIAS
            assert db_router._down_until > time.monotonic()  # remembered: no new attempt per query
            assert ReplicaRouter().db_for_read(Indicator) == DEFAULT_DB_ALIAS
    finally:
        replica_reads.reset(token)
        _remove_replica()


def test_reads_inside_a_write_and_writes_stay_on_the_primary(replica) -> None:
    router = ReplicaRouter()
    token = replica_reads.set(True)
    try:
        assert router.db_for_read(Indicator) == REPLICA
        with transaction.atomic():
            assert router.db_for_read(Indicator) == DEFAULT_DB_ALIAS
        assert router.db_for_write(Indicator) == DEFAULT_DB_ALIAS
        assert router.allow_migrate(REPLICA, "indicators") is False
    finally:
        replica_reads.reset(token)


def test_without_a_replica_the_router_stays_out_of_the_way(db) -> None:
    router = ReplicaRouter()
    token = replica_reads.set(True)
    try:
        assert router.db_for_read(Indicator) is None
        assert router.db_for_write(Indicator) is None
    finally:
        replica_reads.reset(token)
