"""The loopback topology for the deploy tests (`make test-topology`; not in the default test paths).

One session: ``deploy/topology.py up`` in a state directory of its own (ports from TOPOLOGY_* or the
defaults), ``down`` at the end whatever happened. The tests talk HTTP to the two gunicorn application
processes and SQL (psycopg) to the primary and the replica, as a client and an operator would.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
TOPOLOGY = ROOT / "deploy" / "topology.py"
DEMO_PASSWORD = "baocao-demo-2020"  # the demo's published password (README, baocao.demo.users)
WINDOW_COOKIE = "baocao_doc_chinh"  # baocao.core.replica.WINDOW_COOKIE


@dataclass
class Topology:
    state: dict[str, Any]
    env: dict[str, str]

    @property
    def urls(self) -> list[str]:
        return [app["url"] for app in self.state["apps"]]

    def dsn(self, which: str) -> str:
        return f"host=127.0.0.1 port={self.state[which]['port']} dbname=baocao user=postgres"

    def sql(self, which: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.dsn(which), autocommit=True, connect_timeout=5) as connection:
            return connection.execute(query, params).fetchall()

    def run(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, str(TOPOLOGY), *args],
            env=self.env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout
        return result.stdout

    def manage(self, *args: str) -> str:
        env = {**os.environ, **self.state["env"]}
        python = ROOT / ".venv" / "bin" / "python"
        result = subprocess.run(
            [str(python if python.exists() else sys.executable), str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout
        return result.stdout


@pytest.fixture(scope="session")
def topology() -> Iterator[Topology]:
    """A topology of its own; or, with TOPOLOGY_REUSE=1, the one already running in TOPOLOGY_STATE_DIR (left
    running: for working on these tests, the fault tests change it)."""
    if os.environ.get("TOPOLOGY_REUSE") == "1":
        env = {**os.environ}
        reused = Path(env.get("TOPOLOGY_STATE_DIR", Path(tempfile.gettempdir()) / "baocao-topology"))
        yield Topology(state=json.loads((reused / "state.json").read_text(encoding="utf-8")), env=env)
        return
    directory = tempfile.mkdtemp(prefix="baocao-topology-test-")
    env = {**os.environ, "TOPOLOGY_STATE_DIR": directory}
    env.pop("DATABASE_URL", None)  # the topology makes its own databases
    started = subprocess.run(
        [sys.executable, str(TOPOLOGY), "up"],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=900,
    )
    if started.returncode != 0:
        pytest.fail(f"Không khởi động được mô hình chạy thử:\n{started.stdout}")
    state = json.loads((Path(directory) / "state.json").read_text(encoding="utf-8"))
    try:
        yield Topology(state=state, env=env)
    finally:
        subprocess.run([sys.executable, str(TOPOLOGY), "down"], env=env, timeout=300, check=False)


@pytest.fixture(scope="session")
def token(topology: Topology) -> str:
    """The demo administrator's API token (manage.py api_token, as a machine client gets one)."""
    return topology.manage("api_token", "admin").strip().splitlines()[-1]


def api(base: str, token: str) -> requests.Session:
    """A machine client: the token, and a cookie jar (as requests keeps one) for the write window."""
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    session.base_url = base  # type: ignore[attr-defined]
    return session


def login(base: str, username: str = "admin") -> requests.Session:
    """A browser: the login form with its CSRF token, then the session cookie."""
    session = requests.Session()
    page = session.get(f"{base}/dang-nhap/", timeout=30)
    assert page.status_code == 200
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert csrf, "trang đăng nhập không có mã CSRF"
    answer = session.post(
        f"{base}/dang-nhap/",
        data={"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": csrf.group(1)},
        headers={"Referer": f"{base}/dang-nhap/"},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text[:500]
    return session


def wait_for(check: Callable[[], bool], seconds: float = 20, message: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(message or f"điều kiện không đạt sau {seconds} giây")
        time.sleep(0.2)
