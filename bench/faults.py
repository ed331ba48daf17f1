"""Faults, as an operator meets them (issue 22): the production server (granian, 2 workers) on a
private PostgreSQL cluster and a private Redis, both started here on free ports (the machine's
own are never touched), with votes arriving from 8 client threads throughout.

    .venv/bin/python bench/faults.py [--voters 3000] [--requests 1000]

1. PostgreSQL stopped immediately (`pg_ctl stop -m immediate`) during the votes, started again
   3 s later: acknowledged votes lost (a 201 whose receipt has no row), what was answered during
   the outage, and how long after the database was back the first vote was accepted.
2. PostgreSQL stalled (SIGSTOP to every process of the cluster) for 8 s: how long the requests
   sent into the stall waited and what they were answered.
3. Redis killed (SIGKILL) and started again: votes answered 503, showcase and leaderboard 200,
   no vote lost, every quota exact afterwards (each voter's units == their votes).
4. The server killed (SIGKILL to every process): seconds until `wenming serve` answers again.
"""

import argparse
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import free_port, setup_django
from bench.votes import PrivateRedis, seed

PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1] if Path("/usr/lib/postgresql").exists() else None


class PrivatePostgres:
    """A throw-away cluster (initdb, trust auth) on a free port, stopped and removed at exit."""

    def __init__(self):
        if PG_BIN is None:
            sys.exit("PostgreSQL's server binaries are needed (apt-get install postgresql)")
        self.dir = Path(tempfile.mkdtemp(prefix="wenming-pg-"))
        if os.geteuid() == 0:  # the server refuses to run as root: the cluster is postgres's
            shutil.chown(self.dir, "postgres")
        self.port = free_port()
        self._as_postgres([str(PG_BIN / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres", "--auth=trust",
                           "-E", "UTF8", "--no-sync"])
        self.start()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/wenming_faults"
        self._as_postgres([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                           "wenming_faults"])

    def _as_postgres(self, cmd):
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True)

    def start(self):
        self._as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-w",
                           "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1", "start"])

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


class Voters:
    """8 threads voting as fast as answers come, one keep-alive connection each; every answer is
    kept: (sent at, answered at, status, content type, receipt)."""

    def __init__(self, port, ballots, threads=8, timeout=30):
        self.port, self.ballots, self.timeout = port, list(ballots), timeout
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
            return self.ballots[self._next - 1]

    def _run(self):
        conn = None
        while (ballot := self._take()) is not None:
            token, candidate = ballot
            body = json.dumps({"candidate_id": candidate})
            sent = time.monotonic()
            status, kind, receipt = 0, "", None
            try:
                conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                conn.request("POST", "/api/v1/votes", body, {"Authorization": f"Bearer {token}",
                                                             "Content-Type": "application/json"})
                response = conn.getresponse()
                data = response.read()
                status, kind = response.status, response.getheader("Content-Type", "")
                if status == 201:
                    receipt = json.loads(data)["receipt"]
            except (OSError, http.client.HTTPException) as exc:
                kind = type(exc).__name__
                conn = None
                time.sleep(0.05)
            with self._lock:
                self.answers.append((sent, time.monotonic(), status, kind, receipt))
            time.sleep(0.08)  # about 100 votes/s in all: the faults, not the throughput, are measured


def descendants(pid):
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(c) for c in children] + [d for c in children for d in descendants(int(c))]


def kill_tree(pid):
    for each in [pid, *descendants(pid)]:
        try:
            os.kill(each, signal.SIGKILL)
        except ProcessLookupError:
            pass


def restart_redis(redis):
    redis.proc = subprocess.Popen(["redis-server", "--port", str(redis.port), "--bind", "127.0.0.1", "--save", "",
                                   "--appendonly", "no", "--dir", tempfile.mkdtemp(prefix="wenming-redis-")],
                                  stdout=subprocess.DEVNULL)
    while subprocess.run(["redis-cli", "-p", str(redis.port), "ping"], capture_output=True).returncode:
        time.sleep(0.1)


def serve(env, port):
    proc = subprocess.Popen([sys.executable, "-m", "wenming", "serve", "--port", str(port)], env=env,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.monotonic()
    while time.monotonic() - started < 60:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc, time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit("the server did not answer within 60 s")


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return response.status


def statuses(answers):
    counts = {}
    for _, _, status, kind, _ in answers:
        key = status or kind
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=str))


