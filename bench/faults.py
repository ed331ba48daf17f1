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
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import free_port, setup_django
from bench.stack import PrivatePostgres, PrivateRedis, Voters, get, kill_tree, lost, serve, statuses
from bench.votes import seed


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
    redis.start()  # empty, on the same port, as after a crash
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
