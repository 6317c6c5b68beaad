#!/usr/bin/env python3
"""The production shape on loopback, for tests and demonstrations (issue 16; docs/decisions/0031).

    deploy/topology.py up        # PostgreSQL primary + one streaming replica (pg_basebackup -R), migrate,
                                 # the demo data, collectstatic, two gunicorn application processes, two
                                 # job workers; prints the addresses and writes the state file
    deploy/topology.py status    # what is running (exit status 1 when something is not)
    deploy/topology.py down      # stops everything and removes the data directories
    deploy/topology.py pg primary|replica start|stop|restart    # for the fault tests and demonstrations

Ports: 55401 (primary), 55402 (replica), 55411 and 55412 (applications); --primary-port, --replica-port,
--app-ports or the environment (TOPOLOGY_PRIMARY_PORT, TOPOLOGY_REPLICA_PORT, TOPOLOGY_APP_PORTS). The
state file (JSON: ports, pids, data directories, the applications' environment) is
``$TOPOLOGY_STATE_DIR/state.json`` (default: a ``baocao-topology`` directory in the system's temp
directory). PostgreSQL's binaries: $PGBIN, else the newest /usr/lib/postgresql/*/bin; run as the
``postgres`` user when this script runs as root, directly otherwise.

Standard library only: it starts the application's own Python (.venv/bin/python, else this one).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STATE_DIR = Path(tempfile.gettempdir()) / "baocao-topology"
DATABASE = "baocao"


def state_dir() -> Path:
    return Path(os.environ.get("TOPOLOGY_STATE_DIR", str(DEFAULT_STATE_DIR)))


def state_file() -> Path:
    return state_dir() / "state.json"


def log(message: str) -> None:
    print(f"[topology] {message}", flush=True)


# --- PostgreSQL ---------------------------------------------------------------------------------------


def pg_bin() -> Path:
    if os.environ.get("PGBIN"):
        return Path(os.environ["PGBIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    if found:
        return Path(found[-1])
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    sys.exit("Không tìm thấy PostgreSQL (initdb): cài gói postgresql hoặc đặt PGBIN.")


def as_postgres(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL program: as the postgres user when we are root (PostgreSQL refuses root)."""
    if os.geteuid() == 0 and shutil.which("runuser"):
        args = ["runuser", "-u", "postgres", "--", *args]
    elif os.geteuid() == 0:
        args = ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(args)]
    kwargs.setdefault("check", True)
    kwargs.setdefault("text", True)
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.STDOUT)
    try:
        return subprocess.run(args, **kwargs)
    except subprocess.CalledProcessError as error:
        raise SystemExit(f"{' '.join(args)} thất bại:\n{error.stdout or ''}{error.stderr or ''}") from error


def make_data_dir(base: Path, name: str) -> Path:
    path = base / name
    path.mkdir(mode=0o700)
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
    return path


def pg_ctl(state: dict[str, Any], which: str, action: str) -> None:
    node = state[which]
    args = [str(Path(state["pgbin"]) / "pg_ctl"), "-D", node["data"], "-w", "-t", "60"]
    if action == "stop":
        args += ["-m", "fast", "stop"]
    elif action in {"start", "restart"}:
        args += ["-l", node["log"], action]
    else:
        raise SystemExit(f"Thao tác không hợp lệ: {action}")
    if action == "stop" and not Path(node["data"], "postmaster.pid").exists():
        return
    as_postgres(args)


