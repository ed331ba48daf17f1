"""What the fault benchmarks run on, shared by bench/faults.py and bench/twonodes.py: a private
PostgreSQL cluster and a private Redis on free ports (the machine's own are never touched),
`wenming serve` as a child, process-tree kills, and a vote client that keeps every answer."""

import atexit
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import NamedTuple

from wenming.testing.server import free_port

PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1] if Path("/usr/lib/postgresql").exists() else None


class PrivatePostgres:
    """A throw-away cluster (initdb, trust auth) on a free port, stopped and removed at exit.
    `listen`: the addresses it listens on; `trust`: networks (CIDR) besides the machine itself
    whose clients it takes without a password (the nodes' network in bench/twonodes.py)."""

    def __init__(self, name="wenming_faults", listen=("127.0.0.1",), trust=()):
        if PG_BIN is None:
            sys.exit("PostgreSQL's server binaries are needed (apt-get install postgresql)")
        self.dir = Path(tempfile.mkdtemp(prefix="wenming-pg-"))
        if os.geteuid() == 0:  # the server refuses to run as root: the cluster is postgres's
            shutil.chown(self.dir, "postgres")
        self.port, self.listen, self.name = free_port(), ",".join(listen), name
        self._as_postgres([str(PG_BIN / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres", "--auth=trust",
                           "-E", "UTF8", "--no-sync"])
        if trust:
            with open(self.dir / "data" / "pg_hba.conf", "a") as hba:
                hba.writelines(f"host all all {network} trust\n" for network in trust)
        self.start()
        self.url = self.url_at("127.0.0.1")
        self._as_postgres([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name])

    def url_at(self, host):
        return f"postgres://postgres@{host}:{self.port}/{self.name}"

    def _as_postgres(self, cmd):
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True)

    def start(self):
        self._as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-w",
                           "-o", f"-p {self.port} -k {self.dir} -c listen_addresses={self.listen}", "start"])

    def stop_immediately(self):
        self._as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop"])

    def pids(self):
        master = int((self.dir / "data" / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True,
                                  text=True).stdout.split()
        return [master, *map(int, children)]

    def signal_all(self, sig):
        for pid in self.pids():
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

    def ready(self):
        return subprocess.run([str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"]).returncode == 0

    def remove(self):
        try:
            self.stop_immediately()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    """redis-server on a free port, keeping nothing on disk (as this machine's own Redis).
    `bind`: the addresses it listens on (the first is the one `url` names)."""

    def __init__(self, bind=("127.0.0.1",)):
        if not shutil.which("redis-server") or not shutil.which("redis-cli"):
            sys.exit("redis-server and redis-cli are needed: apt-get install redis-server")
        self.port, self.bind = free_port(), bind
        self.url = self.url_at(bind[0])
        self.dir = tempfile.mkdtemp(prefix="wenming-redis-")
        self.start()
        atexit.register(self.remove)  # never left running, whatever ends the bench

    def url_at(self, host):
        return f"redis://{host}:{self.port}/0"

    def start(self):
        """Start it (again: empty, on the same port, as after a crash)."""
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", *self.bind,
                                      "--protected-mode", "no", "--save", "", "--appendonly", "no", "--dir", self.dir],
                                     stdout=subprocess.DEVNULL)
        deadline = time.time() + 10
        while subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).returncode:
            if time.time() > deadline or self.proc.poll() is not None:
                sys.exit("redis-server did not start")
            time.sleep(0.1)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def remove(self):
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def descendants(pid):
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(c) for c in children] + [d for c in children for d in descendants(int(c))]


def kill_tree(pid):
    """SIGKILL to the process and every process below it (granian's workers included)."""
    for each in [pid, *descendants(pid)]:
        try:
            os.kill(each, signal.SIGKILL)
        except ProcessLookupError:
            pass


