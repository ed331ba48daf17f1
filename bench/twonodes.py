"""Two app nodes behind a balancer (issue 22, point 8): each node is `wenming serve` (granian,
2 workers) in its own network namespace, with its own loopback and its own data directory;
HAProxy in front of both; one PostgreSQL cluster and one Redis, both private to this run,
listening on a bridge that joins the namespaces to this machine (the machine's own PostgreSQL
and Redis are never touched).

    .venv/bin/python bench/twonodes.py [--voters 1000] [--kill-voters 600] [--rounds 4]

Needs root (network namespaces and veth pairs), `ip` (iproute2), haproxy, redis-server and
redis-cli, and PostgreSQL's server binaries. Everything it makes (namespaces, bridge, processes,
temporary directories) is removed at the end, whatever ends the run.

1. Quotas across nodes: every voter sends quota + 2 votes for distinct candidates at once, so
   their requests land on both nodes together; afterwards each voter has exactly `quota` vote
   rows, the daily quota rows match the vote rows, and vote rows == the 201s answered.
2. Unpublish on one node, read on the other: the office withdraws a candidate from the showcase
   through node A (its own page and form, signed in); at once, node B's showcase list no longer
   links it, its page answers 404 and a vote for it is refused (404); the leaderboard drops it
   within its documented second. The nodes take turns writing and reading.
3. A node killed under load: votes (each with its own Idempotency-Key, resent with the same key
   on a balancer error, as a phone does) through the balancer; node A is SIGKILLed mid-way. No
   acknowledged vote lost, every ballot acknowledged once (rows == 201s == ballots), nothing
   answered by the dead node after the kill; the errors the clients saw and when, how soon the
   balancer's health check took the node out, and how soon it was back in once restarted.

The balancer retries a request on the other node when the connection to a node failed (the
request never left: safe for any method), and on a node that closed or timed out without an
answer only for GET/HEAD/OPTIONS and for votes carrying an Idempotency-Key (a repeat answers
the first answer); any other POST is never replayed by the balancer (docs/operations.md,
"Production layout"). It closes its connection to a node after each answer, so a node's death
cuts only the requests it was answering; HAProxy still closes some of their client connections
unanswered, and the client resends those with the same key.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import ROOT, free_port, session_cookie, setup_django
from bench.stack import PG_BIN, PrivatePostgres, PrivateRedis, Voters, answering, kill_tree, lost, statuses
from bench.votes import seed

NODE_PORT = 8000  # the same port on both nodes: each has its own network namespace
TOOLS = {"ip": "iproute2", "haproxy": "haproxy", "redis-server": "redis-server", "redis-cli": "redis-server",
         "runuser": "util-linux"}

HAPROXY_CONFIG = """\
# The balancer in front of the app nodes (bench/twonodes.py; docs/operations.md, "Production layout").
global
    maxconn 4000
    stats socket {socket} mode 600 level admin
    log stderr format raw local0 info

defaults
    mode http
    log global
    option httplog
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout http-request 10s
    timeout http-keep-alive 10s
    timeout check 1s
    # A failed connection (the request never left) is tried again, on the other node.
    retries 3
    option redispatch 1
    # A node that closed the connection or timed out without answering: tried again on the other
    # node only for requests a repeat cannot change (see disable-l7-retry below).
    retry-on conn-failure empty-response response-timeout

frontend www
    bind {bind}
    option forwardfor
    default_backend nodes

