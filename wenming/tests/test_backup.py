"""The restore drill (docs/operations.md, "Backups"): the demo in the results phase, a backup taken
while votes are being cast, a restore into an empty database with `wenming restore`, and the
published checks (`wenming results verify`, `wenming votes verify`) run on the restored copy by
the commands an operator runs. On SQLite always; on PostgreSQL when the suite runs there
(DATABASE_URL), restoring into a database of its own name."""

import datetime
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import threading
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from wenming.core.models import Resident
from wenming.ops import backup
from wenming.voting import services as voting
from wenming.voting.models import Vote

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


class EmptyTarget:
    """An empty database of the suite's vendor, as a DATABASE_URL, dropped afterwards."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.made = []

    def new(self):
        if connection.vendor == "postgresql":
            db = connection.settings_dict
            name = f"{db['NAME']}_restore_{uuid.uuid4().hex[:8]}"
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
            self.made.append(name)
            auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
            return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
        path = self.tmp_path / f"restored-{uuid.uuid4().hex[:8]}.sqlite3"
        return f"sqlite:///{path}"

    def drop(self):
        for name in self.made:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def targets(tmp_path):
    made = EmptyTarget(tmp_path)
    yield made
    made.drop()


def wenming(url, data_dir, *args, phone_keys=None):
    """The command as an operator runs it on the restore machine: its own secret key, and the
    phone keys brought from the secrets store (not from the backup), unless told otherwise."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "WENMING_DEMO")}
    env.update(DATABASE_URL=url, WENMING_DATA_DIR=str(data_dir), WENMING_SECRET_KEY="restore-drill-" + "x" * 40,
               PYTHONPATH=str(ROOT))
    keys, hash_keys = phone_keys or (settings.PHONE_KEYS, settings.PHONE_HASH_KEYS)
    env.update(WENMING_PHONE_KEYS=",".join(keys), WENMING_PHONE_HASH_KEYS=",".join(hash_keys))
    return subprocess.run([sys.executable, "-m", "wenming", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


def cast_under_load(campaign, stop, cast):
    """Votes through the service until told to stop. The sheets are published, so a counted vote
    now would rightly make `results verify` fail: these come from virtual-operator numbers (the
    preset's `virtual_prefixes`), which the service keeps, puts on the board and quarantines,
    in the voting window (the service's `now`)."""
    showcases = list(campaign_showcases(campaign))
    window = voting.voting_context(campaign.pk)
    at = window.closes - datetime.timedelta(hours=2)
    taken = set(Resident.objects.values_list("phone", flat=True))  # the demo has virtual numbers too
    phones = (phone for phone in (f"170{n:08d}" for n in range(10**8)) if phone not in taken)
    try:
        number = 0
        while not stop.is_set():
            resident = Resident.objects.create(phone=next(phones), consent_version="2019.1", consented_at=at)
            voting.cast_vote(campaign.pk, resident.pk, showcases[number % len(showcases)].pk,
                             ip=f"10.77.{number // 200}.{number % 200 + 1}", now=at)
            cast.append(number)
            number += 1
    finally:
        connection.close()


def campaign_showcases(campaign):
    from wenming.awards.models import Showcase

    return Showcase.objects.filter(application__campaign=campaign).order_by("pk")


@pytest.fixture
def results_demo(demo_day):
    from wenming.demo import build_demo

    build_demo(phase="results", today=demo_day)
    from wenming.campaigns.models import Campaign

    return Campaign.objects.get(is_active=True)


def test_a_backup_taken_under_load_restores_into_an_empty_database_and_verifies(results_demo, targets, tmp_path):
    media_files = sorted(str(p.relative_to(settings.MEDIA_ROOT)) for p in Path(settings.MEDIA_ROOT).rglob("*")
                         if p.is_file())
    stop, cast = threading.Event(), []
    load = threading.Thread(target=cast_under_load, args=(results_demo, stop, cast))
    load.start()
    try:
        while len(cast) < 20 and load.is_alive():
            stop.wait(0.05)
        before = Vote.objects.count()
        manifest = backup.backup(tmp_path / "backup")
        after_backup = len(cast)
        while len(cast) < after_backup + 20 and load.is_alive():
            stop.wait(0.05)
    finally:
        stop.set()
        load.join()
    after = Vote.objects.count()
    assert len(cast) >= 40 and before < after  # votes were being written before, during and after

    # The manifest says what the backup is and lets anyone check it.
    written = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert written == manifest and written["vendor"] == connection.vendor
    assert set(written["files"]) == {backup.PG_DUMP if connection.vendor == "postgresql" else backup.SQLITE_COPY,
                                     backup.MEDIA, backup.RULES}
    assert written["release"]["version"] and len(written["release"]["source_sha256"]) == 64
    rules = json.loads((tmp_path / "backup" / backup.RULES).read_text())["campaigns"]
    assert [c["slug"] for c in rules] == [results_demo.slug]
    assert rules[0]["rule_sets"][-1]["version"] == results_demo.rules_version

    url, data = targets.new(), tmp_path / "restored-data"
    restored = wenming(url, data, "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    assert "已从" in restored.stdout
    results = wenming(url, data, "results", "verify")
    assert results.returncode == 0, results.stdout + results.stderr
    assert results.stdout.count("份评分表核验一致") == 3  # every published award's sheets, recomputed
    votes = wenming(url, data, "votes", "verify")
    assert votes.returncode == 0, votes.stdout + votes.stderr
    assert "核验通过" in votes.stdout  # the board's chain, each vote's status and the tally agree
    phones = wenming(url, data, "phones", "verify")
    assert phones.returncode == 0, phones.stdout + phones.stderr
    assert "核验通过" in phones.stdout and "core.Resident.phone" in phones.stdout  # every number opens
    # The backup holds ciphertext only: without the keys it yields no number.
    other = ("Fdfi8IGJuGAvQzwzHCUR4-8mobJJrSw3VSalzsEmW_Q=", "ltGqsJtj9K3VBK6bwBNY0WtZ_z2FY0TLaPi7IgHKTU8=")
    blind = wenming(url, data, "phones", "verify", phone_keys=([other[0]], [other[1]]))
    assert blind.returncode != 0 and "无法解密" in blind.stderr
    if connection.vendor == "sqlite":
        with sqlite3.connect(url.removeprefix("sqlite://")) as copy:
            stored = [row[0] for row in copy.execute("SELECT phone FROM core_resident")]
        assert stored and not any(phone.isdigit() for phone in stored)
    restored_media = sorted(str(p.relative_to(data / "media")) for p in (data / "media").rglob("*") if p.is_file())
    assert restored_media == media_files
    # The copy holds the snapshot: some of the votes cast under load, not the later ones.
    if connection.vendor == "sqlite":
        with sqlite3.connect(url.removeprefix("sqlite://")) as copy:
            in_copy = copy.execute("SELECT count(*) FROM voting_vote").fetchone()[0]
        assert before <= in_copy < after

    # A second restore into the now-filled database is refused and changes nothing.
    again = wenming(url, data, "restore", str(tmp_path / "backup"))
    assert again.returncode != 0 and "目标数据库不是空的" in again.stderr


def test_a_damaged_backup_is_refused_before_anything_is_written(campaign, targets, tmp_path):
    backup.backup(tmp_path / "backup")
    damaged = tmp_path / "damaged"
    shutil.copytree(tmp_path / "backup", damaged)
    rules = damaged / backup.RULES
    rules.write_text(rules.read_text().replace(campaign.slug, campaign.slug + "x", 1))
    url, data = targets.new(), tmp_path / "restored-data"
    refused = wenming(url, data, "restore", str(damaged))
    assert refused.returncode != 0
    assert "rules.json 的校验值与清单不符" in refused.stderr
    listed = wenming(url, data, "manage", "showmigrations", "--plan")
    assert "[X]" not in listed.stdout  # the target is still empty: nothing was migrated or copied


def test_a_backup_is_written_into_a_new_or_empty_directory_only(tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "old.txt").write_text("x")
    with pytest.raises(backup.BackupError, match="不是空的"):
        backup.backup(tmp_path / "used")


def rewrite_manifest(directory, change):
    """Edit a backup's manifest as someone who means harm could (it carries no signature)."""
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


def relist(manifest, directory, name):
    """The manifest entry of `name` made to match the file as it now is."""
    manifest["files"][name] = {"bytes": (directory / name).stat().st_size, "sha256": backup.sha256_of(directory / name)}


def still_empty(url, data):
    """Nothing was migrated or copied into the target, and no media were written."""
    listed = wenming(url, data, "manage", "showmigrations", "--plan")
    media = data / "media"
    left = [p.name for p in data.iterdir() if p.name.startswith(".media-restore")] if data.exists() else []
    return "[X]" not in listed.stdout and not (media.exists() and any(media.iterdir())) and not left


@pytest.fixture
def taken(campaign, settings, tmp_path):
    """A backup of a small site with one uploaded file."""
    (Path(settings.MEDIA_ROOT) / "uploads").mkdir(parents=True)
    (Path(settings.MEDIA_ROOT) / "uploads" / "seal.png").write_bytes(b"\x89PNG not really")
    backup.backup(tmp_path / "backup")
    return tmp_path / "backup"


def database_file():
    return backup.PG_DUMP if connection.vendor == "postgresql" else backup.SQLITE_COPY


@pytest.mark.parametrize("name", ["../outside.txt", "/etc/passwd", "media.tar/../../x", "notes.txt"])
def test_a_manifest_naming_a_file_outside_the_backup_is_refused(taken, tmp_path, name):
    (tmp_path / "outside.txt").write_text("x")
    rewrite_manifest(taken, lambda m: m["files"].update({name: {"bytes": 1, "sha256": backup.sha256_of(
        tmp_path / "outside.txt")}}))
    with pytest.raises(backup.BackupError, match="不是备份目录中的备份文件"):
        backup.check(taken)


def test_a_listed_file_that_is_a_link_out_of_the_backup_is_refused(taken, tmp_path):
    (tmp_path / "elsewhere.json").write_text((taken / backup.RULES).read_text())
    (taken / backup.RULES).unlink()
    (taken / backup.RULES).symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(backup.BackupError, match="指向备份目录之外"):
        backup.check(taken)


@pytest.mark.parametrize("dropped", [backup.MEDIA, backup.RULES, "database"])
def test_a_manifest_without_the_database_media_or_rules_is_refused(taken, dropped):
    # `restore` checks first and writes nothing when the check refuses (the drill above shows it
    # for a damaged file, through the command).
    name = database_file() if dropped == "database" else dropped
    rewrite_manifest(taken, lambda m: m["files"].pop(name))
    (taken / name).unlink()
    with pytest.raises(backup.BackupError, match=f"清单中缺少 {name}"):
        backup.check(taken)


def test_media_that_would_land_outside_the_media_directory_are_refused_before_the_database(taken, targets,
                                                                                          tmp_path):
    with tarfile.open(taken / backup.MEDIA, "a") as tar:
        evil = tarfile.TarInfo("../../escaped.txt")
        evil.size = 2
        tar.addfile(evil, io.BytesIO(b"hi"))
    rewrite_manifest(taken, lambda m: relist(m, taken, backup.MEDIA))
    url, data = targets.new(), tmp_path / "restored-data"
    refused = wenming(url, data, "restore", str(taken))
    assert refused.returncode != 0 and "media.tar 中有不能恢复的条目" in refused.stderr
    assert still_empty(url, data) and not list(tmp_path.rglob("escaped.txt"))


def test_a_database_restore_that_fails_leaves_the_media_directory_as_it_was(taken, targets, tmp_path):
    (taken / database_file()).write_bytes(b"not a database at all" * 100)
    rewrite_manifest(taken, lambda m: relist(m, taken, database_file()))
    url, data = targets.new(), tmp_path / "restored-data"
    refused = wenming(url, data, "restore", str(taken))
    assert refused.returncode != 0 and "目标数据库未写入" in refused.stderr
    assert still_empty(url, data)
    # The same backup, repaired, restores: database first, then the media moved into place.
    shutil.rmtree(taken)
    backup.backup(taken)
    restored = wenming(url, data, "restore", str(taken))
    assert restored.returncode == 0, restored.stderr
    assert (data / "media" / "uploads" / "seal.png").read_bytes() == b"\x89PNG not really"
    assert [p.name for p in data.iterdir() if p.name.startswith(".")] == []
