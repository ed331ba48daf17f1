"""The vote path's Redis client: the wire format, the URL, replies split across reads, a dead
connection replaced, error replies; against a scripted local server, and against Redis itself
on the PostgreSQL pass."""

import socket
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured

from wenming.core import redisstore


class ScriptedRedis:
    """A local server that records each connection's bytes and answers from a script: one
    list of replies per connection, each sent in pieces after a command has fully arrived."""

    def __init__(self, *connections):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.received = []
        self.thread = threading.Thread(target=self._serve, args=(list(connections),), daemon=True)
        self.thread.start()

    def _serve(self, connections):
        for replies in connections:
            conn, _ = self.sock.accept()
            with conn:
                for reply in replies:
                    self.received.append(conn.recv(65536))  # the client waits for each reply
                    if reply is None:
                        break  # hang up without answering
                    for i in range(0, len(reply), 3):  # in pieces: the client must reassemble
                        conn.sendall(reply[i:i + 3])
        self.sock.close()


def test_a_command_is_an_array_of_bulk_strings():
    assert redisstore.pack(["SET", "k", 12, b"\x00v"]) == b"*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n12\r\n$2\r\n\x00v\r\n"
    assert redisstore.pack(["GET", "键"]) == b"*2\r\n$3\r\nGET\r\n$3\r\n\xe9\x94\xae\r\n"  # length in bytes
    with pytest.raises(TypeError):
        redisstore.pack(["SET", "k", 1.5])


@pytest.mark.parametrize(("url", "address", "db", "username", "password", "tls"), [
    ("redis://127.0.0.1:6380/2", ("127.0.0.1", 6380), 2, None, None, False),
    ("redis://:s%40cret@cache.internal/0", ("cache.internal", 6379), 0, None, "s@cret", False),
    ("rediss://app:pw@cache.internal:6390", ("cache.internal", 6390), 0, "app", "pw", True),
    ("unix:///run/redis.sock?db=3", "/run/redis.sock", 3, None, None, False),
])
def test_the_url_says_where_and_how(url, address, db, username, password, tls):
    target = redisstore._Target(url)
    assert (target.address, target.db, target.username, target.password, target.tls) == (
        address, db, username, password, tls)


@pytest.mark.parametrize("url", ["memcached://127.0.0.1", "redis://127.0.0.1/zero"])
def test_a_url_it_cannot_serve_is_refused_at_once(url):
    with pytest.raises(ImproperlyConfigured):
        redisstore._Target(url)


def test_every_reply_type_read_back_from_pieces():
    server = ScriptedRedis([b":42\r\n", b"$5\r\nhe\r\no\r\n", b"$-1\r\n", b"+OK\r\n",
                            b"*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n*-1\r\n"])
    client = redisstore.Client(f"redis://127.0.0.1:{server.port}")
    assert client.call("INCR", "n") == 42
    assert client.call("GET", "k") == b"he\r\no"  # a bulk string's CRLF is data, not the end
    assert client.call("GET", "none") is None
    assert client.call("SET", "k", "v") == b"OK"
    assert client.call("EVAL", "…", 0) == [1, [b"a", None], None]
    assert server.received[0] == b"*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n"


def test_an_error_reply_raises_and_the_connection_goes_on():
    server = ScriptedRedis([b"-ERR wrong kind of value\r\n", b":7\r\n"])
    client = redisstore.Client(f"redis://127.0.0.1:{server.port}")
    with pytest.raises(redisstore.ReplyError, match="wrong kind"):
        client.call("INCR", "s")
    assert client.call("INCR", "n") == 7


def test_credentials_and_database_are_sent_first_on_each_new_connection():
    server = ScriptedRedis([b"+OK\r\n", b"+OK\r\n", b":1\r\n"])
    client = redisstore.Client(f"redis://app:pw@127.0.0.1:{server.port}/4")
    assert client.call("INCR", "n") == 1
    assert server.received == [redisstore.pack(["AUTH", "app", "pw"]), redisstore.pack(["SELECT", 4]),
                               redisstore.pack(["INCR", "n"])]


def test_a_refused_password_is_an_error_and_no_connection_is_kept():
    server = ScriptedRedis([b"-WRONGPASS invalid username-password pair\r\n"])
    client = redisstore.Client(f"redis://:bad@127.0.0.1:{server.port}")
    with pytest.raises(redisstore.ReplyError, match="WRONGPASS"):
        client.call("PING")
    assert getattr(client._local, "conn", None) is None


def test_a_connection_the_server_dropped_is_replaced_and_the_command_sent_again():
    server = ScriptedRedis([b":1\r\n", None], [b":2\r\n"])  # the first connection dies at the second command
    client = redisstore.Client(f"redis://127.0.0.1:{server.port}")
    assert client.call("INCR", "n") == 1
    assert client.call("INCR", "n") == 2
    assert server.received[-1] == redisstore.pack(["INCR", "n"])


def test_nothing_listening_fails_the_call_instead_of_hanging():
    port = socket.create_server(("127.0.0.1", 0))
    free = port.getsockname()[1]
    port.close()
    with pytest.raises(OSError):
        redisstore.Client(f"redis://127.0.0.1:{free}").call("PING")


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
    assert client.call("SET", "wenming:test:redisstore", "值") == b"OK"
    assert client.call("MGET", "wenming:test:redisstore", "wenming:test:none") == ["值".encode(), None]
    assert client.call("CLIENT", "ID") != mine
    client.call("DEL", "wenming:test:redisstore")