backend nodes
    balance roundrobin
    # A node's connection is closed after each answer (the client's stays open): a node that dies
    # then holds no idle connection of a client's, whose next request would be cut unanswered.
    option http-server-close
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host localhost
    http-check expect status 200
    acl read_only method GET HEAD OPTIONS
    acl has_key req.hdr(Idempotency-Key) -m found
    acl vote path /api/v1/votes
    http-request disable-l7-retry unless read_only or has_key vote
    http-response set-header X-Served-By %[srv_name]
    default-server inter 1s fastinter 250ms downinter 1s fall 2 rise 2 observe layer4 error-limit 1 on-error fastinter
{servers}
"""


def need_root_and_tools():
    if os.geteuid() != 0:
        sys.exit("bench/twonodes.py must run as root: it makes network namespaces and veth pairs (ip netns, ip link)")
    missing = [f"{tool} (apt-get install {package})" for tool, package in TOOLS.items() if not shutil.which(tool)]
    if PG_BIN is None:
        missing.append("PostgreSQL's server binaries (apt-get install postgresql)")
    if missing:
        sys.exit("bench/twonodes.py needs: " + ", ".join(missing))


def ip(*args, check=True):
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True).stdout


def remove_leftovers():
    """Namespaces and bridges of earlier runs whose process is gone (a run killed with SIGKILL
    cannot clean up after itself)."""
    for line in ip("netns", "list").splitlines():
        m = re.match(r"(wm(\d+)[ab])\b", line)
        if m and not Path(f"/proc/{m.group(2)}").exists():
            ip("netns", "del", m.group(1), check=False)
    for m in re.finditer(r"^\d+: (wm(\d+)br)[:@]", ip("-o", "link", "show"), re.MULTILINE):
        if not Path(f"/proc/{m.group(2)}").exists():
            ip("link", "del", m.group(1), check=False)


class Network:
    """A bridge in this namespace (the host address, where PostgreSQL, Redis and the balancer
    reach and are reached) and one namespace per node, joined to it by a veth pair; each
    namespace has its own loopback."""

    def __init__(self):
        self.tag = f"wm{os.getpid()}"
        self.bridge, self.namespaces = f"{self.tag}br", []
        used = ip("-4", "addr") + ip("-4", "route", "show", "table", "all")
        third = next(n for n in [*range(os.getpid() % 200 + 20, 250), *range(20, 250)]
                     if f"10.213.{n}." not in used)
        self.prefix = f"10.213.{third}"
        self.host, self.cidr = f"{self.prefix}.1", f"{self.prefix}.0/24"
        ip("link", "add", self.bridge, "type", "bridge")
        ip("addr", "add", f"{self.host}/24", "dev", self.bridge)
        ip("link", "set", self.bridge, "up")

    def add(self, letter, host_number):
        """The namespace `wm<pid><letter>` with eth0 at <prefix>.<host_number>; returns (name, address)."""
        name, address = f"{self.tag}{letter}", f"{self.prefix}.{host_number}"
        ip("netns", "add", name)
        self.namespaces.append(name)
        ip("link", "add", f"{name}0", "type", "veth", "peer", "name", "eth0", "netns", name)
        ip("link", "set", f"{name}0", "master", self.bridge)
        ip("link", "set", f"{name}0", "up")
        ip("-n", name, "addr", "add", f"{address}/24", "dev", "eth0")
        ip("-n", name, "link", "set", "eth0", "up")
        ip("-n", name, "link", "set", "lo", "up")
        return name, address

    def remove(self):
        for name in self.namespaces:
            ip("netns", "del", name, check=False)  # its veth pair goes with it
        ip("link", "del", self.bridge, check=False)


class Node:
    """`wenming serve --host 0.0.0.0` inside a namespace, with its own data directory (the
    static files of this release linked in, built once: docs/operations.md)."""

    def __init__(self, label, namespace, address, env, static_dir):
        self.label, self.namespace, self.address = label, namespace, address
        self.dir = Path(tempfile.mkdtemp(prefix=f"wenming-node-{label}-"))
        (self.dir / "static").symlink_to(static_dir)
        self.env = {**env, "WENMING_DATA_DIR": str(self.dir)}
        self.proc = None

    def start(self):
        log = open(self.dir / "server.log", "ab")  # noqa: SIM115  (kept open by the child)
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.namespace, sys.executable, "-m", "wenming", "serve", "--host", "0.0.0.0",
             "--port", str(NODE_PORT)], cwd=ROOT, env=self.env, start_new_session=True, stdout=log, stderr=log)
        log.close()
        took = answering(self.address, NODE_PORT, timeout=60)
        if took is None:
            sys.exit(f"node {self.label} did not answer within 60 s (log: {self.dir / 'server.log'})")
        return took

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            kill_tree(self.proc.pid)
            self.proc.wait()

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=25)
            except subprocess.TimeoutExpired:
                self.kill()


class Balancer:
    """HAProxy in the foreground, listening on 127.0.0.1; its admin socket answers the state of
    each node as its health checks see it."""

    def __init__(self, nodes):
        self.dir = Path(tempfile.mkdtemp(prefix="wenming-haproxy-"))
        self.port, self.socket = free_port(), self.dir / "admin.sock"
        servers = "\n".join(f"    server node-{n.label} {n.address}:{NODE_PORT} check" for n in nodes)
        self.config = HAPROXY_CONFIG.format(socket=self.socket, bind=f"127.0.0.1:{self.port}", servers=servers)
        (self.dir / "haproxy.cfg").write_text(self.config)
        check = subprocess.run(["haproxy", "-c", "-q", "-f", str(self.dir / "haproxy.cfg")], capture_output=True,
                               text=True)
        if check.returncode:
            sys.exit(f"haproxy refused the configuration: {check.stdout}{check.stderr}")
        log = open(self.dir / "haproxy.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(["haproxy", "-db", "-f", str(self.dir / "haproxy.cfg")], stdout=log, stderr=log,
                                     start_new_session=True)
        log.close()
        if answering("127.0.0.1", self.port, timeout=20) is None:
            sys.exit(f"haproxy did not answer (log: {self.dir / 'haproxy.log'})")

    def command(self, line):
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.socket))
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def servers(self):
        """{server name: its row of `show stat`} for the backend's servers."""
        lines = self.command("show stat").lstrip("# ").splitlines()
        header = lines[0].split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {r["svname"]: r for r in rows if r["pxname"] == "nodes" and r["svname"] not in ("FRONTEND", "BACKEND")}

    def wait_state(self, server, state, timeout=30):
        """Seconds until `server` is in `state` (UP, DOWN, …) per the health checks, or None."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.servers()[server]["status"].startswith(state):
                return time.monotonic() - started
            time.sleep(0.05)
        return None

    def remove(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def request(host, port, method, path, body=None, headers=None):
    """(status, headers, body) on a fresh connection."""
    conn = http.client.HTTPConnection(host, port, timeout=15)
    conn.request(method, path, body, headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, response, data


class Check:
    results = []

    @classmethod
    def add(cls, name, ok, figures=""):
        cls.results.append((name, ok))
        print(f"   {'PASS' if ok else 'FAIL'}: {name}" + (f" ({figures})" if figures else ""), flush=True)
        return ok


def per_voter(voter_ids):
    """{voter id: vote rows today} and {voter id: the quota units taken}, for these voters."""
    from django.db.models import Count

    from wenming.voting.models import DailyQuota, Vote

    rows = dict(Vote.objects.filter(voter_id__in=voter_ids).values_list("voter_id").annotate(n=Count("id"))
                .values_list("voter_id", "n"))
    units = {}
    for voter, used in DailyQuota.objects.filter(voter_id__in=voter_ids).values_list("voter_id", "used"):
        units[voter] = units.get(voter, 0) + used
    return rows, units


def voter_ids_of(tokens):
    from wenming.core.models import ResidentToken, hash_token
    from wenming.voting.models import Voter

    residents = ResidentToken.objects.filter(key_hash__in=[hash_token(t) for t in tokens]).values("resident_id")
    return list(Voter.objects.filter(resident_id__in=residents).values_list("pk", flat=True))


def by_node(answers):
    """{node: answers it gave} ("none": no node answered)."""
    counts = {}
    for answer in answers:
        counts[answer.node or "none"] = counts.get(answer.node or "none", 0) + 1
    return dict(sorted(counts.items()))


def part_quotas(balancer, tokens, ids, quota):
    print(f"1. quotas across nodes: {len(tokens):,} voters, each {quota + 2} votes for distinct candidates sent at once "
          f"(quota {quota}/award/day), 16 client connections through the balancer", flush=True)
    ballots = [(token, ids[(i * 7 + k) % len(ids)]) for i, token in enumerate(tokens) for k in range(quota + 2)]
    started = time.monotonic()
    voters = Voters(balancer.port, ballots, threads=16, pause=0, keyed=True, retries=5).start()
    voters.join()
    took = time.monotonic() - started
    final = voters.final().values()
    acknowledged = {a.receipt for a in final if a.status == 201}
    split = by_node(voters.answers)
    by_voter = {}
    for a in final:
        if a.status == 201:
            by_voter.setdefault(ballots[a.ballot][0], set()).add(a.node)
    both = sum(1 for nodes in by_voter.values() if len(nodes) == 2)
    rows, units = per_voter(voter_ids_of(tokens))
    over = sum(1 for n in rows.values() if n > quota)
    exact = sum(1 for n in rows.values() if n == quota)
    print(f"   {len(ballots):,} votes in {took:.1f} s ({len(ballots) / took:.0f}/s): answers {statuses(final)}; "
          f"answered by {split}; voters whose accepted votes both nodes took: {both:,} of {len(tokens):,}", flush=True)
    Check.add("vote rows == acknowledged (201)", sum(rows.values()) == len(acknowledged),
              f"rows {sum(rows.values()):,}, 201 {len(acknowledged):,}")
    Check.add("no voter over the quota, every voter exactly at it", over == 0 and exact == len(tokens),
              f"over {over}, at the quota {exact:,} of {len(tokens):,}")
    Check.add("quota units == vote rows for every voter", units == rows, f"{len(units):,} voters")
    Check.add("both nodes took votes", len([n for n in split if n.startswith("node-")]) == 2, str(split))


def office_form(node, cookie):
    """The office's showcase list on this node: (cookie header with the CSRF cookie, CSRF form token)."""
    status, response, body = request(node.address, NODE_PORT, "GET", "/applications/showcase/", headers={
        "Cookie": cookie, "Host": node.address})
    if status != 200:
        sys.exit(f"the office's showcase page on node {node.label} answered {status}")
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", ""))
    form_token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not (csrf_cookie and form_token):
        sys.exit("the office's showcase page carries no CSRF token")
    return f"{cookie}; csrftoken={csrf_cookie.group(1)}", form_token.group(1).decode()


