"""The production shape on loopback (issue 16, Done-when 2): smoke through both application processes,
streaming replication proven, and the faults — a job worker killed during a PDF (before the primary's
restart, so the worker left standing is the one that must reconnect), stopped replica, restarted
primary (applications and that worker reconnect), oversized upload, and last (it leaves one application
dead) an application process killed while clients save.

Values are written to the demo's Ban Tiếp công dân (two count indicators of its monthly form) in months
long before the demo's June 2020, which have no form yet: each test uses months of its own."""

from __future__ import annotations

import http.cookiejar
import json
import os
import signal
import threading
import time
from decimal import Decimal
from typing import Any

import requests

from deploy.tests.conftest import WINDOW_COOKIE, Topology, api, login, wait_for

UNIT = "TPLS_BTCD"
INDICATORS = ("TCD_DINH_KY", "TCD_THUONG_XUYEN")
OPTED_IN_PAGES = ("/", "/bao-cao/", "/tong-hop/so-lieu-tong-hop/")


def save_value(session: requests.Session, base: str, period: str, value: int) -> requests.Response:
    body: dict[str, Any] = {"indicator": INDICATORS[0], "org_unit": UNIT, "period": period, "value": value}
    return session.post(f"{base}/api/v1/data-values/", json=body, timeout=30)


def exported(session: requests.Session, base: str, period: str) -> dict[str, Any]:
    """The values of one month through the export endpoint (opted in to the replica), by indicator."""
    answer = session.get(
        f"{base}/api/v1/data-value-sets/",
        params={"period": period, "org_unit": UNIT},
        headers={"Accept": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text[:500]
    rows = answer.json()
    rows = rows.get("dataValues", rows) if isinstance(rows, dict) else rows
    return {row["indicator"]: int(Decimal(str(row["value"]))) for row in rows}


def close_window(session: requests.Session) -> None:
    jar: http.cookiejar.CookieJar = session.cookies
    for cookie in list(jar):
        if cookie.name == WINDOW_COOKIE:
            session.cookies.clear(cookie.domain, cookie.path, cookie.name)


def stored(topology: Topology, which: str, period: str) -> dict[str, Any]:
    rows = topology.sql(
        which,
        "select i.code, v.value from collection_datavalue v"
        " join indicators_indicator i on i.id = v.indicator_id"
        " join orgunits_orgunit o on o.id = v.org_unit_id"
        " where o.code = %s and v.period = %s",
        UNIT,
        period,
    )
    return {code: int(value) for code, value in rows}


def test_smoke_through_both_application_processes(topology: Topology, token: str) -> None:
    for base in topology.urls:
        anonymous = requests.get(f"{base}/dang-nhap/", timeout=30)
        assert anonymous.status_code == 200 and "Đăng nhập" in anonymous.text
        stylesheet = next(part.split('"')[0] for part in anonymous.text.split('href="')[1:] if ".css" in part)
        assert requests.get(f"{base}{stylesheet}", timeout=30).status_code == 200  # WhiteNoise, hashed name
        browser = login(base)
        reports = browser.get(f"{base}/bao-cao/", timeout=60)
        assert reports.status_code == 200 and "Báo cáo" in reports.text
        machine = api(base, token)
        units = machine.get(f"{base}/api/v1/org-units/", params={"limit": 5}, timeout=30)
        assert units.status_code == 200 and units.json()["results"]
        assert requests.get(f"{base}/api/v1/org-units/", timeout=30).status_code == 401


def test_replication_and_read_your_own_writes(topology: Topology, token: str) -> None:
    """A value saved through application 1 reaches the replica's database by streaming; a reader without a
    recent save sees the replica through an opted-in page, the saver sees the primary at once."""
    assert topology.sql("replica", "select pg_is_in_recovery()") == [(True,)]
    assert topology.sql("primary", "select state from pg_stat_replication") == [("streaming",)]
    first, second = topology.urls
    saver = api(first, token)
    saved = save_value(saver, first, "200901", 11)
    assert saved.status_code in {200, 201}, saved.text
    assert WINDOW_COOKIE in saver.cookies  # the write window opened for this client
    wait_for(
        lambda: stored(topology, "replica", "200901") == {INDICATORS[0]: 11}, message="không sang bản sao"
    )

    # Replay paused: the replica is now behind the primary, and the pages show who reads where.
    topology.sql("replica", "select pg_wal_replay_pause()")
    try:
        again = save_value(saver, first, "200901", 12)
        assert again.status_code == 200, again.text
        assert stored(topology, "primary", "200901") == {INDICATORS[0]: 12}
        assert stored(topology, "replica", "200901") == {INDICATORS[0]: 11}
        reader = api(second, token)  # no save of its own: reads the replica
        assert exported(reader, second, "200901") == {INDICATORS[0]: 11}
        assert exported(saver, second, "200901") == {INDICATORS[0]: 12}  # its window: the primary
        close_window(saver)  # the window has passed
        assert exported(saver, second, "200901") == {INDICATORS[0]: 11}
    finally:
        topology.sql("replica", "select pg_wal_replay_resume()")
    wait_for(lambda: exported(api(second, token), second, "200901") == {INDICATORS[0]: 12})


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    if int(stat.read().rsplit(") ", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return found


def test_killed_worker_pdf_is_taken_up_again(topology: Topology, token: str) -> None:
    """A PDF job whose worker is killed (SIGKILL) in the middle of the conversion is taken up by the other
    worker and finishes; its page says it is done. Worker 2 is paused throughout the first part: worker 1
    makes one PDF (so its LibreOffice is up and warm), then its LibreOffice (a unoserver in a session of its
    own) is paused, so the second PDF cannot end before worker 1 is killed; then worker 2 resumes."""
    base = topology.urls[1]
    machine = api(base, token)
    runs = machine.get(f"{base}/api/v1/report-runs/", timeout=30).json()["results"]
    run = next(r for r in runs if r["status"] == "draft")
    first, second = topology.state["workers"]

    def request_pdf() -> int:
        answer = machine.post(f"{base}/api/v1/report-runs/{run['id']}/pdf/", timeout=60)
        assert answer.status_code == 202, answer.text
        return int(answer.json()["id"])

    def status(job: int) -> str:
        return topology.sql("primary", "select status from reports_pdfjob where id = %s", job)[0][0]

    os.killpg(second["pid"], signal.SIGSTOP)
    try:
        warm = request_pdf()
        wait_for(lambda: status(warm) == "done", seconds=300, message="tiến trình 1 không tạo được PDF đầu")
        office = [pid for pid in _children(first["pid"]) if os.getpgid(pid) == pid]
        for pid in office:
            os.killpg(pid, signal.SIGSTOP)
        job = request_pdf()
        wait_for(lambda: status(job) == "running", seconds=120, message="tiến trình 1 không nhận việc")
        time.sleep(1)
        assert status(job) == "running"  # held by worker 1 (its LibreOffice is paused)
        os.killpg(first["pid"], signal.SIGKILL)
        for pid in office:
            os.killpg(pid, signal.SIGKILL)
    finally:
        os.killpg(second["pid"], signal.SIGCONT)
    wait_for(lambda: status(job) == "done", seconds=300, message="việc tạo PDF không được làm lại")
    attempts = topology.sql("primary", "select attempts from reports_pdfjob where id = %s", job)[0][0]
    assert attempts >= 2
    pdf = machine.get(f"{base}/api/v1/pdf-jobs/{job}/download/", timeout=60)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    page = login(base).get(f"{base}/bao-cao/pdf/{job}/", timeout=60)
    assert page.status_code == 200 and "Đã tạo xong tệp PDF" in page.text


def test_stopped_replica_pages_still_answer_from_the_primary(topology: Topology, token: str) -> None:
    first = topology.urls[0]
    saved = save_value(api(first, token), first, "200902", 21)
    assert saved.status_code in {200, 201}, saved.text
    wait_for(lambda: stored(topology, "replica", "200902") == {INDICATORS[0]: 21})
    for base in topology.urls:  # the application threads hold open connections to the replica now
        for _ in range(12):
            assert exported(api(base, token), base, "200902") == {INDICATORS[0]: 21}
    topology.run("pg", "replica", "stop")
    try:
        for base in topology.urls:
            browser = login(base)
            close_window(browser)  # no write window: these pages would read the replica
            for page in OPTED_IN_PAGES:
                answer = browser.get(f"{base}{page}", timeout=60)
                assert answer.status_code == 200, (base, page, answer.status_code)
            assert exported(api(base, token), base, "200902") == {INDICATORS[0]: 21}
    finally:
        topology.run("pg", "replica", "start")
    wait_for(lambda: stored(topology, "replica", "200902") == {INDICATORS[0]: 21}, seconds=30)


def test_primary_restarted_while_idle_is_reconnected(topology: Topology, token: str) -> None:
    for base in topology.urls:  # every application process holds connections to the primary now
        assert login(base).get(f"{base}/bao-cao/", timeout=60).status_code == 200
    topology.run("pg", "primary", "restart")
    for number, base in enumerate(topology.urls, start=1):
        browser = login(base)
        assert browser.get(f"{base}/bao-cao/", timeout=60).status_code == 200
        saved = save_value(api(base, token), base, f"20090{2 + number}", 30 + number)
        assert saved.status_code in {200, 201}, saved.text
    assert stored(topology, "primary", "200903") == {INDICATORS[0]: 31}
    # The job worker left standing reconnects too: a PDF asked for after the restart is made.
    machine = api(topology.urls[0], token)
    runs = machine.get(f"{topology.urls[0]}/api/v1/report-runs/", timeout=30).json()["results"]
    run = next(r for r in runs if r["status"] == "draft")
    answer = machine.post(f"{topology.urls[0]}/api/v1/report-runs/{run['id']}/pdf/", timeout=60)
    assert answer.status_code == 202, answer.text
    job = int(answer.json()["id"])
    wait_for(
        lambda: (
            topology.sql("primary", "select status from reports_pdfjob where id = %s", job)[0][0] == "done"
        ),
        seconds=300,
        message="tiến trình xử lý việc nền không chạy lại sau khi PostgreSQL khởi động lại",
    )


def test_oversized_upload_is_refused_in_vietnamese_by_the_server(topology: Topology) -> None:
    limit = int(topology.state["env"].get("BAOCAO_MAX_REQUEST_BYTES", 25 * 1024 * 1024))
    base = topology.urls[0]
    browser = login(base)
    answer = browser.post(
        f"{base}/bao-cao/kiem-tra-chu-ky/",
        files={"file": ("lon.pdf", b"%PDF-1.7\n" + b"0" * (limit + 1024), "application/pdf")},
        headers={"X-CSRFToken": browser.cookies.get("csrftoken") or ""},
        timeout=120,
    )
    assert answer.status_code == 413
    assert "quá lớn" in answer.text


def test_killed_application_process_loses_no_save(topology: Topology, token: str) -> None:
    """Clients save two-value batches through both applications; application 1 is killed (SIGKILL, its
    whole process group) in the middle. Application 2 answers every request; every batch answered 2xx is in
    the database with its values; no batch is half-written (both values or neither)."""
    first, second = topology.urls
    periods = [f"{year}{month:02d}" for year in range(2010, 2015) for month in range(1, 13)]
    results: list[tuple[str, str, int, int | None]] = []  # (server, period, value, status or None)
    lock = threading.Lock()

    def client(base: str, mine: list[str]) -> None:
        session = api(base, token)
        for period in mine:
            value = int(period) % 1000 + 7
            batch = {
                "dataValues": [
                    {
                        "indicator": code,
                        "org_unit": UNIT,
                        "period": period,
                        "kind": "actual",
                        "value": value + k,
                    }
                    for k, code in enumerate(INDICATORS)
                ]
            }
            try:
                answer = session.post(
                    f"{base}/api/v1/data-value-sets/",
                    data=json.dumps(batch),
                    headers={"Content-Type": "application/json"},
                    timeout=60,
                )
                code: int | None = answer.status_code
            except requests.RequestException:
                code = None
            with lock:
                results.append((base, period, value, code))
            time.sleep(0.05)

    threads = [
        threading.Thread(target=client, args=(base, periods[n::4]))
        for n, base in enumerate((first, second, first, second))
    ]
    for thread in threads:
        thread.start()
    wait_for(lambda: len(results) >= 8, seconds=60, message="các lần lưu không chạy")
    os.killpg(topology.state["apps"][0]["pid"], signal.SIGKILL)
    for thread in threads:
        thread.join(timeout=300)

    assert len(results) == len(periods)
    by_server = {base: [code for server, _p, _v, code in results if server == base] for base in topology.urls}
    assert all(code == 200 for code in by_server[second]), by_server[second]
    assert any(code is None for code in by_server[first])  # application 1 really died mid-run
    assert requests.get(f"{second}/dang-nhap/", timeout=30).status_code == 200
    for _server, period, value, code in results:
        values = stored(topology, "primary", period)
        if code is not None and 200 <= code < 300:
            assert values == {INDICATORS[0]: value, INDICATORS[1]: value + 1}, (period, code, values)
        else:
            assert values in ({}, {INDICATORS[0]: value, INDICATORS[1]: value + 1}), (period, code, values)