def answering(host, port, path="/healthz", timeout=60):
    """Seconds until GET `path` answers 200, or None after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return time.monotonic() - started
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.1)
    return None


def serve(env, port):
    """`wenming serve` on 127.0.0.1:port, in its own session; (process, seconds until it answered)."""
    proc = subprocess.Popen([sys.executable, "-m", "wenming", "serve", "--port", str(port)], env=env,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    took = answering("127.0.0.1", port)
    if took is None:
        kill_tree(proc.pid)
        sys.exit("the server did not answer within 60 s")
    return proc, took


def get(port, path, host="127.0.0.1"):
    """The status of GET `path`."""
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return response.status


class Answer(NamedTuple):
    """One attempt of one ballot: sent and answered (monotonic seconds), the HTTP status (0 for
    a broken connection), the content type (or the exception's name), the receipt of a 201, the
    balancer's X-Served-By (which node answered), the ballot's index, the attempt (1, 2 …) and
    its Idempotency-Key."""

    sent: float
    answered: float
    status: int
    kind: str
    receipt: str | None
    node: str
    ballot: int
    attempt: int
    key: str = ""


RETRIED = (0, 502, 503, 504)  # a broken connection, the balancer's errors, an outage


class Voters:
    """Threads voting as fast as answers come (with `pause` seconds after each), one keep-alive
    connection each; every answer is kept as an Answer. With `keyed`, each ballot carries its
    own Idempotency-Key, and an attempt answered with one of RETRIED is sent again with the same
    key (as a phone does) up to `retries` times, `retry_pause` apart."""

    def __init__(self, port, ballots, threads=8, timeout=30, host="127.0.0.1", pause=0.08, keyed=False, retries=0,
                 retry_pause=0.2):
        self.host, self.port, self.ballots, self.timeout = host, port, list(ballots), timeout
        self.pause, self.keyed, self.retries, self.retry_pause = pause, keyed, retries, retry_pause
        self.answers, self._lock, self._next = [], threading.Lock(), 0
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def start(self):
        for thread in self.threads:
            thread.start()
        return self

    def join(self):
        for thread in self.threads:
            thread.join()

    def _take(self):
        with self._lock:
            if self._next >= len(self.ballots):
                return None
            self._next += 1
            return self._next - 1

    def _run(self):
        conn = None
        while (index := self._take()) is not None:
            token, candidate = self.ballots[index]
            body = json.dumps({"candidate_id": candidate})
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            if self.keyed:
                headers["Idempotency-Key"] = str(uuid.uuid4())
            for attempt in range(1, self.retries + 2):
                sent = time.monotonic()
                status, kind, receipt, node = 0, "", None, ""
                try:
                    conn = conn or http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                    conn.request("POST", "/api/v1/votes", body, headers)
                    response = conn.getresponse()
                    data = response.read()
                    status, kind = response.status, response.getheader("Content-Type", "")
                    node = response.getheader("X-Served-By", "")
                    if status == 201:
                        receipt = json.loads(data)["receipt"]
                    if response.will_close:
                        conn = None
                except (OSError, http.client.HTTPException) as exc:
                    kind = type(exc).__name__
                    conn = None
                    time.sleep(0.05)
                with self._lock:
                    self.answers.append(Answer(sent, time.monotonic(), status, kind, receipt, node, index, attempt,
                                              headers.get("Idempotency-Key", "")))
                if status not in RETRIED:
                    break
                time.sleep(self.retry_pause)
            time.sleep(self.pause)

    def final(self):
        """The last attempt of each ballot, by ballot index."""
        last = {}
        for answer in self.answers:
            if answer.ballot not in last or answer.attempt > last[answer.ballot].attempt:
                last[answer.ballot] = answer
        return last


def statuses(answers):
    counts = {}
    for answer in answers:
        key = answer[2] or answer[3]
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=str))


def lost(answers):
    """(acknowledged receipts with no vote row, acknowledged receipts)."""
    from wenming.voting.models import Vote

    receipts = {a[4] for a in answers if a[4]}
    stored = set(Vote.objects.filter(receipt__in=receipts).values_list("receipt", flat=True))
    return len(receipts - stored), len(receipts)
