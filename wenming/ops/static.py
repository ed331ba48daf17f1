"""Static files are built once per release, not on every start.

`collect()` runs Django's collectstatic (whitenoise hashes and compresses every file: tens of
seconds) and then writes a stamp: the sha256 of every source file the static finders see, by
path. `is_current()` recomputes that digest (182 files, about 10 MB: a few tens of
milliseconds) and compares; the build is stale when the manifest is missing or any source file
was added, removed or changed since."""

import hashlib
import time
from pathlib import Path

from django.conf import settings

STAMP_NAME = ".wenming-static-stamp"
MANIFEST_NAME = "staticfiles.json"  # whitenoise's / ManifestStaticFilesStorage's manifest


def source_digest():
    """One sha256 over (path, content) of every source file the finders collect, in path order,
    and the storage backend (another backend builds another tree)."""
    from django.contrib.staticfiles import finders

    found = {}
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            found.setdefault(path, storage)  # the first finder wins, as collectstatic does
    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    for path in sorted(found):
        digest.update(b"\0" + path.encode() + b"\0")
        with found[path].open(path) as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def root():
    return Path(settings.STATIC_ROOT)


def is_current():
    """True when the built tree matches the sources: the stamp names today's digest and, for a
    manifest storage, the manifest exists."""
    stamp = root() / STAMP_NAME
    if not stamp.exists():
        return False
    if "Manifest" in settings.STORAGES["staticfiles"]["BACKEND"] and not (root() / MANIFEST_NAME).exists():
        return False
    return stamp.read_text().strip() == source_digest()


def collect(extra_args=()):
    """Build the static tree and stamp it; returns the seconds it took."""
    from django.core.management import call_command

    started = time.monotonic()
    digest = source_digest()  # taken before: a file changed during the build makes the next check rebuild
    stamp = root() / STAMP_NAME
    stamp.unlink(missing_ok=True)
    call_command("collectstatic", "--noinput", "--verbosity", "0", *extra_args)
    tmp = stamp.with_suffix(".tmp")
    tmp.write_text(digest + "\n")
    tmp.replace(stamp)
    return time.monotonic() - started


def ensure(say=print):
    """Build the static tree only if it is missing or older than its sources."""
    if is_current():
        return False
    say("静态文件缺失或已过期，正在生成（每个版本只需一次）……")
    seconds = collect()
    say(f"静态文件已生成，用时 {seconds:.0f} 秒")
    return True