def psql(state: dict[str, Any], which: str, sql: str) -> str:
    node = state[which]
    result = as_postgres(
        [
            str(Path(state["pgbin"]) / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(node["port"]),
            "-U",
            "postgres",
            "-d",
            DATABASE,
            "-Atc",
            sql,
        ],
        stderr=subprocess.PIPE,
    )
    return result.stdout.strip()


def start_postgres(state: dict[str, Any]) -> None:
    pgbin = Path(state["pgbin"])
    primary, replica = state["primary"], state["replica"]
    as_postgres(
        [
            str(pgbin / "initdb"),
            "-D",
            primary["data"],
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ]
    )
    with open(Path(primary["data"]) / "postgresql.conf", "a", encoding="utf-8") as conf:
        conf.write(
            "\n# deploy/topology.py: the primary on loopback, streaming to one replica\n"
            f"listen_addresses = '127.0.0.1'\nport = {primary['port']}\n"
            f"unix_socket_directories = '{primary['data']}'\n"
            "wal_level = replica\nmax_wal_senders = 5\nwal_keep_size = '256MB'\nhot_standby = on\n"
            "max_connections = 200\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
        )
    with open(Path(primary["data"]) / "pg_hba.conf", "a", encoding="utf-8") as hba:
        hba.write("host replication postgres 127.0.0.1/32 trust\n")
    pg_ctl(state, "primary", "start")
    as_postgres(
        [str(pgbin / "createdb"), "-h", "127.0.0.1", "-p", str(primary["port"]), "-U", "postgres", DATABASE]
    )
    log(f"máy chủ chính PostgreSQL: 127.0.0.1:{primary['port']}")
    # The replica: a base backup of the primary with -R (standby.signal + primary_conninfo): streaming.
    # (into the empty directory made for it, owned by the postgres user)
    as_postgres(
        [
            str(pgbin / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary["port"]),
            "-U",
            "postgres",
            "-D",
            replica["data"],
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        ]
    )
    with open(Path(replica["data"]) / "postgresql.conf", "a", encoding="utf-8") as conf:
        conf.write(
            "\n# deploy/topology.py: the streaming replica (read-only)\n"
            f"port = {replica['port']}\nunix_socket_directories = '{replica['data']}'\n"
        )
    pg_ctl(state, "replica", "start")
    if psql(state, "replica", "select pg_is_in_recovery()") != "t":
        raise SystemExit("Máy chủ đọc phụ không ở chế độ nhận bản sao (pg_is_in_recovery).")
    log(f"máy chủ đọc phụ (streaming replica): 127.0.0.1:{replica['port']}")


# --- the application ----------------------------------------------------------------------------------


def python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def app_env(state: dict[str, Any]) -> dict[str, str]:
    base = Path(state["dir"])
    primary, replica = state["primary"]["port"], state["replica"]["port"]
    env = {
        "BAOCAO_PRODUCTION": "1",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{primary}/{DATABASE}",
        "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{replica}/{DATABASE}",
        "STATIC_ROOT": str(base / "static"),
        "MEDIA_ROOT": str(base / "media"),
        "BAOCAO_SIGNING_DIR": str(base / "signing"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",  # nothing leaves the machine
        "EMAIL_FILE_PATH": str(base / "mail"),
        "BAOCAO_PDF_IN_THREAD": "0",  # PDFs: the job workers
        "BAOCAO_PERIODIC_IN_THREAD": "0",
        "BAOCAO_JOB_QUEUE": "procrastinate",  # the queue on PostgreSQL (docs/decisions/0030)
        "BAOCAO_TODAY": "2020-06-16",  # the demo's day (docs/decisions/0020)
        # A dead worker's job is taken up within seconds here (production: 30 s silent, checked every 15 s).
        "BAOCAO_JOB_HEARTBEAT_SECONDS": "2",
        "BAOCAO_JOB_STALLED_SECONDS": "8",
        "BAOCAO_JOB_STALLED_CHECK_SECONDS": "3",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "4",
        "LOG_LEVEL": "WARNING",
    }
    # Anything given in the environment wins (TOPOLOGY_ENV_<NAME>=value sets NAME).
    for name, value in os.environ.items():
        if name.startswith("TOPOLOGY_ENV_"):
            env[name.removeprefix("TOPOLOGY_ENV_")] = value
    return env


def child_env(state: dict[str, Any]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "BAOCAO_", "SECRET_KEY"))}
    env.update(state["env"])
    return env


