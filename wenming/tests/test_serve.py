"""`wenming serve` as an operator runs it: a subprocess on a free port, SQLite, production
settings (manifest static storage). Static files are built once (`wenming collectstatic`) for the
whole module; a start after that builds nothing and answers with the built files, and SIGTERM
must let in-flight requests finish and end the server within its grace period, every time.
How fast a start answers (issue 22: within 5 s) is a figure of `bench/start.py`, not a timed
test: a loaded CI machine is no measure of it."""

import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from wenming.cli import GRACE, KILL_TIMEOUT
from wenming.testing.server import ROOT, free_port, production_env, run_wenming


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """A data directory with a migrated SQLite database and this release's static files built
    (the two run side by side: together they are most of a minute on two cores)."""
    data = tmp_path_factory.mktemp("serve-data")
    env = production_env(data)
    migrate = subprocess.Popen([sys.executable, "-m", "wenming", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env)
    built = run_wenming(env, "collectstatic", timeout=600)
    assert migrate.wait(timeout=600) == 0
    assert built.returncode == 0, built.stderr
    assert "静态文件已生成" in built.stdout
    return env


def _get(port, path, timeout=1):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as answer:
        return answer.status, answer.read()


def _start(env, *args):
    port = free_port()
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "wenming", "serve", "--port", str(port), *args], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, port, started


def _until_answering(proc, port, started, limit=120):
    while time.monotonic() - started < limit:
        assert proc.poll() is None, "the server exited while starting"
        try:
            status, _ = _get(port, "/")
            return status, time.monotonic() - started
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the server did not answer")


def _stop(proc):
    """SIGTERM as a service manager sends it; returns the seconds until the process was gone."""
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=GRACE + 5)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("the server outlived its grace period") from None
    return time.monotonic() - sent


def test_static_files_are_built_once_and_a_start_does_not_rebuild_them(prepared):
    stamp = Path(prepared["WENMING_DATA_DIR"]) / "static" / ".wenming-static-stamp"
    built_at = stamp.stat().st_mtime_ns
    again = run_wenming(prepared, "collectstatic", "--if-stale", timeout=60)
    assert again.returncode == 0 and again.stdout == ""  # current: nothing built, nothing said
    proc, port, started = _start(prepared)
    try:
        _until_answering(proc, port, started)
    finally:
        _stop(proc)
    assert stamp.stat().st_mtime_ns == built_at


def test_serve_answers_a_real_page_once_started(prepared):
    proc, port, started = _start(prepared)
    try:
        status, seconds = _until_answering(proc, port, started)
        assert status == 200
        print(f"first answer {seconds:.2f} s after start")
        # The page is a real one, with its static files from the built manifest.
        _, body = _get(port, "/")
        assert "/static/" in body.decode()
    finally:
        _stop(proc)


@pytest.mark.parametrize("attempt", range(3))
def test_sigterm_finishes_in_flight_requests_then_exits(prepared, attempt):
    proc, port, started = _start(prepared, "--app", "wenming.tests.slowapp:application")
    answers = []

    def slow():
        try:
            answers.append(_get(port, "/slow/?seconds=2", timeout=30))
        except OSError as exc:
            answers.append(exc)

    try:
        _until_answering(proc, port, started)
        clients = [threading.Thread(target=slow) for _ in range(4)]  # 2 workers x 2 threads: all in flight
        for client in clients:
            client.start()
        time.sleep(0.5)
    except BaseException:
        _stop(proc)
        raise
    seconds = _stop(proc)
    for client in clients:
        client.join(timeout=30)
    print(f"exited {seconds:.2f} s after SIGTERM with 4 requests in flight")
    assert answers == [(200, b"slept")] * 4
    assert proc.returncode == 0
    # Graceful, not killed: the requests' 2 s, well inside granian's kill timeout.
    assert seconds < KILL_TIMEOUT, f"exited {seconds:.1f} s after SIGTERM"


def test_sigterm_while_starting_still_ends_within_the_grace_period(prepared):
    proc, port, _ = _start(prepared)
    time.sleep(1)
    seconds = _stop(proc)
    print(f"SIGTERM 1 s into the start: exited after {seconds:.2f} s")
    assert seconds < GRACE
    with pytest.raises(OSError):
        _get(port, "/")


def test_the_stamp_goes_stale_when_a_static_source_changes(settings, tmp_path):
    from wenming.ops import static

    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "site.css").write_text("body { color: black }")
    settings.STATICFILES_DIRS = [sources]
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    assert not static.is_current()  # never built
    static.collect()
    assert static.is_current() and (tmp_path / "static" / "staticfiles.json").exists()
    assert not static.ensure(say=pytest.fail)  # current: nothing built, nothing said
    (sources / "site.css").write_text("body { color: red }")
    assert not static.is_current()  # a changed source
    static.collect()
    (sources / "new.js").write_text("")
    assert not static.is_current()  # an added one
    static.collect()
    (tmp_path / "static" / "staticfiles.json").unlink()
    assert not static.is_current()  # the built manifest lost
    said = []
    assert static.ensure(say=said.append) and static.is_current() and len(said) == 2
