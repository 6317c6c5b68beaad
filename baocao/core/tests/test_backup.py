"""Backup and restore (issue 16, build point 5): `manage.py backup_data` makes one archive of the database
and MEDIA_ROOT; `manage.py restore_data` puts it into a new, empty database and a new MEDIA_ROOT, and the
restored installation exports the same figures for every period and serves the issued report's Word file
byte for byte. A damaged or mismatched archive is refused in Vietnamese and nothing is written.

The tests run on the test suite's database, whichever it is: SQLite (a new database is a new file) or,
with DATABASE_URL (CI's PostgreSQL half), PostgreSQL (a new database on the same server, through pg_dump
and pg_restore). The restore runs as a separate `manage.py` process pointed at the new database, as an
administrator would run it on a new machine. The data must be committed for another process (pg_dump,
SQLite's backup API) to see it, hence transactional tests."""

import contextlib
import datetime
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection, connections

from baocao.collection.models import DataValue
from baocao.core.backup import default_archive_name
from baocao.core.management.commands.restore_data import _when
from baocao.reports.models import ReportRun, RunStatus
from baocao.reports.runs import issue_run, update_run

pytestmark = pytest.mark.django_db(transaction=True)

UPLOAD = "locality-uploads/tai-len-thu.xlsx"
UPLOAD_BYTES = "tệp tải lên đang chờ áp dụng".encode()


def backup(destination: Path) -> Path:
    out = io.StringIO()
    call_command("backup_data", str(destination), stdout=out)
    assert "Đã sao lưu vào" in out.getvalue()
    archives = sorted(destination.glob("*.tar.gz")) if destination.is_dir() else [destination]
    assert len(archives) == 1
    return archives[0]


@contextlib.contextmanager
def new_database(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a `manage.py` that uses a new, empty database of the suite's kind."""
    if connection.vendor == "sqlite":
        yield {"SQLITE_PATH": str(tmp_path / "khoi-phuc.sqlite3")}
        return
    name = f"{connection.settings_dict['NAME']}_khoi_phuc_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    given = connection.settings_dict
    host = given["HOST"] or "localhost"
    credentials = f"{quote(given['USER'] or '')}:{quote(given['PASSWORD'] or '')}"
    url = f"postgres://{credentials}@{host}:{given['PORT'] or 5432}"
    try:
        yield {"DATABASE_URL": f"{url}/{name}"}
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_REPLICA_URL"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, str(Path(django_settings.BASE_DIR) / "manage.py"), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_backup_restored_into_a_new_database_exports_the_same_figures_and_the_issued_word_file(
    demo, tmp_path, settings
):
    settings.BAOCAO_PDF_IN_THREAD = False  # the issued report's PDF job stays queued (no LibreOffice here)
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / UPLOAD).parent.mkdir(parents=True)
    (settings.MEDIA_ROOT / UPLOAD).write_bytes(UPLOAD_BYTES)
    run = ReportRun.objects.select_related("report_type", "org_unit").get()
    update_run(
        run,
        number=125,
        issue_date=datetime.date(2020, 6, 16),
        signer_name="",
        signer_titles="",
        recipients="",
    )
    issued = issue_run(run, User.objects.get(username="lanhdao"))
    assert issued.status == RunStatus.ISSUED
    word = bytes(ReportRun.objects.get(pk=issued.pk).docx)
    assert word.startswith(b"PK")
    periods = sorted(set(DataValue.objects.values_list("period", flat=True)))
    period_args = [arg for period in periods for arg in ("--period", period)]
    before = tmp_path / "truoc.csv"
    call_command("export_values", *period_args, "--output", str(before))

    (tmp_path / "sao-luu").mkdir()
    archive = backup(tmp_path / "sao-luu")

    after, restored_word = tmp_path / "sau.csv", tmp_path / "sau.docx"
    read_back = (
        "from django.core.management import call_command\n"
        "from baocao.reports.models import ReportRun\n"
        f"call_command('export_values', *{period_args!r}, '--output', {str(after)!r})\n"
        f"open({str(restored_word)!r}, 'wb').write(bytes(ReportRun.objects.get(pk={issued.pk}).docx))\n"
    )
    with new_database(tmp_path) as database:
        env = {**database, "MEDIA_ROOT": str(tmp_path / "media-moi")}
        restored = manage(env, "restore_data", "--noinput", str(archive))
        assert restored.returncode == 0, restored.stderr
        assert "Đã khôi phục bản sao lưu" in restored.stdout
        assert "di trú chưa áp dụng" not in restored.stdout  # same code: nothing left to migrate
        exported = manage(env, "shell", "-c", read_back)
        assert exported.returncode == 0, exported.stderr

    assert after.read_text(encoding="utf-8") == before.read_text(encoding="utf-8")
    assert after.read_text(encoding="utf-8").count("\n") == DataValue.objects.count() + 1
    assert restored_word.read_bytes() == word
    assert (tmp_path / "media-moi" / UPLOAD).read_bytes() == UPLOAD_BYTES


# Refused archives ------------------------------------------------------------------------------------


