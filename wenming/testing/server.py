"""The production server (granian, WSGI) in a child process, for tests and benchmarks that
need real parallel clients. `bench.wsgi` adds a hello-world view beside the app's URLs; any
other app served this way must answer /bench/hello/ too (the readiness probe)."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from wenming.cli import SERVE_THREADS, SERVE_WORKERS

ROOT = Path(__file__).resolve().parents[2]


def production_env(data_dir):
    """This environment as `wenming` runs in production on SQLite in `data_dir` (no DATABASE_URL,
    Redis or demo mode; a secret key of its own)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "WENMING_DEMO")}
    env.update(WENMING_DATA_DIR=str(data_dir), WENMING_SECRET_KEY="serve-test-" + "x" * 40, PYTHONPATH=str(ROOT))
    return env


def run_wenming(env, *args, **kwargs):
    """`python -m wenming ARGS` to its end, its output captured as text."""
    return subprocess.run([sys.executable, "-m", "wenming", *args], cwd=ROOT, env=env, capture_output=True,  # noqa: S603
                          text=True, **kwargs)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The production server's settings (workers, pinned threads) unless told otherwise."""

    def __init__(self, workers=SERVE_WORKERS, threads=SERVE_THREADS, env=None, app="bench.wsgi:application",
                 factory=False):
        self.port = free_port()
        self.env = {**os.environ, **(env or {})}
        self.env.setdefault("WENMING_DATA_DIR", tempfile.mkdtemp(prefix="wenming-server-"))
        self.cmd = [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port",
                    str(self.port), "--workers", str(workers), "--blocking-threads", str(threads),
                    "--no-ws", "--log-level", "warning", *(["--factory"] if factory else []), app]

    def __enter__(self):
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, start_new_session=True)  # noqa: S603
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url("/bench/hello/"), timeout=1).read()  # noqa: S310
                return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("server did not start")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def __exit__(self, *exc):
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