def manage(state: dict[str, Any], *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [python(), str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env={**child_env(state), **(env or {})},
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} thất bại:\n{result.stdout}")
    return result.stdout


def spawn(state: dict[str, Any], name: str, args: list[str], extra_env: dict[str, str]) -> dict[str, Any]:
    log_path = Path(state["dir"]) / f"{name}.log"
    with open(log_path, "ab") as out:
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env={**child_env(state), **extra_env},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stopped (or killed) with its children
        )
    return {"name": name, "pid": process.pid, "log": str(log_path)}


def start_app(state: dict[str, Any], index: int, port: int) -> dict[str, Any]:
    args = [python(), "-m", "gunicorn"]
    conf = ROOT / "baocao" / "gunicorn.conf.py"
    if conf.exists():
        args += ["-c", str(conf)]
    else:
        args += ["baocao.wsgi:application", "--workers", "2", "--threads", "4", "--worker-class", "gthread"]
    args += ["--bind", f"127.0.0.1:{port}", "--pid", str(Path(state["dir"]) / f"app{index}.pid")]
    process = spawn(state, f"app{index}", args, {"GUNICORN_BIND": f"127.0.0.1:{port}"})
    process["port"] = port
    process["url"] = f"http://127.0.0.1:{port}"
    return process


def wait_http(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} không trả lời sau {seconds:.0f} giây.")
        time.sleep(0.3)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (our child, not reaped) is not alive
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return True


def stop_group(pid: int, seconds: float = 15) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def own_processes(state: dict[str, Any]) -> list[int]:
    """Every process started with this topology's environment (its SECRET_KEY is unique): the applications,
    the workers and what they started in sessions of their own (a worker's LibreOffice), even orphaned
    by a killed parent."""
    mark = f"SECRET_KEY={state['env']['SECRET_KEY']}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if mark in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


# --- commands -----------------------------------------------------------------------------------------


def write_state(state: dict[str, Any]) -> None:
    path = state_file()
    path.write_text(json.dumps(state, indent=2, ensure_ascii=False), encoding="utf-8")
    path.chmod(0o600)  # it holds the throw-away SECRET_KEY


