"""`wenming backup DIR` and `wenming restore DIR` (docs/operations.md, "Backups").

A backup directory holds:

- the database: `database.dump` (pg_dump's custom format: one consistent snapshot however many
  votes are being cast) or `database.sqlite3` (SQLite's online backup API, copied in one step
  under a read lock, so also one consistent snapshot);
- `media.tar`: the uploads directory;
- `rules.json`: every campaign's rule versions (the validated presets as loaded, with their
  digests), readable without restoring anything;
- `manifest.json`: the release, the database vendor, the applied migrations, the time, and
  each file's size and sha256.

A restore touches nothing until the whole backup has been checked: the manifest must list the
database copy of its vendor, the media and the rules, every name in it must be one of these
plain file names in the backup directory (never a path, `..` or a link leading out of it), and
every file must match its size and sha256. It then writes into an EMPTY database only (and an
empty media directory): it never merges into or overwrites live data. The media are unpacked
first into a staging directory beside the media directory (tarfile's "data" filter refuses
absolute names, `..`, links out of the tree and devices), the database is restored, and only
then are the staged media moved into place; if anything fails the staging directory is
removed and the media directory is as it was."""

import datetime
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection

MANIFEST = "manifest.json"
PG_DUMP, SQLITE_COPY, MEDIA, RULES = "database.dump", "database.sqlite3", "media.tar", "rules.json"
FORMAT = 1
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
DATABASE_FILES = {"postgresql": PG_DUMP, "sqlite": SQLITE_COPY}
KNOWN_FILES = frozenset({PG_DUMP, SQLITE_COPY, MEDIA, RULES})


class BackupError(Exception):
    """Why a backup or restore was refused or failed, in Chinese for the operator."""


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def release():
    """The running release without git: the project version and a digest of its Python sources
    and preset files, so two machines can tell whether they run the same code."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".yaml") and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    pyproject = root.parent / "pyproject.toml"
    version = "unknown"
    if pyproject.exists():
        import tomllib

        version = tomllib.loads(pyproject.read_text())["project"]["version"]
    return {"version": version, "source_sha256": digest.hexdigest()}


def _applied_migrations():
    from django.db.migrations.recorder import MigrationRecorder

    latest = {}
    for app, name in MigrationRecorder(connection).migration_qs.values_list("app", "name").order_by("app", "name"):
        latest[app] = name
    return latest


def _pg_env_and_args(db):
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    args = ["--dbname", db["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return env, args


def _pg_tool(name, args, env):
    """Run pg_dump or pg_restore (from PATH; the client must be at least the server's version)."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"找不到 {name}，请先安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client）")
    return subprocess.run([path, *args], env=env, capture_output=True, text=True)  # noqa: S603 (fixed arguments)


def _dump_database(directory):
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        env, args = _pg_env_and_args(db)
        target = directory / PG_DUMP
        done = _pg_tool("pg_dump", ["--format=custom", "--no-owner", "--file", str(target), *args], env)
        if done.returncode != 0:
            raise BackupError(f"pg_dump 失败：{done.stderr.strip()}")
        return target
    if connection.vendor == "sqlite":
        target = directory / SQLITE_COPY
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)  # pages=-1: the whole database in one step
        finally:
            copy.close()
        return target
    raise BackupError(f"不支持备份此类数据库：{connection.vendor}")


def _dump_media(directory):
    target = directory / MEDIA
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(target, "w") as tar:
        if media.is_dir():
            for path in sorted(media.rglob("*")):
                tar.add(path, arcname=str(path.relative_to(media)), recursive=False)
    return target


def _dump_rules(directory):
    from wenming.campaigns.models import Campaign

    campaigns = []
    for campaign in Campaign.objects.order_by("pk").prefetch_related("rule_sets"):
        campaigns.append({
            "slug": campaign.slug, "name": campaign.name, "rules_version": campaign.rules_version,
            "rule_sets": [{"version": r.version, "preset_version": r.preset_version, "sha256": r.sha256,
                           "loaded_at": r.loaded_at.isoformat(), "data": r.data}
                          for r in sorted(campaign.rule_sets.all(), key=lambda r: r.version)],
        })
    target = directory / RULES
    target.write_text(json.dumps({"campaigns": campaigns}, ensure_ascii=False, indent=1, sort_keys=True))
    return target


