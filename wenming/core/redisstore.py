"""Redis for the vote's own hot path: the shared counters (`core.counters`) and version tokens
(`core.versions`). Django's cache keeps its own client (redis-py, through Django's backend).

A small RESP2 client, one connection per thread: a vote makes two calls, and redis-py's
per-command machinery (connection pool, retry wrapper, observability hooks, encoders, its
socket buffer) cost 60–130 µs of the worker's CPU per call here, against about 25 µs for the
round trip itself; with both calls it was a sixth of the vote's CPU in the worker
(docs/development.md). It speaks only what those callers need: commands of strings and
integers, replies of every RESP2 type, AUTH and SELECT from the URL, TLS for `rediss://`,
Unix sockets for `unix://`.

    client = redisstore.client("redis://:secret@10.0.0.5:6379/0")
    client.call("MGET", "a", "b")               # [b"…", None]
    client.script(SOURCE, keys=[…], args=[…])   # EVALSHA, EVAL again after a restart

A connection that turns out dead (Redis restarted, or a worker forked with one) is replaced
and the command sent once more, as redis-py does by default; an error reply raises
`ReplyError` and leaves the connection usable."""

import hashlib
import os
import socket
import ssl
import threading
from functools import lru_cache
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TIMEOUT = 5.0  # seconds, to connect and for each reply: a stuck Redis fails the request, never hangs it


class ReplyError(Exception):
    """An error reply from Redis (`-ERR …`, `-NOSCRIPT …`)."""


def _encode(arg):
    if isinstance(arg, bytes):
        return arg
    if isinstance(arg, str):
        return arg.encode()
    if isinstance(arg, int) and not isinstance(arg, bool):
        return str(arg).encode()
    raise TypeError(f"a Redis argument must be str, bytes or int, not {type(arg).__name__}")


def pack(args):
    """One command as RESP2: an array of bulk strings."""
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = _encode(arg)
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


class _Connection:
    """One socket and its unread bytes."""

    def __init__(self, target):
        self.sock = target.open()
        self.buffer = b""
        self.pos = 0

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("Redis closed the connection")
        self.buffer = self.buffer[self.pos:] + chunk
        self.pos = 0

    def _line(self):
        while True:
            end = self.buffer.find(b"\r\n", self.pos)
            if end >= 0:
                line = self.buffer[self.pos:end]
                self.pos = end + 2
                return line
            self._fill()

    def _exact(self, size):
        while len(self.buffer) - self.pos < size + 2:
            self._fill()
        data = self.buffer[self.pos:self.pos + size]
        self.pos += size + 2
        return data

    def reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b":":
            return int(rest)
        if kind == b"$":
            size = int(rest)
            return None if size < 0 else self._exact(size)
        if kind == b"*":
            size = int(rest)
            return None if size < 0 else [self.reply() for _ in range(size)]
        if kind == b"+":
            return rest
        if kind == b"-":
            # Read whole before raising, so the connection stays in step for the next command.
            return ReplyError(rest.decode(errors="replace"))
        raise ConnectionError(f"not a RESP2 reply: {line[:40]!r}")


class _Target:
    """Where and how to connect, from the URL."""

    def __init__(self, url):
        parts = urlsplit(url)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        self.tls = parts.scheme == "rediss"
        if parts.scheme in ("redis", "rediss"):
            self.family, self.address = socket.AF_INET, (parts.hostname or "127.0.0.1", parts.port or 6379)
            db = parts.path.lstrip("/") or query.get("db", "0")
        elif parts.scheme == "unix":
            self.family, self.address = socket.AF_UNIX, unquote(parts.path)
            db = query.get("db", "0")
        else:
            raise ImproperlyConfigured(f"REDIS_URL scheme {parts.scheme!r} is not supported (redis, rediss, unix)")
        if not db.isdigit():
            raise ImproperlyConfigured(f"REDIS_URL database must be a number, got {db!r}")
        self.db = int(db)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None

    def open(self):
        if self.family == socket.AF_INET:
            sock = socket.create_connection(self.address, timeout=TIMEOUT)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.tls:
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.address[0])
        else:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(TIMEOUT)
            sock.connect(self.address)
        return sock


class Client:
    """Thread-safe: each thread has its own connection."""

    def __init__(self, url):
        self.target = _Target(url)
        self._local = threading.local()
        self._shas = {}
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self):
        self._local = threading.local()  # a forked child never shares its parent's sockets

    def _connection(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = _Connection(self.target)
            setup = []
            if self.target.password is not None:
                setup.append(["AUTH", *([self.target.username] if self.target.username else []), self.target.password])
            if self.target.db:
                setup.append(["SELECT", self.target.db])
            try:
                for command in setup:
                    conn.sock.sendall(pack(command))
                    answer = conn.reply()
                    if isinstance(answer, ReplyError):
                        raise answer
            except BaseException:
                conn.close()
                raise
            self._local.conn = conn
        return conn

    def _drop(self):
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def call(self, *args):
        """Send one command and return its reply (bytes, int, None or a list of them)."""
        data = pack(args)
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.sock.sendall(data)
                answer = conn.reply()
            except OSError:  # ConnectionError and socket timeouts are OSErrors too
                self._drop()
                if attempt == 2:
                    raise
                continue
            except BaseException:
                self._drop()  # interrupted mid-reply: the stream is out of step
                raise
            if isinstance(answer, ReplyError):
                raise answer
            return answer

    def script(self, source, keys=(), args=()):
        """Run a Lua script by its SHA1, loading it (EVAL) when Redis does not know it."""
        sha = self._shas.get(source)
        if sha is None:
            sha = self._shas[source] = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()
        try:
            return self.call("EVALSHA", sha, len(keys), *keys, *args)
        except ReplyError as exc:
            if not str(exc).startswith("NOSCRIPT"):
                raise
            return self.call("EVAL", source, len(keys), *keys, *args)


@lru_cache(maxsize=4)
def client(url):
    """The process's client for a URL (its connections are per thread)."""
    return Client(url)
