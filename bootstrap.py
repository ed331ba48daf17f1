#!/usr/bin/env python3
"""Set up Wenming and run it: `python3 bootstrap.py demo` or `python3 bootstrap.py test`.

Stdlib only, and runnable by an older python3 (3.8+): the interpreter that runs this
script need not be the one Wenming runs on. We look for Python >= 3.12, make `.venv`
with it, install the hash-pinned lock, then hand over to the `wenming` command or pytest.

Interpreter search order: $PYTHON, this interpreter, python3.13/python3.12/python3 on
PATH, then pyenv's versions folder newest first. Every candidate is *run* to check it,
because pyenv shims exist on PATH but fail unless a version is selected.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
MIN_VERSION = (3, 12)
LOCKS = {"demo": "requirements.lock", "test": "requirements-dev.lock"}


def say(message):
    print("[bootstrap] " + message, flush=True)


def version_of(python):
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    match = re.fullmatch(r"(\d+)\.(\d+)", out.stdout.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def candidates():
    if os.environ.get("PYTHON"):
        yield os.environ["PYTHON"]
    yield sys.executable
    for name in ("python3.13", "python3.12", "python3"):
        found = shutil.which(name)
        if found:
            yield found
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    versions = pyenv_root / "versions"
    if versions.is_dir():

        def key(path):
            return tuple(int(p) if p.isdigit() else -1 for p in re.split(r"[.\-]", path.name))

        for folder in sorted(versions.iterdir(), key=key, reverse=True):
            yield str(folder / "bin" / "python3")


def find_python():
    for python in candidates():
        version = version_of(python)
        if version and version >= MIN_VERSION:
            return python, version
    sys.exit(
        "[bootstrap] 找不到 Python 3.12 或更高版本。请安装后重试，或设置 PYTHON=/path/to/python3.12。\n"
        "[bootstrap] No Python >= 3.12 found. Install one, or set PYTHON=/path/to/python3.12."
    )


def venv_python():
    return VENV / "bin" / "python"


def ensure_venv():
    if venv_python().exists() and (version_of(str(venv_python())) or (0, 0)) >= MIN_VERSION:
        return
    python, version = find_python()
    say("creating .venv with Python %d.%d (%s)" % (version + (python,)))
    if VENV.exists():
        shutil.rmtree(VENV)
    subprocess.run([python, "-m", "venv", str(VENV)], check=True)


def install(lock_name):
    lock = ROOT / lock_name
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()[:16]
    stamp = VENV / (".installed-" + lock_name + "-" + digest)
    if stamp.exists():
        return
    say("installing " + lock_name + " (hash-checked)")
    uv = shutil.which("uv")
    if uv:
        # Additive install: the dev lock is a superset of the runtime lock with the same pins.
        cmd = [uv, "pip", "install", "--require-hashes", "--python", str(venv_python()), "-r", str(lock)]
    else:
        cmd = [str(venv_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
               "--require-hashes", "--no-deps", "-r", str(lock)]
    subprocess.run(cmd, check=True)
    # Make the project importable from the venv, and give it its `wenming` command.
    site = subprocess.run(
        [str(venv_python()), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    Path(site, "wenming-src.pth").write_text(str(ROOT) + "\n")
    launcher = VENV / "bin" / "wenming"
    launcher.write_text('#!/bin/sh\nexec "%s" -m wenming "$@"\n' % venv_python())
    launcher.chmod(0o755)
    for old in VENV.glob(".installed-" + lock_name + "-*"):
        old.unlink()
    stamp.touch()


def build_static():
    """Static files are built once per release: `wenming collectstatic --if-stale` compares a
    digest of the source files with the stamp written by the last build (milliseconds) and
    rebuilds only when they differ or the built files are missing (the first start, a new
    release). Never on every start."""
    env = dict(os.environ, WENMING_DEMO="1")
    subprocess.run([str(VENV / "bin" / "wenming"), "collectstatic", "--if-stale"], check=True, env=env)


def main(argv):
    if not argv or argv[0] not in LOCKS:
        sys.exit("usage: python3 bootstrap.py demo [--phase KEY] [--port N] | test [pytest args]")
    action, rest = argv[0], argv[1:]
    ensure_venv()
    install(LOCKS[action])
    os.chdir(ROOT)
    if action == "demo":
        build_static()
    cmd = [str(VENV / "bin" / "wenming"), "demo"] + rest if action == "demo" else [str(venv_python()), "-m", "pytest"] + rest
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main(sys.argv[1:])