def backup(directory):
    """Write a backup into `directory` (new or empty); returns the manifest."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"备份目录 {directory} 不是空的，请指定一个新目录")
    directory.mkdir(parents=True, exist_ok=True)
    created = datetime.datetime.now(datetime.UTC)
    migrations = _applied_migrations()
    files = [_dump_database(directory), _dump_media(directory), _dump_rules(directory)]
    manifest = {
        "format": FORMAT, "release": release(), "vendor": connection.vendor, "created_at": created.isoformat(),
        "migrations": migrations,
        "files": {path.name: {"bytes": path.stat().st_size, "sha256": sha256_of(path)} for path in files},
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
    return manifest


def _listed_file(directory, name):
    """The path of a file the manifest names, refused unless it is one of a backup's own plain
    file names and lies in the backup directory itself (not behind a link leading elsewhere)."""
    if not isinstance(name, str) or name not in KNOWN_FILES:
        raise BackupError(f"清单列出的文件 {name!s} 不是备份目录中的备份文件（只允许 "
                          f"{'、'.join(sorted(KNOWN_FILES))}），未做任何恢复")
    path = directory / name
    if path.is_symlink() or path.resolve().parent != directory.resolve():
        raise BackupError(f"备份文件 {name} 指向备份目录之外，未做任何恢复")
    return path


def check(directory):
    """The manifest of a backup whose database copy, media and rules are all listed, and whose
    every listed file is in the backup directory and matches its checksum."""
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{directory} 中没有 {MANIFEST}，不是 Wenming 的备份目录") from None
    except ValueError:
        raise BackupError(f"{MANIFEST} 已损坏，无法读取") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise BackupError(f"备份格式 {found} 与本版本（{FORMAT}）不符")
    files = manifest.get("files")
    database = DATABASE_FILES.get(manifest.get("vendor"))
    if not isinstance(files, dict) or database is None:
        raise BackupError(f"{MANIFEST} 不完整（缺少数据库类型或文件清单），未做任何恢复")
    paths = {name: _listed_file(directory, name) for name in files}
    missing = [name for name in (database, MEDIA, RULES) if name not in files]
    if missing:
        raise BackupError(f"清单中缺少 {'、'.join(missing)}，备份不完整，未做任何恢复")
    for name, expected in files.items():
        path = paths[name]
        if not path.is_file():
            raise BackupError(f"备份文件 {name} 缺失，未做任何恢复")
        if (not isinstance(expected, dict) or path.stat().st_size != expected.get("bytes")
                or sha256_of(path) != expected.get("sha256")):
            raise BackupError(f"备份文件 {name} 的校验值与清单不符（文件已损坏或被改动），未做任何恢复")
    return manifest


def _target_problem():
    tables = connection.introspection.table_names()
    if tables:
        return (f"目标数据库不是空的（已有 {len(tables)} 张表），恢复只能写入空数据库，未做任何改动。"
                "请新建一个空数据库，把 DATABASE_URL 指向它后重试。")
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(media.iterdir()):
        return f"上传文件目录 {media} 不是空的，恢复不会覆盖已有文件，未做任何改动。请换用空的数据目录后重试。"
    return None


def _stage_media(directory, media):
    """Unpack media.tar into a new directory beside `media`; returns it. Refuses (and removes
    it) when an entry is absolute, leaves the tree through `..` or a link, or is a device."""
    media.parent.mkdir(parents=True, exist_ok=True)
    staging = media.parent / f".{media.name}-restore-{secrets.token_hex(4)}"
    staging.mkdir()
    try:
        with tarfile.open(directory / MEDIA) as tar:
            tar.extractall(staging, filter="data")
    except (tarfile.TarError, OSError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BackupError(f"{MEDIA} 中有不能恢复的条目（{exc}），未做任何恢复") from None
    return staging


def _restore_database(directory):
    if connection.vendor == "postgresql":
        env, args = _pg_env_and_args(connection.settings_dict)
        connection.close()
        done = _pg_tool("pg_restore", ["--no-owner", "--exit-on-error", "--single-transaction", *args,
                                       str(directory / PG_DUMP)], env)
        if done.returncode != 0:
            raise BackupError(f"pg_restore 失败，目标数据库未写入：{done.stderr.strip()}")
        return
    connection.ensure_connection()
    try:
        source = sqlite3.connect(f"{(directory / SQLITE_COPY).resolve().as_uri()}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{SQLITE_COPY} 无法读取（{exc}），目标数据库未写入") from None
    finally:
        connection.close()


def restore(directory):
    """Restore a checked backup into the empty configured database, then the media; returns the manifest."""
    directory = Path(directory)
    manifest = check(directory)
    if manifest["vendor"] != connection.vendor:
        raise BackupError(f"备份来自 {VENDOR_NAMES.get(manifest['vendor'], manifest['vendor'])} 数据库，"
                          f"目标是 {VENDOR_NAMES.get(connection.vendor, connection.vendor)}，不能直接恢复")
    problem = _target_problem()
    if problem:
        raise BackupError(problem)
    media = Path(settings.MEDIA_ROOT)
    staging = _stage_media(directory, media)
    try:
        _restore_database(directory)
        if media.is_dir():
            media.rmdir()  # empty (checked above): the staged tree takes its place whole
        staging.rename(media)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest
