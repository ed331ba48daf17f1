"""An exact load client for the vote benchmark (wrk stops counting at its deadline while
requests are in flight, which makes rows-vs-accepted unmeasurable). Runs in its own process:

    python bench/vote_client.py PORT REQUEST_FILE CONNECTIONS SECONDS

Each connection keeps one HTTP/1.1 keep-alive socket; new requests stop at the deadline and
every request sent is answered before the totals are printed as one JSON line.

The loop is a bare epoll over non-blocking sockets, with each request's bytes built before the
clock starts: on a 2-core machine every cycle the client spends is taken from the server it
measures (an asyncio streams client took about 0.15 of a core at 800 votes/s, wrk for the
hello-world baseline a few hundredths)."""

import json
import re
import select
import socket
import sys
import time

_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)


def requests_from(path):
    """Every request of the file, as the bytes to send: a vote file has "token candidate_id" per
    line; a `.http` file holds whole requests, each after a line "#<length in bytes>" (other
    benchmarks' requests, e.g. bench/complaints.py's filings)."""
    if str(path).endswith(".http"):
        return _raw_requests(path)
    out = []
    with open(path) as fh:
        for line in fh:
            if not line.strip():
                continue
            token, candidate = line.split()
            body = b'{"candidate_id": %d}' % int(candidate)
            out.append(b"POST /api/v1/votes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       b"Authorization: Bearer %s\r\nContent-Length: %d\r\n\r\n%s" % (token.encode(), len(body), body))
    return out


def _raw_requests(path):
    with open(path, "rb") as fh:
        data = fh.read()
    out, at = [], 0
    while at < len(data):
        end = data.index(b"\n", at)
        length = int(data[at + 1:end])
        out.append(data[end + 1:end + 1 + length])
        at = end + 1 + length
    return out


class Connection:
    __slots__ = ("buffer", "sock", "started")

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.buffer = b""
        self.started = 0.0

    def answer(self):
        """(status, bytes consumed) of the first complete response in the buffer, or None."""
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        length = _LENGTH.search(self.buffer, 0, end + 2)
        total = end + 4 + (int(length.group(1)) if length else 0)
        if len(self.buffer) < total:
            return None
        return int(self.buffer[9:12]), total


def run(port, requests, connections, seconds):
    poller = select.epoll()
    conns = {}
    for _ in range(connections):
        conn = Connection(port)
        conns[conn.sock.fileno()] = conn
        poller.register(conn.sock.fileno(), select.EPOLLIN)
    statuses, latencies, cursor = {}, [], 0
    started = time.monotonic()
    deadline = started + seconds

    def send(conn):
        nonlocal cursor
        request = requests[cursor % len(requests)]
        cursor += 1
        conn.started = time.monotonic()
        conn.sock.sendall(request)  # a few hundred bytes: the socket buffer always takes them

    for conn in conns.values():
        send(conn)
    open_requests = len(conns)
    while open_requests:
        for fd, _ in poller.poll():
            conn = conns[fd]
            chunk = conn.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed a keep-alive connection")
            conn.buffer += chunk
            answer = conn.answer()
            if answer is None:
                continue
            now = time.monotonic()
            status, used = answer
            conn.buffer = conn.buffer[used:]
            latencies.append((now - conn.started) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
            if now < deadline:
                send(conn)
            else:
                open_requests -= 1
    elapsed = time.monotonic() - started
    for conn in conns.values():
        conn.sock.close()
    latencies.sort()
    return {"statuses": statuses, "elapsed": elapsed, "requests": len(latencies),
            "p50": latencies[len(latencies) // 2], "p99": latencies[int(len(latencies) * 0.99)]}


if __name__ == "__main__":
    port, path, connections, seconds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    print(json.dumps(run(port, requests_from(path), connections, seconds)))
