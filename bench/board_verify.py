"""Benchmark: `wenming votes verify --from-published DIR` over a 2,000,000-entry board
(issue 17 target: < 30 s), with no database at all.

    .venv/bin/python bench/board_verify.py [--entries N] [--dir DIR]

Builds board.csv and tally.json in DIR (a temporary directory unless given; an existing board
of the right size there is reused) in the published format (wenming.voting.published): votes
for 500 candidates over ten days, 2% quarantined when cast, half of those released and half
invalidated later, and a few counted votes invalidated. Then times the command in a fresh
process whose DATABASE_URL points at a file that cannot exist, and, as the baseline, plain
SHA-256 (hashlib) over the same bytes read from the same files. Prints both and the ratio."""

import argparse
import datetime
import hashlib
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wenming.voting import published  # noqa: E402  (standard library only)

TARGET_SECONDS = 30
CANDIDATES = 500


def build(directory, entries):
    """Write a board of exactly `entries` entries and its tally; returns seconds taken."""
    started = time.perf_counter()
    rng = random.Random(17)
    start = datetime.datetime(2019, 11, 26, tzinfo=datetime.UTC)
    step = datetime.timedelta(days=10) / entries
    tally, held, index, prev = {}, [], 0, published.GENESIS
    with open(directory / published.BOARD_FILE, "w", encoding="utf-8", newline="\n") as board:
        board.write(published.HEADER)

        def append(kind, receipt, candidate, at, code=""):
            nonlocal index, prev
            index += 1
            prev = published.entry_hash(prev, index, kind, receipt, candidate, at, code)
            board.write(published.board_line(index, kind, receipt, candidate, at, code, prev))

        while index < entries:
            cast = published.utc_text(start + step * index)
            receipt, candidate = f"{rng.getrandbits(128):032x}", rng.randrange(1, CANDIDATES + 1)
            row = tally.setdefault(candidate, {"counted": 0, "quarantined": 0, "invalidated": 0})
            append("vote", receipt, candidate, cast)
            row["counted"] += 1
            roll = rng.random()
            if roll < 0.02 and index < entries:
                append("quarantine", receipt, candidate, cast, "net24_daily")
                row["counted"] -= 1
                row["quarantined"] += 1
                held.append((receipt, candidate))
            elif roll < 0.021 and index < entries:
                append("invalidate", receipt, candidate, cast, "office_review")
                row["counted"] -= 1
                row["invalidated"] += 1
            if len(held) >= 200 and index < entries - len(held):  # the office decides a cluster
                for i, (receipt, candidate) in enumerate(held):
                    kind, status = ("release", "counted") if i % 2 else ("invalidate", "invalidated")
                    append(kind, receipt, candidate, cast, "net24_daily")
                    tally[candidate]["quarantined"] -= 1
                    tally[candidate][status] += 1
                held = []
    (directory / published.TALLY_FILE).write_text(published.tally_text(index, prev, tally), encoding="utf-8",
                                                 newline="\n")
    return time.perf_counter() - started


def entries_in(directory):
    try:
        with open(directory / published.BOARD_FILE, "rb") as board:
            board.seek(-200, os.SEEK_END)
            return int(board.read().splitlines()[-1].split(b",")[0])
    except (OSError, ValueError, IndexError):
        return None


def baseline(directory):
    """Plain SHA-256 over the same bytes, read from the same files in 1 MiB blocks."""
    started = time.perf_counter()
    for name in (published.BOARD_FILE, published.TALLY_FILE):
        digest = hashlib.sha256()
        with open(directory / name, "rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
    return time.perf_counter() - started


def verify(directory):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wenming.settings", "WENMING_SECRET_KEY": "bench-only",
           "WENMING_DATA_DIR": tempfile.mkdtemp(prefix="wenming-bench-"),
           "DATABASE_URL": f"sqlite:///{directory}/no-such-dir/no-database.sqlite3"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "wenming", "votes", "verify", "--from-published", str(directory)],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"verify failed: {done.stderr.strip()}")
    return seconds, done.stdout.strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=2_000_000)
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    directory = args.dir or Path(tempfile.mkdtemp(prefix="wenming-board-"))
    directory.mkdir(parents=True, exist_ok=True)
    if entries_in(directory) != args.entries:
        print(f"building {args.entries:,} entries in {directory} …", flush=True)
        print(f"built in {build(directory, args.entries):.1f} s", flush=True)
    size = (directory / published.BOARD_FILE).stat().st_size
    base = baseline(directory)
    seconds, said = verify(directory)
    print(said)
    print(f"board: {args.entries:,} entries, {size / 1e6:.0f} MB")
    print(f"baseline (hashlib sha256 over the same bytes): {base:.2f} s")
    print(f"votes verify --from-published: {seconds:.2f} s (target < {TARGET_SECONDS} s: "
          f"{'PASS' if seconds < TARGET_SECONDS else 'FAIL'}), {seconds / base:.1f}× the baseline")


if __name__ == "__main__":
    main()