def reads(node, candidate, token, reads_each=4):
    """What node answers about `candidate` now, each read on its own connection (so both of
    its workers answer some): list links, page statuses, vote statuses, on the leaderboard."""
    link = f'href="/showcase/{candidate}/"'.encode()
    listed, pages = [], []
    for _ in range(reads_each):
        status, _, body = request(node.address, NODE_PORT, "GET", "/showcase/", headers={"Host": node.address})
        listed.append(status == 200 and link in body)
        pages.append(request(node.address, NODE_PORT, "GET", f"/showcase/{candidate}/",
                             headers={"Host": node.address})[0])
    board = leaderboard_has(node, candidate)
    vote = request(node.address, NODE_PORT, "POST", "/api/v1/votes", json.dumps({"candidate_id": candidate}), {
        "Authorization": f"Bearer {token}", "Content-Type": "application/json", "Host": node.address})[0]
    return listed, pages, vote, board


def leaderboard_has(node, candidate):
    status, _, body = request(node.address, NODE_PORT, "GET", "/api/v1/leaderboard?category=model_community",
                              headers={"Host": node.address})
    return status == 200 and any(item["candidate_id"] == candidate for item in json.loads(body)["items"])


def part_unpublish(nodes, office, ids, tokens, rounds):
    from wenming.awards.models import Showcase

    print(f"2. unpublish on one node, read on the other at once: {rounds} rounds, the nodes taking turns", flush=True)
    cookie = session_cookie(office)
    for r in range(rounds):
        writer, reader = (nodes[0], nodes[1]) if r % 2 == 0 else (nodes[1], nodes[0])
        candidate = ids[-1 - r]
        before = reads(reader, candidate, tokens[2 * r])
        headers, form_token = office_form(writer, cookie)
        status, response, _ = request(writer.address, NODE_PORT, "POST", f"/applications/showcase/{candidate}/unpublish/",
                                      f"csrfmiddlewaretoken={form_token}", {
                                          "Cookie": headers, "Host": writer.address,
                                          "Content-Type": "application/x-www-form-urlencoded"})
        done = time.monotonic()
        after = reads(reader, candidate, tokens[2 * r + 1])
        read_in = time.monotonic() - done
        gone_after = None
        while time.monotonic() - done < 5:
            if not leaderboard_has(reader, candidate):
                gone_after = time.monotonic() - done
                break
            time.sleep(0.05)
        unpublished = Showcase.objects.get(pk=candidate).published_at is None
        print(f"   round {r + 1}: candidate {candidate} unpublished through node {writer.label} "
              f"(answer {status} → {response.getheader('Location')}, stored: {unpublished}); node {reader.label} before: "
              f"listed {sum(before[0])}/{len(before[0])}, page {before[1]}, vote {before[2]}, on the leaderboard "
              f"{before[3]}; right after (all read within {read_in:.2f} s): listed {sum(after[0])}/{len(after[0])}, "
              f"page {after[1]}, vote {after[2]}; gone from the leaderboard after "
              + (f"{gone_after:.2f} s" if gone_after is not None else "more than 5 s"), flush=True)
        Check.add(f"round {r + 1}: visible and votable on node {reader.label} before",
                  all(before[0]) and set(before[1]) == {200} and before[2] == 201 and before[3])
        Check.add(f"round {r + 1}: gone on node {reader.label} at once (list, page 404, vote 404)",
                  status == 302 and unpublished and not any(after[0]) and set(after[1]) == {404} and after[2] == 404)
        Check.add(f"round {r + 1}: off node {reader.label}'s leaderboard within 2 s (kept 1 s by design)",
                  gone_after is not None and gone_after <= 2, f"{gone_after:.2f} s" if gone_after is not None else "")
    return ids[:-rounds]


