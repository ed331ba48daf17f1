"""The `wenming` command.

    wenming demo [--phase KEY] [--port N]   migrate, load the preset and demo data, serve
    wenming serve [--port N] [--workers N]  the production server (granian, WSGI)
    wenming worker                          the background task worker and the scheduler beside it
    wenming campaign load PRESET            validate and load a campaign preset
    wenming import RESOURCE FILE.xlsx --user NAME   import registry records from Excel
    wenming votes verify [--from-published DIR] | sequence | publish DIR | rebuild-tally
                                            check the public board and the tally (DIR: no database)
    wenming lottery verify ID | verify --from-published DIR | publish DIR [ID]
                                            re-run a drawn lottery (DIR: its two files, no database)
    wenming supervision sweep | verify-samples   daily reminders and overdue orders; re-draw samples
    wenming results verify                  recompute every published score sheet from the raw data
    wenming migrate | manage ...            Django management commands
"""

import os
import signal
import subprocess
import sys


def _setup(demo=False):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenming.settings")
    if demo:
        os.environ["WENMING_DEMO"] = "1"
    import django

    django.setup()


def _manage(args):
    from django.core.management import execute_from_command_line

    execute_from_command_line(["wenming", *args])


# Two pinned blocking threads per worker: the vote path is CPU-bound (one database round trip
# per vote), and more threads only add GIL hand-offs and database connections. Measured with
# bench/votes.py: 2 beat 3, 4 and 8 at 32 and 128 connections.
SERVE_WORKERS, SERVE_THREADS = 2, 2


def metrics_dir(clean=False):
    """Where every server and worker process writes its Prometheus counts (core.metrics): set in
    the environment the processes inherit, before they import prometheus_client. `clean` (the
    server's start) removes the files of processes that are gone."""
    from django.conf import settings

    path = settings.DATA_DIR / "metrics"
    path.mkdir(parents=True, exist_ok=True)
    if clean:
        for file in path.glob("*.db"):
            pid = file.stem.rpartition("_")[2]
            if not pid.isdigit() or not os.path.exists(f"/proc/{pid}"):
                file.unlink(missing_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return path


def serve(port=8000, workers=SERVE_WORKERS, host="127.0.0.1", threads=SERVE_THREADS):
    """Run granian (WSGI) in the foreground; collects static files first."""
    _manage(["collectstatic", "--noinput", "--verbosity", "0"])
    metrics_dir(clean=True)
    cmd = [
        sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host, "--port", str(port),
        "--workers", str(workers), "--blocking-threads", str(threads), "--workers-kill-timeout", "10",
        "--no-ws", "wenming.wsgi:application",
    ]
    return subprocess.Popen(cmd)


def worker():
    """The task worker and, beside it, the scheduler that enqueues settings.SCHEDULES."""
    metrics_dir()
    return [subprocess.Popen([sys.executable, "-m", "wenming", "manage", "db_worker", "--queue-name", "default"]),
            subprocess.Popen([sys.executable, "-m", "wenming", "manage", "scheduler"])]


def run_until_stopped(processes):
    def stop(*_):
        for proc in processes:
            if proc.poll() is None:
                proc.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while all(proc.poll() is None for proc in processes):
            try:
                processes[0].wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
    finally:
        stop()
        for proc in processes:
            proc.wait()


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return
    command, rest = argv[0], argv[1:]
    if command == "demo":
        import argparse

        parser = argparse.ArgumentParser(prog="wenming demo")
        parser.add_argument("--phase", default="voting",
                            choices=["publicity", "apply", "review", "voting", "expert", "results"])
        parser.add_argument("--port", type=int, default=8000)
        args = parser.parse_args(rest)
        os.environ.setdefault("WENMING_ALLOWED_HOSTS", "127.0.0.1,localhost")
        _setup(demo=True)
        _manage(["migrate", "--noinput", "--verbosity", "0"])
        from wenming.demo import build_demo

        build_demo(phase=args.phase)
        print(f"\n文明物业演示已启动：http://127.0.0.1:{args.port}/  （Ctrl+C 停止）", flush=True)
        run_until_stopped([serve(port=args.port), *worker()])
    elif command == "serve":
        import argparse

        parser = argparse.ArgumentParser(prog="wenming serve")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=SERVE_WORKERS)
        parser.add_argument("--threads", type=int, default=SERVE_THREADS)
        args = parser.parse_args(rest)
        _setup()
        run_until_stopped([serve(port=args.port, workers=args.workers, host=args.host, threads=args.threads)])
    elif command == "worker":
        _setup()
        run_until_stopped(worker())
    elif command == "campaign":
        _setup()
        _manage(["campaign", *rest])
    elif command == "import":
        _setup()
        _manage(["registry_import", *rest])
    elif command == "manage":
        _setup()
        _manage(rest)
    else:
        _setup()
        _manage([command, *rest])
