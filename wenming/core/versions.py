"""Version tokens shared by every server process, for cache keys that must never serve
stale content after a change (`current(name)` in the key, `bump(name)` after the commit).

With REDIS_URL, Redis holds them (raw keys, no pickling): a bump writes a new random token,
so a restarted Redis can never hand out a token a process still holds for older content.
Without it (one machine, several worker processes whose memory caches are separate) a small
file per name in the data dir, holding the token, does.

Inside a request the tokens are read once: the first `current()` of a request reads every
name this process has asked for so far (one MGET with Redis), and the rest of the request
uses that snapshot, with its own bumps applied. So a request sees each version as it was
when the request first looked, and every request sees every bump committed before it
began. Outside a request (commands, tasks, tests) every call reads afresh."""

import functools
import os
import secrets
import threading
import time
import weakref

from django.conf import settings
from django.core.signals import request_finished, request_started

from wenming.core import redisstore

_request = threading.local()  # .tokens: this request's snapshot {name: token}, or None
_names = set()  # every name this process has asked for: read together at a request's start
PREFIX = "wenming:version:"


def _path(name):
    return settings.VERSIONS_DIR / name


@functools.lru_cache(maxsize=64)
def _path_text(directory, name):
    return os.fspath(directory / name)


_unsent = set()  # names whose bump Redis did not take (it was out of reach): sent at the next read
_unsent_lock = threading.Lock()


def _read_redis(names):
    client = redisstore.client(settings.REDIS_URL)
    try:
        if _unsent:
            with _unsent_lock:
                for name in sorted(_unsent):
                    client.call("SET", PREFIX + name, secrets.token_hex(8))
                _unsent.clear()
        values = client.call("MGET", *[PREFIX + name for name in names])
        tokens = {}
        for name, value in zip(names, values, strict=True):
            if value is None:
                # Never bumped, or Redis restarted empty: a new token (the first writer's, for
                # every process), so nothing kept under a token from before is served again.
                client.call("SET", PREFIX + name, secrets.token_hex(8), "NX")
                value = client.call("GET", PREFIX + name) or b"0"
            tokens[name] = value.decode()
        return tokens
    except redisstore.UNREACHABLE:
        # Redis out of reach: a token nobody holds, so every reader computes afresh from the
        # database (slower, never stale) until Redis answers again.
        return {name: "unreachable-" + secrets.token_hex(8) for name in names}


def _read(names):
    """{name: token} as stored now."""
    if settings.REDIS_URL:
        return _read_redis(names)
    tokens = {}
    for name in names:
        # os.open/read/close, not open(): a token is a few bytes, and building a text file
        # object for them cost more than the three system calls (every request reads these).
        try:
            fd = os.open(_path_text(settings.VERSIONS_DIR, name), os.O_RDONLY)
        except FileNotFoundError:
            tokens[name] = "0"
            continue
        try:
            tokens[name] = os.read(fd, 64).decode() or "0"
        finally:
            os.close(fd)
    return tokens


def current(name):
    """An opaque token that changes with every bump (for cache keys)."""
    tokens = getattr(_request, "tokens", None)
    if tokens is None:
        return _read([name])[name]
    token = tokens.get(name)
    if token is None:
        _names.add(name)
        tokens.update(_read(sorted(_names - tokens.keys())))
        token = tokens[name]
    return token


def _begin_request(**kwargs):
    _request.tokens = {}


def _end_request(**kwargs):
    _request.tokens = None


request_started.connect(_begin_request, dispatch_uid="wenming.versions.begin")
request_finished.connect(_end_request, dispatch_uid="wenming.versions.end")


_memos = weakref.WeakSet()


def clear_memos():
    """Forget every memoised value in this process, and this thread's request snapshot
    (tests: each has its own database)."""
    for memo in list(_memos):
        memo.clear()
    _end_request()


class Memo:
    """Small immutable values derived from the database (ids, frozen dataclasses), kept in this
    process's memory for as long as the named versions stay the same. Unlike the cache there
    is no pickling, which matters on the vote path; like it, a bump is seen by the next request.
    Values are shared between threads: never memoise a model instance or anything mutable.
    None is not kept (a miss is recomputed). With `seconds`, a value is also recomputed once
    it is that old (for data that changes without a bump, such as vote counts). With
    `lazy` too, a value younger than `seconds` is served without reading the versions at all:
    a bump is then seen within `seconds` rather than at once (for answers allowed to be that
    stale anyway, read often enough that the version read would be a good part of their cost)."""

    def __init__(self, *names, seconds=None, lazy=False):
        if lazy and seconds is None:
            raise ValueError("a lazy Memo needs seconds: how late a bump may be seen")
        self.names = names
        self.seconds = seconds
        self.lazy = lazy
        self._token = None
        self._values = {}
        _memos.add(self)

    def clear(self):
        self._values, self._token = {}, None

    def get(self, key, compute):
        now = time.monotonic()
        if self.lazy:
            kept = self._values.get(key)
            if kept is not None and kept[1] > now:
                return kept[0]
        token = tuple(current(name) for name in self.names)
        if token != self._token:
            # Replaced, not cleared: a thread still holding the old dict only fills that one.
            self._values, self._token = {}, token
        values = self._values
        kept = values.get(key)
        if kept is not None and (kept[1] is None or kept[1] > now):
            return kept[0]
        value = compute()
        if value is not None:
            values[key] = (value, None if self.seconds is None else now + self.seconds)
        return value


def bump(name):
    """Move the named version on; returns its new token (seen by this request at once, by
    every other one that starts after)."""
    token = secrets.token_hex(8)
    if settings.REDIS_URL:
        try:
            redisstore.client(settings.REDIS_URL).call("SET", PREFIX + name, token)
        except redisstore.UNREACHABLE:
            # The change is committed; its bump goes out with this process's next read of Redis.
            # Until then every reader here already computes afresh (see _read_redis).
            with _unsent_lock:
                _unsent.add(name)
    else:
        path = _path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a reader sees the old token or the new one, never a torn file.
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(token)
        os.replace(tmp, path)
    tokens = getattr(_request, "tokens", None)
    if tokens is not None:
        tokens[name] = token
    return token
