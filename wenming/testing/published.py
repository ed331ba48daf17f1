"""Checking published files as an outsider would: `wenming <what> verify --from-published DIR`
in a fresh process whose database cannot be opened (its file's folder does not exist)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def verify_without_database(what, directory, tmp_path):
    """Run the command; returns the CompletedProcess (returncode, stdout, stderr)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wenming.settings", "WENMING_DATA_DIR": str(tmp_path / "data"),
           "DATABASE_URL": f"sqlite:///{tmp_path}/no-such-dir/deleted.sqlite3", "WENMING_SECRET_KEY": "test"}
    return subprocess.run(  # noqa: S603 (our own command with fixed arguments)
        [sys.executable, "-m", "wenming", what, "verify", "--from-published", str(directory)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