def part_kill(balancer, nodes, tokens, ids, quota):
    print(f"3. node {nodes[0].label} killed under load: {len(tokens):,} voters × {quota} votes, 12 client connections "
          "through the balancer, each vote with its own Idempotency-Key, resent with it on a balancer error", flush=True)
    ballots = [(token, ids[(i * 3 + k) % len(ids)]) for i, token in enumerate(tokens) for k in range(quota)]
    states, watching = [], threading.Event()

    def watch():
        while not watching.is_set():
            try:
                states.append((time.monotonic(), {k: v["status"] for k, v in balancer.servers().items()}))
            except OSError:
                pass
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    before = balancer.servers()
    voters = Voters(balancer.port, ballots, threads=12, pause=0.02, keyed=True, retries=10).start()
    time.sleep(4)
    kill_started = time.monotonic()
    nodes[0].kill()
    killed_at = time.monotonic()  # every process of the node gone: nothing sent after this can reach it
    voters.join()
    finished = time.monotonic()
    watching.set()
    watcher.join()
    dead = f"node-{nodes[0].label}"
    down_at = next((at for at, state in states if at >= kill_started and state[dead].startswith("DOWN")), None)
    after = balancer.servers()
    restarted = time.monotonic()
    nodes[0].start()
    back_in = balancer.wait_state(dead, "UP")
    back_after = time.monotonic() - restarted if back_in is not None else None

    final = voters.final()
    acknowledged = [a for a in final.values() if a.status == 201]
    gave_up = [a for a in final.values() if a.status != 201]
    errors = [a for a in voters.answers if a.status != 201]
    late = [a for a in voters.answers if a.sent > killed_at + 0.01 and a.node == dead]
    after_kill = by_node(a for a in voters.answers if a.sent > killed_at)
    gone, receipts = lost(voters.answers)
    rows, units = per_voter(voter_ids_of(tokens))
    retried = {name: int(after[name]["wretr"] or 0) - int(before[name]["wretr"] or 0) for name in after}
    redispatched = {name: int(after[name]["wredis"] or 0) - int(before[name]["wredis"] or 0) for name in after}
    window = (f"{min(a.sent for a in errors) - kill_started:+.2f} s to {max(a.answered for a in errors) - kill_started:+.2f} s "
              "from the kill" if errors else "none")
    written_first = written_before_resend(voters, final)
    print(f"   {len(ballots):,} votes in {finished - kill_started + 4:.1f} s (the kill took "
          f"{killed_at - kill_started:.2f} s); attempts {statuses(voters.answers)}; "
          f"final answers {statuses(final.values())}; attempts not answered 201: {len(errors)} ({statuses(errors)}), "
          f"window {window}, {written_first} of their ballots already written by the first attempt (the resend "
          f"with the same key answered that vote's 201); answered after the kill by {after_kill}; balancer retries "
          f"{retried}, redispatches {redispatched}; {dead} marked DOWN "
          + (f"{down_at - kill_started:.2f} s after the kill" if down_at else "never")
          + (f"; restarted, back UP in the balancer {back_after:.2f} s later" if back_after is not None else
             "; not back UP within 30 s of its restart"), flush=True)
    Check.add("no acknowledged vote lost", gone == 0, f"lost {gone} of {receipts:,}")
    Check.add("every ballot acknowledged once (rows == 201 == ballots)",
              len(acknowledged) == len(ballots) == sum(rows.values()) == receipts and not gave_up,
              f"ballots {len(ballots):,}, 201 {len(acknowledged):,}, rows {sum(rows.values()):,}, gave up {len(gave_up)}")
    Check.add("quota units == vote rows for every voter", units == rows, f"{len(units):,} voters")
    Check.add(f"nothing answered by {dead} after the kill; the balancer took it out and back",
              not late and down_at is not None and back_after is not None,
              f"{len(late)} answers from it after the kill")


