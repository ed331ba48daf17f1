"""Real parallel clients for concurrency tests (PostgreSQL): one call in many threads at once."""

import threading

from django.db import connection


def together(call, count=8, timeout=60):
    """Run `call()` in `count` threads released at once by a barrier, each on its own database
    connection (closed after); returns what each returned, in the order they finished — an
    exception in a thread is returned in its place, so a test sees it."""
    barrier, results, lock = threading.Barrier(count), [], threading.Lock()

    def run():
        try:
            barrier.wait()
            result = call()
        except Exception as exc:
            result = exc
        finally:
            connection.close()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
