"""Shared pieces of the benchmarks: a throw-away data dir, the production server (granian,
WSGI) with a hello-world view added beside the real URLs (same middleware), and wrk."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django(database_url=""):
    data_dir = tempfile.mkdtemp(prefix="wenming-bench-")
    os.environ.update({
        "WENMING_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "wenming.settings", "WENMING_DEBUG": "0",
        "WENMING_SECRET_KEY": "bench-only-not-a-secret", "WENMING_SECURE_COOKIES": "0",
        "WENMING_TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
    })
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from wenming.ops import static

    static.collect()  # stamped, so `wenming serve` does not build them again
    return data_dir


from wenming.testing.server import Server, free_port  # noqa: E402, F401  (shared with the tests)


def session_cookie(user):
    """"sessionid=…" of a session signed in as `user` (stored in the database, as every node's)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def wrk(url, seconds=8, connections=16, threads=2, headers=()):
    """wrk's figures for `url`; `headers` ("Name: value", e.g. a signed-in session's cookie)."""
    if not shutil.which("wrk"):
        sys.exit("wrk is needed for this benchmark: apt-get install wrk")
    extra = [arg for header in headers for arg in ("-H", header)]
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency", *extra,
                          url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def latency(label):
        m = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": latency("50"), "p99": latency("99"),
            "non2xx": int(errors.group(1)) if errors else 0, "socket_errors": socket_errors.group(1) if socket_errors else ""}


def report(name, result, baseline=None):
    ratio = f"  {100 * result['rps'] / baseline['rps']:5.1f}% of hello-world" if baseline else ""
    print(f"{name:<28} {result['rps']:9.0f} req/s  p50 {result['p50']:6.2f} ms  p99 {result['p99']:7.2f} ms"
          f"  non-2xx {result['non2xx']}{ratio}", flush=True)


# The vote issue's figure "for scale": Django's startproject hello-world on granian WSGI,
# 2 workers, measured at 9–11k req/s on the machine its targets were set on.
REFERENCE_HELLO = (9000, 11000)


def machine_scale(seconds=8):
    """Django's startproject hello-world (bench.plain) on this machine now, against the issue's
    figure: how fast the machine is running, for reading the absolute figures (milliseconds,
    votes/s) of the run beside it."""
    with Server(app="bench.plain:application", factory=True) as server:
        wrk(server.url("/bench/hello/"), 2, 32)
        result = wrk(server.url("/bench/hello/"), seconds, 32)
    low, high = REFERENCE_HELLO
    print(f"machine: Django startproject hello-world {result['rps']:.0f} req/s, "
          f"{100 * result['rps'] / high:.0f}–{100 * result['rps'] / low:.0f}% of the {low // 1000}–{high // 1000}k "
          f"req/s the targets were set beside", flush=True)
    return result
