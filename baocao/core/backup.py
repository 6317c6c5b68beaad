"""Backup and restore of a whole installation: the database and MEDIA_ROOT in one archive
(docs/decisions/0033-backup-restore.md).

The issued reports' files (Word, PDF, signed PDF/A, the annex) and the tasks' evidence are
``BinaryField`` columns, so they are in the database part; MEDIA_ROOT holds the files kept on disk
(for example a locality upload between its dry run and its import).

An archive is a gzip-compressed tar with

- ``manifest.json``: format and version, when it was made, the application's version, the database
  kind, every migration applied and the code's migration heads, and the SHA-256 and size of every
  other member;
- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the application runs) or
  ``database.pgdump`` (``pg_dump --format=custom``: one snapshot, also while it runs);
- ``media/…``: the files of MEDIA_ROOT.

Restoring reads and checks the whole archive before it writes anything: a member that is missing,
extra, unsafe (absolute path, ``..``, link) or whose checksum differs, a database of another kind or
migrations this code does not know are refused with a Vietnamese message. The database is then
replaced in one transaction (SQLite's backup API into the target; ``pg_restore --single-transaction
--clean --if-exists --no-owner``), and MEDIA_ROOT is swapped in by renaming a fully written copy.
"""

from __future__ import annotations

import dataclasses
import datetime
import glob
import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.postgresql.client import DatabaseClient as PostgresClient
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = "baocao-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA_PREFIX = "media/"
CHUNK = 1 << 20
MANIFEST_LIMIT = 64 << 20  # a checksum line per file: room for hundreds of thousands of media files
# pg_restore waits at most this long for a table another session holds (the application still running),
# then fails and its single transaction is rolled back.
LOCK_TIMEOUT = "30s"


class BackupError(Exception):
    """A backup that cannot be made or an archive that is refused; the message is for the user."""


@dataclasses.dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    media_files: int
    missing_migrations: list[str]  # in the code but not applied in the archive: run `migrate`


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _vendor(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu loại {vendor!r} (chỉ SQLite và PostgreSQL).")
    return vendor


def _migrations(alias: str) -> tuple[list[str], dict[str, list[str]], set[str]]:
    """Applied migrations of the database, the code's heads per app, and every migration the code has."""
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
    applied = sorted(f"{app}.{name}" for app, name in loader.applied_migrations or {})
    heads: dict[str, list[str]] = {}
    for app, name in sorted(loader.graph.leaf_nodes()):
        heads.setdefault(app, []).append(name)
    known = {f"{app}.{name}" for app, name in loader.graph.nodes}
    return applied, heads, known


def _app_version() -> str:
    try:
        return importlib.metadata.version("baocao")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "không rõ"


# PostgreSQL client programs --------------------------------------------------------------------------


def _pg_program(name: str) -> str:
    """``pg_dump``/``pg_restore``: in BAOCAO_PG_BIN if set, else on PATH, else the newest of Debian's
    /usr/lib/postgresql/*/bin (pg_dump must be at least the server's version)."""
    configured = os.environ.get("BAOCAO_PG_BIN")
    candidates = [str(Path(configured) / name)] if configured else []
    found = shutil.which(name)
    if found:
        candidates.append(found)
    candidates += sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
        reverse=True,
    )
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return candidate
    raise BackupError(
        f"Không tìm thấy chương trình {name} của PostgreSQL: cài gói postgresql-client "
        "hoặc đặt BAOCAO_PG_BIN là thư mục chứa nó."
    )