def written_before_resend(voters, final):
    """How many resent ballots had their vote row written by the first attempt (the dying node
    committed it; the resend with the same key answered the stored 201): cast before the first
    attempt's answer arrived."""
    from wenming.voting.models import Vote

    wall = time.time() - time.monotonic()
    resent = {a.ballot: a for a in voters.answers if a.attempt == 1 and a.status != 201}
    cast_at = dict(Vote.objects.filter(receipt__in=[final[b].receipt for b in resent if final[b].receipt])
                   .values_list("receipt", "cast_at"))
    return sum(1 for b, first in resent.items()
               if final[b].receipt in cast_at and cast_at[final[b].receipt].timestamp() <= first.answered + wall)


def part_totals():
    from django.db.models import Count, Sum

    from wenming.voting.models import DailyQuota, TallyShard, Vote

    counted = {(r["voter_id"], r["award_id"], r["day"]): r["n"] for r in
               Vote.objects.values("voter_id", "award_id", "day").annotate(n=Count("id"))}
    quotas = {(q.voter_id, q.award_id, q.day): q.used for q in DailyQuota.objects.all()}
    tally = dict(TallyShard.objects.values_list("candidate_id").annotate(n=Sum("counted")).values_list("candidate_id", "n"))
    votes = dict(Vote.objects.filter(status="counted").values_list("candidate_id").annotate(n=Count("id"))
                 .values_list("candidate_id", "n"))
    print(f"totals: {sum(counted.values()):,} vote rows, {len(quotas):,} voter-days", flush=True)
    Check.add("every quota row == its voter's votes that day", quotas == counted, f"{len(quotas):,} voter-days")
    Check.add("the counters == counted votes per candidate", {k: v for k, v in tally.items() if v} == votes,
              f"{len(votes)} candidates")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=1000, help="voters of part 1")
    parser.add_argument("--kill-voters", type=int, default=600, help="voters of part 3")
    parser.add_argument("--rounds", type=int, default=4, help="unpublish rounds of part 2")
    args = parser.parse_args()
    need_root_and_tools()
    remove_leftovers()

    def stop(signum, _frame):
        raise SystemExit(f"stopped by signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)
    undo = []  # what to remove, in reverse order, whatever ends the run
    try:
        run(args, undo)
    finally:
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)  # a signal now would cut a step short: let them all run
        for step in reversed(undo):
            try:
                step()
            except BaseException:  # every later step still runs, whatever this one met
                traceback.print_exc()
    ok = bool(Check.results) and all(ok for _, ok in Check.results)
    print(f"twonodes: {'PASS' if ok else 'FAIL'} ({sum(ok for _, ok in Check.results)} of {len(Check.results)} checks)")
    sys.exit(0 if ok else 1)


