"""Benchmark: how soon `wenming serve` answers after it starts, and how soon SIGTERM ends it
(issue 22: answers within 5 s; exits within the grace period).

    .venv/bin/python bench/start.py [--starts 5]

A data directory with a migrated SQLite database and this release's static files built once
(`wenming migrate`, `wenming collectstatic`), as a release does; then `--starts` starts of
`wenming serve` on a free port, each timed from the spawn to the first 200 of `/`, then stopped
with SIGTERM and timed until the process is gone."""

import argparse
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from wenming.cli import GRACE
from wenming.testing.server import ROOT, free_port, production_env, run_wenming


def first_answer(env):
    port = free_port()
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "wenming", "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit("the server exited while starting")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        answered = time.monotonic() - started
    finally:
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        stopped = time.monotonic() - sent
    return answered, stopped


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=5)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="wenming-start-"))
    try:
        env = production_env(data)
        prepared = time.monotonic()
        migrate = run_wenming(env, "migrate", "--noinput", "-v0", timeout=900)
        built = run_wenming(env, "collectstatic", timeout=900)
        if migrate.returncode or built.returncode:
            raise SystemExit(migrate.stderr + built.stderr)
        print(f"release prepared (migrate, collectstatic) in {time.monotonic() - prepared:.1f} s", flush=True)
        answers, stops = [], []
        for n in range(args.starts):
            answered, stopped = first_answer(env)
            answers.append(answered)
            stops.append(stopped)
            print(f"start {n + 1}: first answer {answered:.2f} s, SIGTERM to exit {stopped:.2f} s", flush=True)
        print(f"first answer: median {statistics.median(answers):.2f} s, worst {max(answers):.2f} s (target < 5 s); "
              f"exit after SIGTERM: worst {max(stops):.2f} s (grace {GRACE} s)")
        print("targets:", "PASS" if max(answers) < 5 and max(stops) < GRACE else "FAIL")
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