def _pg_connection(alias: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment (password, SSL files) for the PostgreSQL programs, built from
    Django's own settings for the alias, as ``manage.py dbshell`` builds them."""
    settings_dict = connections[alias].settings_dict
    psql_args, extra_env = PostgresClient.settings_to_cmd_args_env(settings_dict, [])
    args = psql_args[1:]
    # psql's command line ends with the database's name when there is one (as Django decides it); pg_dump
    # takes it as an option, and pg_restore needs it as one (its positional argument is the dump file).
    dbname = settings_dict.get("NAME") or (None if settings_dict["OPTIONS"].get("service") else "postgres")
    if dbname:
        args = [*args[:-1], "--dbname", dbname]
    env = {**os.environ, **(extra_env or {})}
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BackupError(f"{what}: không chạy được {command[0]} ({exc}).") from exc
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip().splitlines()
        raise BackupError(f"{what} thất bại ({command[0]}): " + " / ".join(detail[-5:]))


# Backup ----------------------------------------------------------------------------------------------


def _dump_sqlite(alias: str, target: Path) -> None:
    source_path = connections[alias].settings_dict["NAME"]
    if not source_path or str(source_path).startswith(":memory:") or "mode=memory" in str(source_path):
        raise BackupError("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được (cần một tệp).")
    if not Path(source_path).is_file():
        raise BackupError(f"Không có tệp cơ sở dữ liệu SQLite {source_path}.")
    # A connection of its own: the online backup API copies one consistent state while others write.
    source = sqlite3.connect(str(source_path), timeout=60)
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)
        problems = copy.execute("PRAGMA integrity_check").fetchall()
    finally:
        copy.close()
        source.close()
    if problems != [("ok",)]:
        raise BackupError(f"Bản sao cơ sở dữ liệu SQLite không toàn vẹn: {problems[:3]}")


def _dump_postgres(alias: str, target: Path) -> None:
    args, env = _pg_connection(alias)
    command = [_pg_program("pg_dump"), "--format=custom", "--no-password", "--file", str(target), *args]
    _run(command, env, "Sao lưu PostgreSQL")


def _media_files(media_root: Path) -> Iterator[tuple[Path, str]]:
    if not media_root.is_dir():
        return
    for path in sorted(media_root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, MEDIA_PREFIX + path.relative_to(media_root).as_posix()


def default_archive_name(moment: datetime.datetime) -> str:
    return f"baocao-sao-luu-{timezone.localtime(moment).strftime('%Y%m%d-%H%M%S')}.tar.gz"  # local time


def create_backup(destination: Path, *, alias: str = "default") -> tuple[Path, dict[str, Any]]:
    """Write an archive of the database ``alias`` and MEDIA_ROOT. ``destination`` is a directory (a file
    named after the time is made in it) or the archive's path. Returns the path and the manifest."""
    created = timezone.now()  # when the copy was made, in real time (not the domain's clock)
    destination = Path(destination)
    path = destination / default_archive_name(created) if destination.is_dir() else destination
    if path.exists():
        raise BackupError(f"Tệp {path} đã có; chọn tên khác (bản sao lưu không ghi đè).")
    if not path.parent.is_dir():
        raise BackupError(f"Thư mục {path.parent} không có.")
    vendor = _vendor(alias)
    applied, heads, _known = _migrations(alias)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="baocao-sao-luu-") as work:
        database_file = Path(work) / DATABASE_MEMBERS[vendor]
        if vendor == "sqlite":
            _dump_sqlite(alias, database_file)
        else:
            _dump_postgres(alias, database_file)
        members: list[tuple[Path, str]] = [(database_file, DATABASE_MEMBERS[vendor])]
        members += list(_media_files(media_root))
        files = {name: {"sha256": _sha256_file(p), "size": p.stat().st_size} for p, name in members}
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": created.isoformat(),
            "app_version": _app_version(),
            "database": {"vendor": vendor, "member": DATABASE_MEMBERS[vendor]},
            "migrations": {"applied": applied, "heads": heads},
            "files": files,
        }
        partial = path.with_name(path.name + ".dang-ghi")
        try:
            # Only its owner may read it: the archive holds everything (password hashes, tokens, reports).
            partial.touch(mode=0o600, exist_ok=False)
        except FileExistsError as exc:
            raise BackupError(f"Tệp tạm {partial} đã có: bản sao lưu khác đang ghi hoặc bị ngắt.") from exc
        try:
            with tarfile.open(partial, "w:gz") as archive:
                body = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(body), int(created.timestamp()), 0o600
                archive.addfile(info, io.BytesIO(body))
                for member_path, name in members:
                    archive.add(member_path, arcname=name, recursive=False)
            os.replace(partial, path)  # the archive appears only once it is whole
        finally:
            partial.unlink(missing_ok=True)
    return path, manifest


