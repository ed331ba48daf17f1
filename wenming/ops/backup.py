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

A restore checks every checksum first, then writes into an EMPTY database only (and an empty
media directory): it never merges into or overwrites live data."""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection

MANIFEST = "manifest.json"
PG_DUMP, SQLITE_COPY, MEDIA, RULES = "database.dump", "database.sqlite3", "media.tar", "rules.json"
FORMAT = 1
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


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


def check(directory):
    """The manifest of a backup whose every file is present and matches its checksum."""
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{directory} 中没有 {MANIFEST}，不是 Wenming 的备份目录") from None
    except ValueError:
        raise BackupError(f"{MANIFEST} 已损坏，无法读取") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')} 与本版本（{FORMAT}）不符")
    for name, expected in manifest["files"].items():
        path = directory / name
        if not path.is_file():
            raise BackupError(f"备份文件 {name} 缺失，未做任何恢复")
        if path.stat().st_size != expected["bytes"] or sha256_of(path) != expected["sha256"]:
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
    if connection.vendor == "postgresql":
        env, args = _pg_env_and_args(connection.settings_dict)
        connection.close()
        done = _pg_tool("pg_restore", ["--no-owner", "--exit-on-error", "--single-transaction", *args,
                                       str(directory / PG_DUMP)], env)
        if done.returncode != 0:
            raise BackupError(f"pg_restore 失败，目标数据库未写入：{done.stderr.strip()}")
    else:
        connection.ensure_connection()
        source = sqlite3.connect(directory / SQLITE_COPY)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media.parent) as staging, tarfile.open(directory / MEDIA) as tar:
        tar.extractall(staging, filter="data")  # refuses absolute paths, links out of the tree, devices
        for item in Path(staging).iterdir():
            shutil.move(str(item), media / item.name)
    return manifest
