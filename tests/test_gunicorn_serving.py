"""The production shape's web server (issue 16, serving): real gunicorn with baocao/gunicorn.conf.py, DEBUG
off, static files collected by `collectstatic` and served by WhiteNoise — the admin's stylesheet under its
hashed name, compressed when the browser asks — the Vietnamese 404 page, and an oversized upload refused at
the server's limit with the Vietnamese message (declared length, and a chunked body).

gunicorn runs as a child process on a free port of 127.0.0.1, with its own SQLite file (the pages fetched
read no table) and its own STATIC_ROOT, so it never touches the developer's or the test run's database."""

import gzip
import http.client
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management.utils import get_random_secret_key

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    folder = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="baocao.settings",
        BAOCAO_PRODUCTION="1",
        SECRET_KEY=get_random_secret_key(),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback; the other production defaults stay on
        SQLITE_PATH=str(folder / "empty.sqlite3"),
        STATIC_ROOT=str(folder / "static"),
        BAOCAO_MAX_REQUEST_BYTES=str(64 * 1024),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="2",
        GUNICORN_GRACEFUL_TIMEOUT="5",
    )
    # The front-end libraries (vendor/: ECharts alone is a megabyte to compress) and the API browser's
    # files are on no page fetched here.
    collected = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "collectstatic",
            "--noinput",
            "--ignore",
            "vendor",
            "--ignore",
            "rest_framework",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert collected.returncode == 0, collected.stdout + collected.stderr
    log = folder / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(GUNICORN), "-c", str(ROOT / "baocao" / "gunicorn.conf.py")],
            cwd=folder,  # gunicorn.conf.py changes into the repository itself (chdir)
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text(errors="replace")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(0.2)
        yield "127.0.0.1", port
    finally:
        process.terminate()
        process.wait(timeout=30)


def get(server: tuple[str, int], path: str, **headers: str) -> tuple[http.client.HTTPResponse, bytes]:
    connection = http.client.HTTPConnection(*server, timeout=30)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def test_the_admin_login_page_links_its_stylesheet_under_a_hashed_name_served_compressed(server):
    response, body = get(server, "/quan-tri/login/")
    assert response.status == 200
    assert response.getheader("Server", "").startswith("gunicorn")
    link = re.search(
        r'<link rel="stylesheet" href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', body.decode()
    )
    assert link is not None, body.decode()[:2000]

    css, content = get(server, link.group(1), **{"Accept-Encoding": "gzip"})
    assert css.status == 200
    assert css.getheader("Content-Type", "").startswith("text/css")
    assert css.getheader("Content-Encoding") == "gzip"
    assert "immutable" in css.getheader("Cache-Control", "")  # a hashed name is cached for ever
    assert b"body" in gzip.decompress(content)

    plain, text = get(server, link.group(1))
    assert plain.getheader("Content-Encoding") is None
    assert text == gzip.decompress(content)


def test_a_missing_page_is_the_vietnamese_404(server):
    response, body = get(server, "/khong-co-trang-nay/")
    assert response.status == 404
    assert "Không tìm thấy trang" in body.decode()


def raw_request(server: tuple[str, int], head: str, body: bytes = b"") -> str:
    """Send a request as bytes (headers that http.client would correct) and read the whole answer. A server
    that refuses a body stops reading it and closes: sending the rest then fails (reset), as for a browser,
    and the answer already sent is read all the same."""
    with socket.create_connection(server, timeout=30) as connection:
        try:
            connection.sendall(head.replace("\n", "\r\n").encode("ascii") + b"\r\n" + body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    return answer.decode("utf-8", errors="replace")


def test_an_upload_over_the_limit_is_refused_from_its_declared_length(server):
    answer = raw_request(
        server,
        "POST /dia-phuong/ HTTP/1.1\nHost: 127.0.0.1\nContent-Type: multipart/form-data; boundary=x\n"
        "Content-Length: 1073741824\nConnection: close\n",
    )  # a gigabyte announced, nothing sent: the answer comes without waiting for it
    assert answer.startswith("HTTP/1.1 413")
    assert "Dữ liệu gửi lên quá lớn (1.024 MB): máy chủ chỉ nhận tối đa 64 KB mỗi lần gửi." in answer


def test_a_chunked_upload_over_the_limit_is_refused(server):
    piece = b"{" * 4096
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for _ in range(40)) + b"0\r\n\r\n"
    answer = raw_request(
        server,
        "POST /api/v1/data-values/ HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\n"
        "Transfer-Encoding: chunked\nConnection: close\n",
        chunks,
    )
    assert answer.startswith("HTTP/1.1 413")
    assert (
        '"message": "Dữ liệu gửi lên quá lớn (hơn 64 KB): máy chủ chỉ nhận tối đa 64 KB mỗi lần gửi. '
        'Hãy chọn tệp nhỏ hơn hoặc chia dữ liệu thành nhiều lần gửi."}]}'
    ) in answer  # one byte past the limit read, the rest of 160 KB not: its size is unknown, so “hơn”
