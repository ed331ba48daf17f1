"""The voters' lottery as downloadable files, and their check without any database.

Standard library only (like `published.py` for the board): anyone can copy this file and check
a downloaded lottery.

The rule. At commit the office freezes the entrants (pseudonymous ids, 16 hex digits) and
publishes `entrants_hash` = SHA-256 hex of the sorted ids joined by "\\n", `seed_commitment` =
SHA-256 hex of the server seed's text (`seed`, revealed at the draw), and names a public value that nobody knows yet (the
official lottery numbers of a later date: `public_source`, `public_date`). After that date two
office members each enter the value; it is normalised (runs of white space become one space,
ends stripped). The draw's seed is `draw_seed` = SHA-256 hex of `seed + ":" + public_value`;
the winners are the ids ranked by SHA-256 hex of `draw_seed + ":" + id`, ascending, first
`winners_count`. The operator cannot try seeds: the server seed is fixed before the public value
exists, and the public value is not theirs.

entrants.txt (UTF-8, "\\n" line ends): the sorted ids, one a line. lottery.json: `record()`,
written as `json.dumps(…, ensure_ascii=False, indent=1)` plus a newline, byte for byte;
`commit_digest` fingerprints what the commit fixed (compare it with the page). The winners'
masked phones and the draw's time are labels, checked for their form only.

`verify(directory)` checks the files and raises Broken naming the first item that does not hold."""

import hashlib
import json
import re
from pathlib import Path

from wenming.voting.published import Broken

ENTRANTS_FILE, LOTTERY_FILE = "entrants.txt", "lottery.json"
# The names the public lottery page downloads them under (either name is read).
RERUN_FILE = "rerun.py"
DOWNLOADED_AS = {ENTRANTS_FILE: "抽奖参与名单.txt", LOTTERY_FILE: "抽奖结果.json", RERUN_FILE: "抽奖复核.py"}
ENTRANT_ID = re.compile(rb"[0-9a-f]{16}")
MASKED_PHONE = re.compile(r"\d{3}\*{4}\d{4}")
# What is fixed at commit; `commit_digest` (SHA-256 of these values joined by "|") is shown from
# then on, so the named source and date of the public value cannot be changed afterwards.
COMMITTED = ("lottery_id", "name", "prize", "winners_count", "entrants", "entrants_hash", "seed_commitment",
             "public_source", "public_date", "committed_at")
FIELDS = (*COMMITTED, "commit_digest", "public_value", "seed", "draw_seed", "winners", "drawn_at")

# The few lines of standard-library Python the public page (as a download) and docs give for
# re-running a draw from the two files as the browser saves them (tested to name the winners).
RERUN = """import hashlib, json
h = lambda text: hashlib.sha256(text.encode()).hexdigest()
lottery = json.load(open("抽奖结果.json", encoding="utf-8"))
ids = open("抽奖参与名单.txt", encoding="utf-8").read().split()
assert h("\\n".join(sorted(ids))) == lottery["entrants_hash"]
assert h(lottery["seed"]) == lottery["seed_commitment"]
seed = h(lottery["seed"] + ":" + lottery["public_value"])
assert seed == lottery["draw_seed"]
print(sorted(ids, key=lambda i: h(seed + ":" + i))[: lottery["winners_count"]])
"""


def sha256_text(text):
    return hashlib.sha256(text.encode()).hexdigest()


def entrants_hash(ids):
    return sha256_text("\n".join(sorted(ids)))


def normalise_public_value(text):
    return " ".join(text.split())


def draw_seed(server_seed, public_value):
    return sha256_text(f"{server_seed}:{public_value}")


def ranking(seed, ids):
    """Entrants ranked by SHA-256 hex of seed + ":" + id, ascending."""
    return sorted(ids, key=lambda i: sha256_text(f"{seed}:{i}"))


def entrants_text(ids):
    return "".join(f"{i}\n" for i in sorted(ids))


def commit_digest(record):
    return sha256_text("|".join(str(record[key]) for key in COMMITTED))


def lottery_text(record):
    return json.dumps({key: record[key] for key in FIELDS}, ensure_ascii=False, indent=1) + "\n"


