"""The `wenming` command.

    wenming demo [--phase KEY] [--port N]   migrate, load the preset and demo data, serve
    wenming serve [--port N] [--workers N]  the production server (granian, WSGI)
    wenming collectstatic [--if-stale]      build the static files (once per release)
    wenming backup DIR | restore DIR        back up the database, media and rules; restore into an empty database
    wenming phones new-key | rotate | verify   phone keys: a new key; re-encrypt and re-hash under the current keys
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
import time


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
# On SIGTERM granian stops accepting, lets in-flight requests finish and kills a worker still
# busy after this many seconds; the wrapper gives it a little more, then kills what is left.
KILL_TIMEOUT = 10
GRACE = KILL_TIMEOUT + 5
APP = "wenming.wsgi:application"


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


def serve(port=8000, workers=SERVE_WORKERS, host="127.0.0.1", threads=SERVE_THREADS, app=APP):
    """Run granian (WSGI). Static files are built once per release (`wenming collectstatic`, the
    bootstrap, or the stamp check in `_granian` when they are missing or stale), not on every
    start: a start takes seconds, not a minute."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenming.settings")
    metrics_dir(clean=True)
    cmd = [
        sys.executable, "-m", "wenming", "_granian", "--interface", "wsgi", "--host", host, "--port", str(port),
        "--workers", str(workers), "--blocking-threads", str(threads), "--workers-kill-timeout", str(KILL_TIMEOUT),
        "--no-ws", app,
    ]
    return _child(cmd)


def _granian(args):
    """granian's own command line, with the application (its last argument) imported before
    granian forks its workers: each worker starts with Django, the URL conf and every view
    already loaded, instead of all of them loading it at once on the same cores (measured on
    2 cores: first answer after 2 s instead of 5-7 s). Nothing opens a connection at import,
    so no socket is shared across the fork."""
    import importlib

    module, _, name = args[-1].partition(":")
    getattr(importlib.import_module(module), name)
    _static()  # a no-op (a digest of the sources) unless this release's files were never built
    from granian.cli import entrypoint

    sys.argv = ["granian", *args]
    entrypoint()


def worker():
    """The task worker and, beside it, the scheduler that enqueues settings.SCHEDULES."""
    metrics_dir()
    return [_child([sys.executable, "-m", "wenming", "manage", "db_worker", "--queue-name", "default"]),
            _child([sys.executable, "-m", "wenming", "manage", "scheduler"])]


def _child(cmd):
    """A child in its own process group: a terminal's Ctrl+C reaches only this process, which
    stops each child once, and a child that must be killed is killed with its own workers."""
    return subprocess.Popen(cmd, process_group=0)


class _Stop:
    """SIGTERM/SIGINT seen by this process, caught from just before the first child starts, so a
    signal that arrives while children are being started still stops every one of them."""

    at = None

    @classmethod
    def catch(cls):
        def note(*_):
            if cls.at is None:
                cls.at = time.monotonic()

        signal.signal(signal.SIGTERM, note)
        signal.signal(signal.SIGINT, note)


def run_until_stopped(processes, grace=GRACE):
    """Wait until a signal or until a child exits; then SIGTERM every child (each stops
    gracefully: granian finishes its in-flight requests), and SIGKILL one still running `grace`
    seconds after the stop began. Returns the exit status: 0 when stopped by a signal."""
    _Stop.catch()
    try:
        while _Stop.at is None and all(proc.poll() is None for proc in processes):
            try:
                processes[0].wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass
    finally:
        began = _Stop.at or time.monotonic()
        for proc in processes:
            if proc.poll() is None:
                proc.terminate()
        for proc in processes:
            try:
                proc.wait(timeout=max(began + grace - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    if _Stop.at is not None:
        return 0
    return next((proc.returncode for proc in processes if proc.returncode), 0)


def _static(say=print):
    from wenming.ops import static

    return static.ensure(say=say)


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
        _static()
        print(f"\n文明物业演示已启动：http://127.0.0.1:{args.port}/  （Ctrl+C 停止）", flush=True)
        _Stop.catch()  # from before the first child starts, so none is left behind by an early signal
        sys.exit(run_until_stopped([serve(port=args.port), *worker()]))
    elif command == "serve":
        import argparse

        parser = argparse.ArgumentParser(prog="wenming serve")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=SERVE_WORKERS)
        parser.add_argument("--threads", type=int, default=SERVE_THREADS)
        parser.add_argument("--app", default=APP, help=argparse.SUPPRESS)  # tests serve a wrapped app
        args = parser.parse_args(rest)
        _Stop.catch()  # Django is set up in the child only (`_granian`): one load, not two
        sys.exit(run_until_stopped([serve(port=args.port, workers=args.workers, host=args.host, threads=args.threads,
                                          app=args.app)]))
    elif command == "_granian":  # serve's child process
        _granian(rest)
    elif command == "worker":
        _setup()
        _Stop.catch()
        sys.exit(run_until_stopped(worker()))
    elif command == "collectstatic":
        import argparse

        parser = argparse.ArgumentParser(prog="wenming collectstatic")
        parser.add_argument("--if-stale", action="store_true",
                            help="only when the built files are missing or older than their sources")
        args, extra = parser.parse_known_args(rest)
        _setup()
        from wenming.ops import static

        if args.if_stale:
            static.ensure()  # silent when the built files are current
        else:
            print(f"静态文件已生成，用时 {static.collect(extra):.0f} 秒")
    elif command in ("backup", "restore"):
        import argparse

        parser = argparse.ArgumentParser(prog=f"wenming {command}")
        parser.add_argument("directory", help="the backup directory (backup: new or empty)")
        args = parser.parse_args(rest)
        _setup()
        from wenming.ops import backup

        try:
            manifest = getattr(backup, command)(args.directory)
        except backup.BackupError as exc:
            sys.exit(f"{'备份' if command == 'backup' else '恢复'}失败：{exc}")
        sizes = "，".join(f"{name} {item['bytes']} 字节" for name, item in sorted(manifest["files"].items()))
        if command == "backup":
            print(f"备份已写入 {args.directory}：{sizes}。备份含居民手机号等个人信息，请加密后存放到本机以外")
        else:
            print(f"已从 {args.directory} 恢复（备份时间 {manifest['created_at']}）：{sizes}。"
                  "请运行 wenming results verify 和 wenming votes verify 核验")
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
