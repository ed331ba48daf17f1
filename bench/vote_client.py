"""An exact load client for the vote benchmark (wrk stops counting at its deadline while
requests are in flight, which makes rows-vs-accepted unmeasurable). Runs in its own process:

    python bench/vote_client.py PORT REQUEST_FILE CONNECTIONS SECONDS

Each connection keeps one HTTP/1.1 keep-alive socket; new requests stop at the deadline and
every request sent is answered before the totals are printed as one JSON line."""

import asyncio
import json
import sys
import time


async def worker(port, lines, cursor, deadline, statuses, latencies):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < deadline:
            index = cursor[0]
            cursor[0] += 1
            token, candidate = lines[index % len(lines)].split()
            body = json.dumps({"candidate_id": int(candidate)}).encode()
            request = (f"POST /api/v1/votes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
            started = time.monotonic()
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            while True:
                header = await reader.readline()
                if header in (b"\r\n", b""):
                    break
                name, _, value = header.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
            latencies.append((time.monotonic() - started) * 1000)
            status = int(status_line.split()[1])
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


async def main(port, path, connections, seconds):
    with open(path) as fh:
        lines = [line for line in fh.read().splitlines() if line]
    statuses, latencies, cursor = {}, [], [0]
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(*(worker(port, lines, cursor, deadline, statuses, latencies) for _ in range(connections)))
    elapsed = time.monotonic() - started
    latencies.sort()
    print(json.dumps({"statuses": statuses, "elapsed": elapsed, "requests": len(latencies),
                      "p50": latencies[len(latencies) // 2], "p99": latencies[int(len(latencies) * 0.99)]}))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))
