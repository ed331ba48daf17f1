"""Lighthouse accessibility scores of the six public pages, against the demo on the production
server, at mobile form factor. Prints each page's score and PASS/FAIL against 98.

    python bench/a11y.py [--keep DIR]

Needs node/npm and Debian's Chromium. Lighthouse (pinned below) is installed by name with npm
into a throw-away folder (no lock file is written); --keep DIR reuses an install there."""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = "lighthouse@12.6.1"
TARGET = 98
CHROME = os.environ.get("WENMING_CHROMIUM", "/usr/bin/chromium")
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
                "--disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage")


def install(folder):
    binary = Path(folder) / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        subprocess.run(["npm", "install", "--no-save", "--package-lock=false", "--no-audit", "--no-fund",
                        LIGHTHOUSE], cwd=folder, check=True, stdout=subprocess.DEVNULL)
    return binary


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_demo(phase):
    port = free_port()
    env = dict(os.environ, WENMING_DATA_DIR=tempfile.mkdtemp(prefix="wenming-a11y-"), WENMING_DEBUG="0",
               WENMING_SECRET_KEY="bench-only-not-a-secret", WENMING_SECURE_COOKIES="0")
    proc = subprocess.Popen([sys.executable, "-m", "wenming", "demo", "--phase", phase, "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            return proc, base
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"the demo server ({phase}) exited with {proc.returncode}") from None
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit(f"the demo server ({phase}) did not answer")


def stop(proc):
    os.killpg(proc.pid, 15)
    proc.wait(timeout=30)


def score(binary, url):
    out = subprocess.run(
        [str(binary), url, "--only-categories=accessibility", "--form-factor=mobile", "--output=json",
         "--output-path=stdout", "--quiet", "--locale=zh", f"--chrome-flags={CHROME_FLAGS}"],
        env=dict(os.environ, CHROME_PATH=CHROME), capture_output=True, text=True, check=True, timeout=300,
    ).stdout
    report = json.loads(out)
    failing = [a["id"] for a in report["audits"].values() if a.get("score") == 0 and a["scoreDisplayMode"] == "binary"]
    return round(report["categories"]["accessibility"]["score"] * 100), failing


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", help="folder to install Lighthouse into and reuse")
    args = parser.parse_args()
    folder = args.keep or tempfile.mkdtemp(prefix="lighthouse-")
    Path(folder).mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    binary = install(folder)
    rows = []
    for phase in ("voting", "results"):
        proc, base = start_demo(phase)
        try:
            if phase == "voting":
                listing = urllib.request.urlopen(base + "/showcase/").read().decode()
                pk = re.search(r'href="/showcase/([^/"]+)/"', listing).group(1)
                pages = {"home": "/", "showcase": "/showcase/", "candidate": f"/showcase/{pk}/",
                         "leaderboard": "/vote/leaderboard/", "vote": f"/vote/{pk}/"}
            else:
                pages = {"results": "/results/"}
            for name, path in pages.items():
                value, failing = score(binary, base + path)
                rows.append((name, value, failing))
                print(f"{name:12} {value:4}  {'PASS' if value >= TARGET else 'FAIL'}  {' '.join(failing)}", flush=True)
        finally:
            stop(proc)
    print(f"{sum(v >= TARGET for _, v, _ in rows)} of {len(rows)} pages at {TARGET} or more, "
          f"{time.monotonic() - started:.0f} s")
    return 0 if all(v >= TARGET for _, v, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