def members_of(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {member.name: tar.extractfile(member).read() for member in tar}  # type: ignore[union-attr]


def write_archive(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def altered(archive: Path, path: Path, change: Callable[[dict], None], *, reseal: bool) -> Path:
    """A copy of the archive with ``change`` applied to its manifest and members; ``reseal`` writes the
    checksums of the changed members into the manifest (a well-formed archive that must still be refused)."""
    members = members_of(archive)
    manifest = json.loads(members.pop("manifest.json"))
    change({"manifest": manifest, "members": members})
    if reseal:
        manifest["files"] = {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in members.items()
        }
    return write_archive(path, {"manifest.json": json.dumps(manifest).encode(), **members})


def flip_a_byte_of_the_database(archive: dict) -> None:
    name = archive["manifest"]["database"]["member"]
    data = bytearray(archive["members"][name])
    data[len(data) // 2] ^= 0xFF
    archive["members"][name] = bytes(data)


def other_database_kind(archive: dict) -> None:
    other = "postgresql" if archive["manifest"]["database"]["vendor"] == "sqlite" else "sqlite"
    archive["manifest"]["database"]["vendor"] = other


def migration_of_a_newer_version(archive: dict) -> None:
    archive["manifest"]["migrations"]["applied"].append("reports.9999_phien_ban_sau")


def unsafe_member(archive: dict) -> None:
    archive["members"]["../ngoai-thu-muc.txt"] = b"x"


def test_restore_refuses_a_damaged_or_mismatched_archive_and_writes_nothing(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / UPLOAD).parent.mkdir(parents=True)
    (settings.MEDIA_ROOT / UPLOAD).write_bytes(UPLOAD_BYTES)
    archive = backup(tmp_path / "sao-luu.tar.gz")
    assert archive.stat().st_mode & 0o077 == 0  # readable by its owner only: it holds everything
    assert call_command("restore_data", "--check", str(archive), stdout=io.StringIO()) is None
    # What happens after the backup: a restore that went ahead would remove this user and this file.
    User.objects.create(username="tao-sau-khi-sao-luu")
    (settings.MEDIA_ROOT / "sau-sao-luu.txt").write_text("mới", encoding="utf-8")

    truncated = tmp_path / "cat-ngan.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    cases = [
        (truncated, "hỏng hoặc không phải bản sao lưu"),
        (
            altered(archive, tmp_path / "sua-byte.tar.gz", flip_a_byte_of_the_database, reseal=False),
            "sai tổng kiểm tra SHA-256",
        ),
        (
            altered(archive, tmp_path / "khac-loai.tar.gz", other_database_kind, reseal=True),
            "không khôi phục chéo loại",
        ),
        (
            altered(archive, tmp_path / "ban-moi.tar.gz", migration_of_a_newer_version, reseal=True),
            "phiên bản mới hơn của hệ thống: mã nguồn này không có các di trú reports.9999_phien_ban_sau",
        ),
        (
            altered(archive, tmp_path / "duong-dan.tar.gz", unsafe_member, reseal=True),
            "thành phần không hợp lệ '../ngoai-thu-muc.txt'",
        ),
    ]
    for bad, message in cases:
        with pytest.raises(CommandError, match=message):
            call_command("restore_data", "--noinput", str(bad))
        assert User.objects.filter(username="tao-sau-khi-sao-luu").exists(), bad.name
        assert (settings.MEDIA_ROOT / "sau-sao-luu.txt").is_file(), bad.name
        assert not (tmp_path / "ngoai-thu-muc.txt").exists()

    out = io.StringIO()
    call_command("restore_data", "--noinput", str(archive), stdout=out)
    assert "Đã khôi phục bản sao lưu" in out.getvalue()
    assert not User.objects.filter(username="tao-sau-khi-sao-luu").exists()
    assert sorted(p.name for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()) == [Path(UPLOAD).name]


def test_backup_never_overwrites_an_existing_file(world, tmp_path):
    existing = tmp_path / "sao-luu.tar.gz"
    existing.write_bytes(b"ban cu")
    with pytest.raises(CommandError, match="đã có; chọn tên khác"):
        call_command("backup_data", str(existing))
    assert existing.read_bytes() == b"ban cu"


def test_a_backup_taken_while_someone_is_saving_holds_only_committed_data(world, tmp_path):
    """The application keeps running during a backup: a transaction still open in another connection
    neither blocks the copy nor ends up half in it."""
    User.objects.create(username="da-luu-truoc")
    writer = connections.create_connection("default")
    writer.set_autocommit(False)
    try:
        with writer.cursor() as cursor:
            cursor.execute(
                "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, "
                "is_staff, is_active, date_joined) "
                "VALUES ('', %s, 'dang-luu-do-dang', '', '', '', %s, %s, %s)",
                [False, False, True, datetime.datetime(2020, 6, 16, tzinfo=datetime.UTC)],
            )
        archive = backup(tmp_path / "trong-luc-ghi.tar.gz")
    finally:
        writer.rollback()
        writer.close()
    # The same user saved for good after the backup: a copy that had caught the open insert would keep it.
    User.objects.create(username="dang-luu-do-dang")

    call_command("restore_data", "--noinput", str(archive), stdout=io.StringIO())
    assert User.objects.filter(username="da-luu-truoc").exists()
    assert not User.objects.filter(username="dang-luu-do-dang").exists()


def test_the_backup_time_is_shown_in_local_time_as_users_read_it():
    """The manifest keeps the moment in UTC (ISO); the commands show it in the committee's time zone."""
    assert _when("2026-12-02T03:14:14.723441+00:00") == "10:14:14 ngày 02/12/2026"
    assert default_archive_name(datetime.datetime(2026, 12, 2, 20, 0, tzinfo=datetime.UTC)).startswith(
        "baocao-sao-luu-20261203-030000"
    )