def read_state() -> dict[str, Any] | None:
    try:
        return json.loads(state_file().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def up(options: argparse.Namespace) -> None:
    if read_state() is not None:
        raise SystemExit(f"Mô hình đang chạy (hoặc còn sót): {state_file()}. Chạy `down` trước.")
    base = state_dir()
    base.mkdir(parents=True, exist_ok=True)
    base.chmod(0o755)  # the postgres user reaches its data directories inside
    state: dict[str, Any] = {
        "dir": str(base),
        "pgbin": str(pg_bin()),
        "primary": {"port": options.primary_port, "data": str(make_data_dir(base, "primary"))},
        "replica": {"port": options.replica_port, "data": str(make_data_dir(base, "replica"))},
        "apps": [],
        "workers": [],
    }
    for which in ("primary", "replica"):
        state[which]["log"] = str(Path(state[which]["data"]).parent / f"{which}-postgres.log")
        Path(state[which]["log"]).touch()
        if os.geteuid() == 0:
            shutil.chown(state[which]["log"], "postgres", "postgres")
    state["env"] = app_env(state)
    write_state(state)  # from here on, `down` cleans up whatever was started
    started = time.monotonic()
    start_postgres(state)
    write_state(state)
    log("migrate, dữ liệu mẫu, collectstatic …")
    collectstatic = subprocess.Popen(  # files only: alongside the database's work
        [python(), str(ROOT / "manage.py"), "collectstatic", "--noinput"],
        cwd=ROOT,
        env=child_env(state),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    manage(state, "migrate", "--noinput")
    # The demo's accounts have a published password: load_demo refuses production mode, and this is a
    # test bench, so it runs outside it (the applications themselves run in production mode).
    manage(state, "load_demo", env={"BAOCAO_PRODUCTION": "0"})
    output, _ = collectstatic.communicate()
    if collectstatic.returncode != 0:
        raise SystemExit(f"manage.py collectstatic thất bại:\n{output}")
    for index, port in enumerate(options.app_ports, start=1):
        state["apps"].append(start_app(state, index, port))
        write_state(state)
    for index in range(1, options.workers + 1):
        worker = spawn(state, f"worker{index}", [python(), str(ROOT / "manage.py"), "run_jobs"], {})
        state["workers"].append(worker)
        write_state(state)
    for app in state["apps"]:
        wait_http(f"{app['url']}/dang-nhap/")
        log(f"ứng dụng {app['name']}: {app['url']}/ (pid {app['pid']})")
    for worker in state["workers"]:
        if not alive(worker["pid"]):
            log(f"CẢNH BÁO: {worker['name']} đã dừng, xem {worker['log']}")
        else:
            log(f"tiến trình công việc {worker['name']} (pid {worker['pid']})")
    log(f"sẵn sàng sau {time.monotonic() - started:.0f} giây; trạng thái: {state_file()}")


def down(options: argparse.Namespace) -> None:
    state = read_state()
    if state is None:
        log("không có mô hình nào đang chạy.")
        if state_dir().exists() and options.force:
            shutil.rmtree(state_dir(), ignore_errors=True)
        return
    for process in state.get("apps", []) + state.get("workers", []):
        stop_group(process["pid"])
    for pid in own_processes(state) if "env" in state else []:  # orphans of a killed worker or application
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for which in ("replica", "primary"):
        if which in state and Path(state[which]["data"]).exists():
            try:
                pg_ctl(state, which, "stop")
            except subprocess.CalledProcessError as error:
                log(f"dừng {which}: {error.stdout}")
    shutil.rmtree(state["dir"], ignore_errors=True)
    log("đã dừng và xóa.")


def status(options: argparse.Namespace) -> int:
    state = read_state()
    if state is None:
        log("không có mô hình nào đang chạy.")
        return 1
    healthy = True
    for which in ("primary", "replica"):
        node = state[which]
        ready = subprocess.run(
            [str(Path(state["pgbin"]) / "pg_isready"), "-h", "127.0.0.1", "-p", str(node["port"])],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        healthy &= ready.returncode == 0
        print(f"{which:8} 127.0.0.1:{node['port']:<6} {'chạy' if ready.returncode == 0 else 'DỪNG'}")
    for process in state["apps"] + state["workers"]:
        running = alive(process["pid"])
        healthy &= running
        where = process.get("url", "")
        print(f"{process['name']:8} pid {process['pid']:<8} {'chạy' if running else 'DỪNG'} {where}")
    return 0 if healthy else 1


def pg_command(options: argparse.Namespace) -> None:
    state = read_state()
    if state is None:
        raise SystemExit("Không có mô hình nào đang chạy.")
    pg_ctl(state, options.which, options.action)
    log(f"{options.which}: {options.action}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("up", help="khởi động toàn bộ mô hình")
    start.add_argument(
        "--primary-port", type=int, default=int(os.environ.get("TOPOLOGY_PRIMARY_PORT", 55401))
    )
    start.add_argument(
        "--replica-port", type=int, default=int(os.environ.get("TOPOLOGY_REPLICA_PORT", 55402))
    )
    start.add_argument(
        "--app-ports",
        type=lambda text: [int(port) for port in text.split(",")],
        default=[int(port) for port in os.environ.get("TOPOLOGY_APP_PORTS", "55411,55412").split(",")],
    )
    start.add_argument("--workers", type=int, default=2)
    stop = commands.add_parser("down", help="dừng tất cả và xóa thư mục dữ liệu")
    stop.add_argument(
        "--force", action="store_true", help="xóa thư mục trạng thái dù không có tệp trạng thái"
    )
    commands.add_parser("status", help="những gì đang chạy")
    pg = commands.add_parser("pg", help="khởi động, dừng, khởi động lại một máy chủ PostgreSQL")
    pg.add_argument("which", choices=["primary", "replica"])
    pg.add_argument("action", choices=["start", "stop", "restart"])
    options = parser.parse_args(argv)
    if options.command == "up":
        try:
            up(options)
        except BaseException:
            log("khởi động thất bại: dừng những gì đã chạy.")
            down(argparse.Namespace(force=True))
            raise
        return 0
    if options.command == "down":
        down(options)
        return 0
    if options.command == "status":
        return status(options)
    pg_command(options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
