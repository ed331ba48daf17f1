"""The vote path's Redis client (redis-py's Connection, one per thread): what it sends first, error
replies, a dead connection replaced, and a command that may have run never sent twice; against a
scripted local server, and against Redis itself on the PostgreSQL pass."""

import socket
import threading
import time

import pytest
import redis
from django.core.exceptions import ImproperlyConfigured

from wenming.core import counters, redisstore


class ScriptedRedis:
    """A local server that records each connection's bytes and answers from a script: one
    list of replies per connection, each sent in pieces after a command has fully arrived; the
    connection is closed after its last reply."""

    def __init__(self, *connections):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.received = []  # (connection number, bytes)
        self.thread = threading.Thread(target=self._serve, args=(list(connections),), daemon=True)
        self.thread.start()

    def _serve(self, connections):
        for number, replies in enumerate(connections):
            conn, _ = self.sock.accept()
            with conn:
                for reply in replies:
                    self.received.append((number, conn.recv(65536)))  # the client waits for each reply
                    if reply is None:
                        break  # hang up without answering
                    for i in range(0, len(reply), 3):  # in pieces: the client must reassemble
                        conn.sendall(reply[i:i + 3])
        self.sock.close()


def pack(*args):
    return b"".join([b"*%d\r\n" % len(args), *(b"$%d\r\n%s\r\n" % (len(a), a) for a in (str(x).encode() for x in args))])


@pytest.mark.parametrize("url", ["memcached://127.0.0.1", "redis://127.0.0.1/zero"])
def test_a_url_it_cannot_serve_is_refused_at_once(url):
    with pytest.raises(ImproperlyConfigured):
        redisstore.Client(url)


def test_replies_come_back_as_redis_sends_them():
    server = ScriptedRedis([b":42\r\n", b"$5\r\nhe\r\no\r\n", b"*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n*-1\r\n"])
    client = redisstore.Client(f"redis://127.0.0.1:{server.port}")
    assert client.call("INCR", "n") == 42
    assert client.call("GET", "k") == b"he\r\no"  # a bulk string's CRLF is data, not the end
    assert client.call("EVAL", "…", 0) == [1, [b"a", None], None]
    assert server.received[0] == (0, pack("INCR", "n"))


def test_an_error_reply_raises_and_the_connection_goes_on():
    server = ScriptedRedis([b"-ERR wrong kind of value\r\n", b":7\r\n"])
    client = redisstore.Client(f"redis://127.0.0.1:{server.port}")
    with pytest.raises(redisstore.ReplyError, match="wrong kind"):
        client.call("INCR", "s")
    assert client.call("INCR", "n") == 7
    assert {number for number, _ in server.received} == {0}


def test_credentials_and_database_are_sent_first_on_each_new_connection():
    server = ScriptedRedis([b"+OK\r\n", b"+OK\r\n", b":1\r\n"])
    client = redisstore.Client(f"redis://app:pw@127.0.0.1:{server.port}/4")
    assert client.call("INCR", "n") == 1
    assert server.received == [(0, pack("AUTH", "app", "pw")), (0, pack("SELECT", 4)), (0, pack("INCR", "n"))]


def test_a_refused_password_is_an_error():
    server = ScriptedRedis([b"-WRONGPASS invalid username-password pair\r\n"])
    client = redisstore.Client(f"redis://:bad@127.0.0.1:{server.port}")
    with pytest.raises(redis.AuthenticationError):
        client.call("PING")


def test_a_read_that_died_on_the_wire_is_sent_again_on_a_new_connection():
    server = ScriptedRedis([b"$1\r\na\r\n", None], [b"$1\r\nb\r\n"])  # the first connection dies at the second GET
    client = redisstore.Client(f"redis://127.0.0.1:{server.port}")
    assert client.call("GET", "k") == b"a"
    assert client.call("GET", "k") == b"b"
    assert server.received == [(0, pack("GET", "k")), (0, pack("GET", "k")), (1, pack("GET", "k"))]


def test_a_counter_that_died_on_the_wire_is_never_sent_twice():
    server = ScriptedRedis([b":1\r\n", None], [b":1\r\n"])  # Redis may have counted the second INCR
    client = redisstore.Client(f"redis://127.0.0.1:{server.port}")
    assert client.call("INCR", "n") == 1
    with pytest.raises(redis.ConnectionError):
        client.call("INCR", "n")
    assert server.received == [(0, pack("INCR", "n")), (0, pack("INCR", "n"))]
    assert client.call("INCR", "n") == 1  # the next one goes on a new connection
    assert server.received[-1] == (1, pack("INCR", "n"))


def test_a_connection_closed_while_idle_is_replaced_before_the_command_is_sent():
    server = ScriptedRedis([b":1\r\n"], [b":2\r\n"])  # the first connection is closed after one reply
    client = redisstore.Client(f"redis://127.0.0.1:{server.port}")
    assert client.call("INCR", "n") == 1
    time.sleep(0.1)  # the close has arrived
    assert client.call("INCR", "n") == 2
    assert server.received == [(0, pack("INCR", "n")), (1, pack("INCR", "n"))]


def test_nothing_listening_fails_the_call_instead_of_hanging():
    port = socket.create_server(("127.0.0.1", 0))
    free = port.getsockname()[1]
    port.close()
    started = time.monotonic()
    with pytest.raises(redis.ConnectionError):
        redisstore.Client(f"redis://127.0.0.1:{free}").call("PING")
    assert time.monotonic() - started < redisstore.TIMEOUT


@pytest.mark.redis
def test_on_redis_each_thread_has_its_own_connection_and_a_killed_one_is_replaced(settings):
    client = redisstore.client(settings.REDIS_URL)
    mine = client.call("CLIENT", "ID")
    other = []
    thread = threading.Thread(target=lambda: other.append(client.call("CLIENT", "ID")))
    thread.start()
    thread.join()
    assert other[0] != mine
    client.call("CLIENT", "KILL", "ID", other[0])
    assert client.call("CLIENT", "ID") == mine
    client.call("CLIENT", "KILL", "ID", mine, "SKIPME", "no")  # what a Redis restart does to every connection
    time.sleep(0.05)
    assert counters.bump([("test:redisstore", 60)]) == [1]  # a script, on a new connection, counted once
    assert client.call("SET", "wenming:test:redisstore", "值") == b"OK"
    assert client.call("MGET", "wenming:test:redisstore", "wenming:test:none") == ["值".encode(), None]
    assert client.call("CLIENT", "ID") != mine
    client.call("DEL", "wenming:test:redisstore", counters.PREFIX + "test:redisstore")