def verify(directory):
    """Check entrants.txt and lottery.json in `directory`: (record, entrant ids). Raises Broken."""
    entrants_path, lottery_path = (_find(Path(directory), name) for name in (ENTRANTS_FILE, LOTTERY_FILE))
    ids = _read_entrants(entrants_path.read_bytes())
    raw = lottery_path.read_bytes()
    try:
        record = json.loads(raw)
        canonical = lottery_text(record)
    except (ValueError, KeyError, TypeError):
        raise Broken(f"{LOTTERY_FILE} 无法读取（不是规定格式的 JSON，或缺少字段）") from None
    if raw != canonical.encode():
        line = next((n for n, (a, b) in enumerate(zip(raw.splitlines(), canonical.encode().splitlines()), start=1)
                     if a != b), min(len(raw.splitlines()), len(canonical.splitlines())) + 1)
        raise Broken(f"{LOTTERY_FILE} 第 {line} 行与规定写法不符")
    if commit_digest(record) != record["commit_digest"]:
        raise Broken(f"{LOTTERY_FILE}：commit_digest 与锁定时的内容（{'、'.join(COMMITTED)}）不符")
    if record["entrants"] != len(ids):
        raise Broken(f"{LOTTERY_FILE}：entrants 写 {record['entrants']} 名，{ENTRANTS_FILE} 有 {len(ids)} 名")
    if entrants_hash(ids) != record["entrants_hash"]:
        raise Broken(f"{ENTRANTS_FILE} 与 {LOTTERY_FILE} 的 entrants_hash 不符（名单被改动或不完整）")
    if record["drawn_at"] is None:
        if record["seed"] or record["draw_seed"] or record["winners"]:
            raise Broken(f"{LOTTERY_FILE}：尚未开奖，不应有 seed、draw_seed 或 winners")
        return record, ids
    if sha256_text(record["seed"]) != record["seed_commitment"]:
        raise Broken(f"{LOTTERY_FILE}：seed 的 SHA-256 与 seed_commitment（开奖前公布）不符")
    value = record["public_value"]
    if not value or normalise_public_value(value) != value:
        raise Broken(f"{LOTTERY_FILE}：public_value 为空或未按规则规范化")
    if draw_seed(record["seed"], value) != record["draw_seed"]:
        raise Broken(f"{LOTTERY_FILE}：draw_seed 不等于 SHA-256(seed + \":\" + public_value)")
    expected = ranking(record["draw_seed"], ids)[: record["winners_count"]]
    winners = record["winners"]
    for rank, entrant_id in enumerate(expected, start=1):
        shown = winners[rank - 1] if rank <= len(winners) else None
        if not isinstance(shown, dict) or shown.get("rank") != rank or shown.get("entrant_id") != entrant_id:
            raise Broken(f"{LOTTERY_FILE}：winners 第 {rank} 名应为 {entrant_id}，文件写 "
                         f"{shown.get('entrant_id') if isinstance(shown, dict) else '无'}")
        if not MASKED_PHONE.fullmatch(str(shown.get("masked_phone"))):
            raise Broken(f"{LOTTERY_FILE}：winners 第 {rank} 名的 masked_phone 不是规定的遮挡写法")
    if len(winners) != len(expected):
        raise Broken(f"{LOTTERY_FILE}：winners 应有 {len(expected)} 名，文件写 {len(winners)} 名")
    return record, ids


def _find(directory, name):
    for candidate in (name, DOWNLOADED_AS[name]):
        if (directory / candidate).is_file():
            return directory / candidate
    raise Broken(f"目录中缺少 {name}（或 {DOWNLOADED_AS[name]}）")


def _read_entrants(data):
    ids, previous = [], b""
    lines = data.split(b"\n")
    if lines[-1] != b"":
        raise Broken(f"{ENTRANTS_FILE} 第 {len(lines)} 行：行尾缺少换行")
    for number, line in enumerate(lines[:-1], start=1):
        if not ENTRANT_ID.fullmatch(line):
            raise Broken(f"{ENTRANTS_FILE} 第 {number} 行：不是 16 位参与编号（0–9、a–f）")
        if line <= previous:
            raise Broken(f"{ENTRANTS_FILE} 第 {number} 行：未按升序排列（或重复）")
        ids.append(line.decode())
        previous = line
    return ids
