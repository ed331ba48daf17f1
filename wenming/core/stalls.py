"""A stalled PostgreSQL (a frozen or stopped server that accepts no connection and answers
nothing) must not hang the requests waiting on it. Its own `statement_timeout` cannot help (the
server is what is stalled) and TCP keeps the socket open (the machine still acknowledges), so
each server process keeps a watchdog thread: once a request has run longer than `PATIENCE`
seconds, it tries a fresh connection (libpq's `connect_timeout`, 2 s); if that fails too, the
database is stalled and the watchdog shuts the sockets of the requests still waiting, which
then fail at once with the connection error that `core.outages` answers 503; until a probe
connects again (the watchdog tries again and again), a new request fails at once too. A
request that is merely slow (a big export) is left alone: the probe connects.

A stall is only a probe that times out (psycopg's ConnectionTimeout: the server accepts the
connection, or the network swallows it, and nothing answers). A probe the server refuses ("too
many clients", an authentication failure, "the database system is starting up", connection
refused while it restarts) is an outage of another kind: the server answers, so nothing it
holds is hung, and the requests get their own errors (core.outages answers them 503). It
never switches the fail-fast mode on, and while that mode is on it ends it.

The sockets are reached through psycopg's public `Connection.fileno()` and closed with the
socket module's `shutdown`, never through psycopg's internals."""

import logging
import os
import socket
import threading
import time

import psycopg
from django.db import connections

from wenming.core.outages import DatabaseStalled

logger = logging.getLogger("wenming.outages")

PATIENCE = 2.0  # seconds a request may run before the watchdog asks whether the database answers
PROBE_EVERY = 5.0  # seconds between two probes while requests keep running long
PROBE_TIMEOUT = 2  # libpq's connect_timeout (its smallest useful value)
ANSWERS, REFUSED, STALLED = "answers", "refused", "stalled"  # what a probe found


class Watchdog:
    def __init__(self, patience=PATIENCE):
        self.patience = patience
        self._running = {}  # thread id -> (started, DatabaseWrapper)
        self._thread = None
        self._lock = threading.Lock()
        self._probed_at = 0.0
        self.stalled = False
        self.refused = False  # the last probe was refused (said once in the log, not a stall)

    def enter(self):
        """This thread's request begins (one dict write: the hot path pays nothing more). While
        the database is known to be stalled, a request fails at once (503 through
        core.outages) instead of queueing behind the others."""
        if self._thread is None:
            self._start()
        if self.stalled:
            raise DatabaseStalled("the database is stalled (core.stalls)")
        self._running[threading.get_ident()] = (time.monotonic(), connections["default"])

    def leave(self):
        self._running.pop(threading.get_ident(), None)

    def _start(self):
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="wenming-stall-watchdog", daemon=True)
                self._thread.start()

    def _watch(self):
        while True:
            time.sleep(0.5)
            try:
                self._look()
            except Exception:  # the watchdog never dies: a dead one would leave `stalled` set
                logger.exception("stall watchdog")
                self.stalled = False

    def _look(self):
        """One look: free what waits on a stalled database, or decide whether it is stalled."""
        now = time.monotonic()
        if self.stalled:
            # Until a probe gets an answer again, nothing waits: every request fails at once.
            self.stalled = self._probe(connections["default"]) == STALLED
            if self.stalled:
                self.release([wrapper for _, wrapper in list(self._running.values())])
            else:
                logger.warning("database answers again")
            return
        stuck = [wrapper for started, wrapper in list(self._running.values()) if now - started > self.patience]
        if stuck and now - self._probed_at >= PROBE_EVERY and self._probe(stuck[0]) == STALLED:
            self.stalled = True
            self.release(stuck)

    def _probe(self, wrapper):
        """ANSWERS, REFUSED or STALLED: what a fresh connection to the database meets."""
        self._probed_at = time.monotonic()
        try:
            psycopg.connect(**self._params(wrapper), autocommit=True).close()
            found = ANSWERS
        except psycopg.errors.ConnectionTimeout:
            return STALLED
        except psycopg.Error as exc:
            if not self.refused:
                logger.warning("database refuses new connections (%s): not a stall", type(exc).__name__)
            found = REFUSED
        self.refused = found == REFUSED
        return found

    @staticmethod
    def _params(wrapper):
        params = {**wrapper.get_connection_params(), "connect_timeout": PROBE_TIMEOUT}
        params.pop("cursor_factory", None)
        params.pop("context", None)
        return params

    def release(self, wrappers):
        """Shut the database sockets of these requests: each fails now instead of waiting."""
        logger.warning("database stalled: releasing %d waiting request(s)", len(wrappers))
        for wrapper in wrappers:
            conn = wrapper.connection
            if conn is None or conn.closed:
                continue
            try:
                # On a duplicate of the descriptor: shutting it down ends the connection for
                # libpq too, while libpq's own descriptor stays libpq's to close.
                with socket.socket(fileno=os.dup(conn.fileno())) as sock:
                    sock.shutdown(socket.SHUT_RDWR)
            except (OSError, psycopg.Error):  # closed meanwhile by its own request
                pass


watchdog = Watchdog()
