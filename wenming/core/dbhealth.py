"""A kept PostgreSQL connection that the server has closed (a restart, a failover, an idle
timeout) is dropped before a request uses it, so the first request after a database restart
does not fail on it. The check costs no round trip: an idle connection has nothing to read,
so a socket that is readable (the server's goodbye, or its end of the stream) means the
server is gone; Django then opens a new connection on first use. It reads the socket's state
through psycopg's public `Connection.fileno()`; Django's own CONN_HEALTH_CHECKS (a SELECT 1
before each request's first query) stays available with WENMING_DB_HEALTH_CHECKS=1."""

import select

import psycopg
from django.core.signals import request_started
from django.db import connections


def drop_closed_connections(**kwargs):
    for conn in connections.all(initialized_only=True):
        raw = conn.connection
        if raw is None or conn.vendor != "postgresql" or conn.in_atomic_block:
            continue
        try:
            poller = select.poll()
            poller.register(raw.fileno(), select.POLLIN)
            gone = bool(poller.poll(0))
        except (OSError, ValueError, psycopg.Error):  # already closed, or lost by libpq
            gone = True
        if gone:
            conn.close()


request_started.connect(drop_closed_connections, dispatch_uid="wenming.dbhealth")