def run(args, undo):
    started = time.monotonic()
    network = Network()
    undo.append(network.remove)
    a = network.add("a", 11)
    b = network.add("b", 12)
    pg = PrivatePostgres(name="wenming_twonodes", listen=("127.0.0.1", network.host), trust=(network.cidr,))
    undo.append(pg.remove)
    redis = PrivateRedis(bind=("127.0.0.1", network.host))
    undo.append(redis.remove)
    data_dir = setup_django(pg.url)
    undo.append(lambda: shutil.rmtree(data_dir, ignore_errors=True))
    from django.db import connection

    undo.append(connection.close)
    from wenming.core.roles import Role
    from wenming.testing.factories import make_user

    extra = 2 * args.rounds
    campaign, ids, tokens = seed(args.voters + args.kill_voters + extra)
    office = make_user("bench-office", role=Role.OFFICE)
    quota = campaign.rules["voting"]["per_voter_per_award_per_day"]
    env = {**os.environ, "DATABASE_URL": pg.url_at(network.host), "REDIS_URL": redis.url_at(network.host),
           "WENMING_SECRET_KEY": "bench-only-not-a-secret", "WENMING_TRUSTED_PROXIES": network.host,
           "WENMING_ALLOWED_HOSTS": f"127.0.0.1,localhost,{a[1]},{b[1]}", "WENMING_LOG_LEVEL": "WARNING"}
    nodes = [Node("a", *a, env, Path(data_dir) / "static"), Node("b", *b, env, Path(data_dir) / "static")]
    for node in nodes:
        undo.append(node.kill)
        undo.append(lambda node=node: shutil.rmtree(node.dir, ignore_errors=True))
    took = [node.start() for node in nodes]
    balancer = Balancer(nodes)
    undo.append(balancer.remove)
    ups = [balancer.wait_state(f"node-{n.label}", "UP") for n in nodes]
    print(f"set up in {time.monotonic() - started:.0f} s: namespaces {a[0]} ({a[1]}) and {b[0]} ({b[1]}) on bridge "
          f"{network.bridge} ({network.host}); PostgreSQL and Redis on {network.host}; nodes answering "
          f"{took[0]:.1f} s and {took[1]:.1f} s after their start (granian, 2 workers each); HAProxy "
          f"{subprocess.run(['haproxy', '-v'], capture_output=True, text=True).stdout.split()[2]} on "
          f"127.0.0.1:{balancer.port}, both nodes UP: {all(u is not None for u in ups)}; {len(ids)} candidates, "
          f"quota {quota}/award/day", flush=True)
    voters1 = tokens[:args.voters]
    spare = tokens[args.voters:args.voters + extra]
    voters3 = tokens[args.voters + extra:]
    part_quotas(balancer, voters1, ids, quota)
    left = part_unpublish(nodes, office, ids, spare, args.rounds)
    part_kill(balancer, nodes, voters3, left, quota)
    part_totals()
    for node in nodes:
        node.stop()


if __name__ == "__main__":
    main()