def lost(answers):
    from wenming.voting.models import Vote

    receipts = {a[4] for a in answers if a[4]}
    stored = set(Vote.objects.filter(receipt__in=receipts).values_list("receipt", flat=True))
    return len(receipts - stored), len(receipts)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    pg, redis = PrivatePostgres(), PrivateRedis()
    try:
        run(args, pg, redis)
    finally:
        redis.kill()
        pg.remove()


def run(args, pg, redis):
    setup_django(pg.url)
    campaign, ids, tokens = seed(args.voters)
    quota = campaign.rules["voting"]["per_voter_per_award_per_day"]
    ballots = [(tokens[i % len(tokens)], ids[(i * 7 + i // len(tokens)) % len(ids)]) for i in range(4 * args.requests)]
    chunks = [ballots[k * args.requests:(k + 1) * args.requests] for k in range(4)]
    port = free_port()
    env = {**os.environ, "DATABASE_URL": pg.url, "REDIS_URL": redis.url, "WENMING_SECRET_KEY": "bench-only-not-a-secret"}
    server, took = serve(env, port)
    print(f"server up in {took:.2f} s (granian, 2 workers); {args.voters:,} voters, quota {quota}/award/day", flush=True)
    from django.db import connection

    # 1. PostgreSQL stopped immediately, started 3 s later.
    voters = Voters(port, chunks[0]).start()
    time.sleep(3)
    down_at = time.monotonic()
    pg.stop_immediately()
    time.sleep(3)
    pg.start()
    back_at = time.monotonic()
    voters.join()
    connection.close()
    during = [a for a in voters.answers if down_at <= a[1] <= back_at]
    first_after = min((a[1] for a in voters.answers if a[2] == 201 and a[0] >= back_at), default=None)
    gone, accepted = lost(voters.answers)
    shapes = {(a[2], a[3].split(";")[0]) for a in during}
    print(f"1. PostgreSQL stopped -m immediate for 3 s during {len(chunks[0])} votes: answers {statuses(voters.answers)}; "
          f"during the outage {statuses(during)} as {sorted(shapes)}; acknowledged {accepted}, lost {gone}; "
          + (f"first 201 {first_after - back_at:.2f} s after it was back" if first_after else "no 201 after it was back"),
          flush=True)

    # 2. PostgreSQL stalled: every process stopped for 8 s.
    voters = Voters(port, chunks[1]).start()
    time.sleep(3)
    stall_at = time.monotonic()
    pg.signal_all(signal.SIGSTOP)
    time.sleep(8)
    pg.signal_all(signal.SIGCONT)
    resumed = time.monotonic()
    voters.join()
    into = [a for a in voters.answers if stall_at <= a[0] < resumed]
    waits = sorted(a[1] - a[0] for a in into)
    gone, accepted = lost(voters.answers)
    print(f"2. PostgreSQL stalled (SIGSTOP) for 8 s: {len(into)} requests sent into the stall answered "
          f"{statuses(into)}; longest wait {waits[-1] if waits else 0:.2f} s, median "
          f"{waits[len(waits) // 2] if waits else 0:.2f} s; lost {gone} of {accepted} acknowledged", flush=True)

    # 3. Redis killed, votes and reads meanwhile, Redis started again.
    voters = Voters(port, chunks[2]).start()
    time.sleep(3)
    redis.kill()
    killed_at = time.monotonic()
    reads = {path: get(port, path) for path in ("/showcase/", "/api/v1/leaderboard?category=model_community")}
    time.sleep(2)
    restart_redis(redis)  # empty, on the same port, as after a crash
    voters.join()
    during = [a for a in voters.answers if a[1] >= killed_at]
    gone, accepted = lost(voters.answers)
    from django.db.models import Count

    from wenming.voting.models import DailyQuota, Vote

    counted = {(r["voter_id"], r["award_id"], r["day"]): r["n"] for r in
               Vote.objects.values("voter_id", "award_id", "day").annotate(n=Count("id"))}
    quotas = {(q.voter_id, q.award_id, q.day): q.used for q in DailyQuota.objects.all()}
    exact = quotas == counted
    print(f"3. Redis killed: votes after it {statuses(during)}; reads {reads}; lost {gone} of {accepted} "
          f"acknowledged; quotas exact: {exact} ({len(quotas)} voter-days)", flush=True)

    # 4. The server killed (every process of it); started again.
    kill_tree(server.pid)
    server.wait()
    killed = time.monotonic()
    server, took = serve(env, port)
    print(f"4. server SIGKILL: answering again {time.monotonic() - killed:.2f} s after (start {took:.2f} s)", flush=True)
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
    connection.close()


if __name__ == "__main__":
    main()