# Restore ---------------------------------------------------------------------------------------------


def _safe_member_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return bool(name) and not pure.is_absolute() and ".." not in pure.parts and "\\" not in name


def _read_archive(archive_path: Path, work: Path) -> dict[str, Any]:
    """Check the archive completely and extract its members into ``work``; return its manifest."""
    if not archive_path.is_file():
        raise BackupError(f"Không có tệp sao lưu {archive_path}.")
    broken = f"Tệp {archive_path.name} hỏng hoặc không phải bản sao lưu của hệ thống"
    try:
        with tarfile.open(archive_path, "r:*") as archive:
            manifest: dict[str, Any] | None = None
            digests: dict[str, tuple[str, int]] = {}
            for member in archive:
                if not _safe_member_name(member.name) or not member.isfile():
                    raise BackupError(f"{broken}: thành phần không hợp lệ {member.name!r}.")
                if member.name in digests or (member.name == MANIFEST and manifest is not None):
                    raise BackupError(f"{broken}: thành phần {member.name!r} xuất hiện hai lần.")
                handle = archive.extractfile(member)
                assert handle is not None  # a regular file
                if member.name == MANIFEST:
                    if member.size > MANIFEST_LIMIT:
                        raise BackupError(f"{broken}: manifest.json quá lớn ({member.size} byte).")
                    try:
                        manifest = json.loads(handle.read().decode("utf-8"))
                    except (UnicodeDecodeError, ValueError) as exc:
                        raise BackupError(f"{broken}: manifest.json không đọc được.") from exc
                    continue
                target = work / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with open(target, "wb") as out:
                    while chunk := handle.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                digests[member.name] = (digest.hexdigest(), size)
    except EOFError as exc:
        raise BackupError(f"{broken}: tệp bị cắt cụt (chép chưa hết?).") from exc
    except tarfile.ReadError as exc:
        raise BackupError(f"{broken}: không phải tệp .tar.gz đọc được.") from exc
    except (tarfile.TarError, OSError, ValueError) as exc:  # gzip/zlib: damaged compressed data
        raise BackupError(f"{broken}: dữ liệu nén bị hỏng.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{broken}: thiếu manifest.json của bản sao lưu.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"Bản sao lưu định dạng phiên bản {manifest.get('format_version')!r}; "
            f"phiên bản này của hệ thống chỉ đọc được phiên bản {FORMAT_VERSION}."
        )
    expected = manifest.get("files")
    if not isinstance(expected, dict):
        raise BackupError(f"{broken}: manifest.json không có danh sách tệp.")
    for name in sorted(set(expected) | set(digests)):
        if name not in digests:
            raise BackupError(f"{broken}: thiếu tệp {name} (có trong manifest.json).")
        if name not in expected:
            raise BackupError(f"{broken}: tệp {name} không có trong manifest.json.")
        entry = expected[name]
        if not isinstance(entry, dict) or (entry.get("sha256"), entry.get("size")) != digests[name]:
            raise BackupError(f"{broken}: tệp {name} sai tổng kiểm tra SHA-256 (đã bị sửa hoặc hỏng).")
    return manifest


def _check_compatible(manifest: dict[str, Any], alias: str) -> list[str]:
    vendor = _vendor(alias)
    database = manifest.get("database") or {}
    archived = database.get("vendor")
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    if archived != vendor:
        kind = names.get(str(archived), repr(archived))
        raise BackupError(
            f"Bản sao lưu là cơ sở dữ liệu {kind}, còn cơ sở dữ liệu đích "
            f"là {names[vendor]}: không khôi phục chéo loại được (chuyển dữ liệu bằng export_values)."
        )
    member = DATABASE_MEMBERS[vendor]
    if database.get("member") != member or member not in manifest["files"]:
        raise BackupError("Bản sao lưu không chứa tệp cơ sở dữ liệu.")
    applied = (manifest.get("migrations") or {}).get("applied")
    if not isinstance(applied, list):
        raise BackupError("manifest.json không ghi các di trú (migration) đã áp dụng.")
    _current, _heads, known = _migrations(alias)
    unknown = sorted(set(applied) - known)
    if unknown:
        raise BackupError(
            "Bản sao lưu được tạo bởi phiên bản mới hơn của hệ thống: mã nguồn này không có các di trú "
            + ", ".join(unknown[:5])
            + ("…" if len(unknown) > 5 else "")
            + ". Cài đúng phiên bản "
            + str(manifest.get("app_version"))
            + " rồi khôi phục."
        )
    return sorted(known - set(applied))


def _restore_sqlite(alias: str, database_file: Path) -> None:
    target = connections[alias].settings_dict["NAME"]
    if not target or str(target).startswith(":memory:") or "mode=memory" in str(target):
        raise BackupError("Không khôi phục được vào cơ sở dữ liệu SQLite trong bộ nhớ.")
    if not Path(target).parent.is_dir():
        raise BackupError(f"Thư mục {Path(target).parent} của cơ sở dữ liệu không có.")
    source = sqlite3.connect(str(database_file))
    try:
        if source.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
            raise BackupError("Tệp cơ sở dữ liệu trong bản sao lưu không toàn vẹn.")
        destination = sqlite3.connect(str(target), timeout=60)
        try:
            source.backup(destination)  # written in one transaction of the target: all of it or nothing
        except sqlite3.Error as exc:
            raise BackupError(f"Không ghi được vào cơ sở dữ liệu {target} ({exc}).") from exc
        finally:
            destination.close()
    finally:
        source.close()


def _restore_postgres(alias: str, database_file: Path) -> None:
    args, env = _pg_connection(alias)
    env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + f" -c lock_timeout={LOCK_TIMEOUT}").strip()
    command = [
        _pg_program("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        "--no-password",
        *args,
        str(database_file),
    ]
    try:
        _run(command, env, "Khôi phục PostgreSQL")
    except BackupError as exc:
        raise BackupError(
            f"{exc} — cơ sở dữ liệu không bị thay đổi. Nếu bảng đang bị khóa: dừng ứng dụng và các tiến "
            "trình nền rồi chạy lại."
        ) from exc


def _swap_media(extracted: Path, media_root: Path) -> int:
    """Replace MEDIA_ROOT by the archive's files: copy them next to it, then two renames."""
    files = [p for p in extracted.rglob("*") if p.is_file()] if extracted.is_dir() else []
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{media_root.name}.khoi-phuc-", dir=media_root.parent))
    umask = os.umask(0)
    os.umask(umask)
    staged.chmod(media_root.stat().st_mode & 0o7777 if media_root.is_dir() else 0o777 & ~umask)
    try:
        if extracted.is_dir():
            shutil.copytree(extracted, staged, dirs_exist_ok=True)
        old = None
        if media_root.exists():
            old = media_root.with_name(f".{media_root.name}.cu-{os.getpid()}")
            os.replace(media_root, old)
        os.replace(staged, media_root)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if staged.exists():
            shutil.rmtree(staged, ignore_errors=True)
    return len(files)


def inspect_backup(archive_path: Path) -> dict[str, Any]:
    """Check an archive completely (every checksum) without restoring it; return its manifest."""
    with tempfile.TemporaryDirectory(prefix="baocao-kiem-tra-") as work:
        return _read_archive(Path(archive_path), Path(work))


def restore_backup(archive_path: Path, *, alias: str = "default") -> RestoreResult:
    """Replace the database ``alias`` and MEDIA_ROOT by the archive's. Everything is checked first; a
    refused archive raises :class:`BackupError` and nothing has been written."""
    with tempfile.TemporaryDirectory(prefix="baocao-khoi-phuc-") as work_dir:
        work = Path(work_dir)
        manifest = _read_archive(Path(archive_path), work)
        missing = _check_compatible(manifest, alias)
        database_file = work / manifest["database"]["member"]
        connections[alias].close()  # this process holds no lock on what is replaced
        if manifest["database"]["vendor"] == "sqlite":
            _restore_sqlite(alias, database_file)
        else:
            _restore_postgres(alias, database_file)
        media_count = _swap_media(work / MEDIA_PREFIX.rstrip("/"), Path(settings.MEDIA_ROOT))
    return RestoreResult(manifest=manifest, media_files=media_count, missing_migrations=missing)
