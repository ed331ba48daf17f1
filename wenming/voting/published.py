"""The public board as downloadable files, and their check without any database.

Standard library only: anyone can read this file, copy it, and check a downloaded board.

board.csv (UTF-8, "\\n" line ends): the header line `HEADER`, then one line per entry in index
order, `index,kind,receipt,candidate_id,at,reason_code,hash`:

- kind: `vote` (a vote cast), or an event about that vote: `quarantine` (held out of the count
  for review), `release` (counted after review), `invalidate` (not counted, kept);
- receipt, candidate_id: the vote's (an event repeats them); no identity of the voter;
- at: the time in UTC, ISO 8601, exactly as it is hashed (a vote's cast time; a quarantine's is
  the vote's cast time; a release's or invalidation's the decision's);
- reason_code: empty for a vote; the event's reason (`REASONS`, no free text);
- hash: SHA-256 hex of `prev|index|receipt|candidate_id|at` for a vote and of
  `prev|index|kind|receipt|candidate_id|at|reason_code` for an event, where prev is the
  previous entry's hash (64 zeros before the first).

A vote's status is that of its latest event (counted when it has none): the tally is a function
of the board alone. tally.json is that tally up to entry `entries` (whose hash is `head`),
written as `json.dumps(…, ensure_ascii=False, indent=1)` plus a newline, byte for byte:
`{"entries", "head", "candidates": [{"candidate_id", "counted", "quarantined",
"invalidated"}]}`, candidates ascending.

`verify(directory)` recomputes the chain and the tally and raises Broken naming the first
entry (or tally line) that does not hold."""

import datetime
import hashlib
import json
from pathlib import Path

GENESIS = "0" * 64
HEADER = "index,kind,receipt,candidate_id,at,reason_code,hash\n"
BOARD_FILE, TALLY_FILE = "board.csv", "tally.json"
# The names the public board page downloads them under (either name is read).
DOWNLOADED_AS = {BOARD_FILE: "投票公开记录.csv", TALLY_FILE: "投票票数.json"}
COUNTED, QUARANTINED, INVALIDATED = "counted", "quarantined", "invalidated"
STATUSES = (COUNTED, QUARANTINED, INVALIDATED)
# What each event sets, and the statuses it may follow.
EVENTS = {
    "quarantine": (QUARANTINED, (COUNTED,)),
    "release": (COUNTED, (QUARANTINED,)),
    "invalidate": (INVALIDATED, (COUNTED, QUARANTINED)),
}
REASONS = {
    "virtual_operator": "虚拟运营商号段",
    "net24_daily": "同一网段当日投票集中",
    "candidate_burst": "同一网段短时间内集中为同一候选投票",
    "night_net24": "夜间同一网段集中投票",
    "flagged": "系统风险提示",
    "office_review": "评选工作办公室核查",
}


class Broken(Exception):
    """The first entry or line that does not hold; the message names it (in Chinese)."""


def utc_text(moment):
    """A time as the board hashes it."""
    return moment.astimezone(datetime.UTC).isoformat()


def entry_hash(prev, index, kind, receipt, candidate_id, at, reason_code=""):
    if kind == "vote":
        text = f"{prev}|{index}|{receipt}|{candidate_id}|{at}"
    else:
        text = f"{prev}|{index}|{kind}|{receipt}|{candidate_id}|{at}|{reason_code}"
    return hashlib.sha256(text.encode()).hexdigest()


def board_line(index, kind, receipt, candidate_id, at, reason_code, digest):
    return f"{index},{kind},{receipt},{candidate_id},{at},{reason_code},{digest}\n"


def tally_text(entries, head, tally):
    """tally.json's exact text; tally is {candidate_id (int): {status: n}}."""
    candidates = [{"candidate_id": c, **{s: tally[c].get(s, 0) for s in STATUSES}} for c in sorted(tally)]
    return json.dumps({"entries": entries, "head": head, "candidates": candidates}, ensure_ascii=False,
                      indent=1) + "\n"


def verify(directory):
    """Check board.csv and tally.json in `directory`: (entries, head, tally). Raises Broken."""
    board_path, tally_path = (_find(Path(directory), name) for name in (BOARD_FILE, TALLY_FILE))
    tally_bytes = tally_path.read_bytes()
    try:
        upto = int(json.loads(tally_bytes)["entries"])
    except (ValueError, KeyError, TypeError):
        raise Broken(f"{TALLY_FILE} 无法读取（不是规定格式的 JSON）") from None
    entries, head, snapshot = _verify_board(board_path, upto)
    if upto > entries:
        raise Broken(f"{TALLY_FILE} 统计到第 {upto} 条，{BOARD_FILE} 只有 {entries} 条：请重新下载公开记录")
    tally = {int(c): dict(zip(STATUSES, counts, strict=True)) for c, counts in snapshot[1].items()}
    expected = tally_text(upto, snapshot[0], tally)
    if tally_bytes != expected.encode():
        raise Broken(_tally_difference(tally_bytes, expected))
    return entries, head, tally


def _find(directory, name):
    for candidate in (name, DOWNLOADED_AS[name]):
        if (directory / candidate).is_file():
            return directory / candidate
    raise Broken(f"目录中缺少 {name}（或 {DOWNLOADED_AS[name]}）")


def _verify_board(path, upto):
    """One pass over board.csv in bytes (no decoding, no parsing of times: the hash covers the
    bytes as they are). Returns (entries, head, (hash of entry `upto`, tally at `upto`))."""
    sha256 = hashlib.sha256
    prev = GENESIS.encode()
    candidate_of = {}  # receipt -> candidate, every vote
    status_of = {}  # receipt -> status, the votes with events only
    counts = {}  # candidate -> [counted, quarantined, invalidated]
    events = {kind.encode(): (STATUSES.index(after), tuple(STATUSES.index(s) for s in before))
              for kind, (after, before) in EVENTS.items()}
    snapshot = (prev.decode(), {}) if upto == 0 else None
    index = 0
    with open(path, "rb") as board:
        if board.readline() != HEADER.encode():
            raise Broken(f"{BOARD_FILE} 第 1 行（表头）与规定格式不符")
        for line in board:
            index += 1
            parts = line.split(b",")
            if len(parts) != 7 or line[-1:] != b"\n":
                raise Broken(_where(index, "字段数或行尾与规定格式不符"))
            number, kind, receipt, candidate, at, code, digest = parts
            digest = digest[:-1]
            if number != str(index).encode():
                raise Broken(_where(index, f"序号应为 {index}"))
            if kind == b"vote":
                if code or len(receipt) != 32 or not candidate.isdigit() or not at:
                    raise Broken(_where(index, "投票条目的字段不符合规定格式"))
                if receipt in candidate_of:
                    raise Broken(_where(index, "回执重复出现"))
                text = b"|".join((prev, number, receipt, candidate, at))
                candidate_of[receipt] = candidate
                row = counts.get(candidate)
                if row is None:
                    row = counts[candidate] = [0, 0, 0]
                row[0] += 1
            else:
                rule = events.get(kind)
                if rule is None:
                    raise Broken(_where(index, "条目类型不明"))
                if candidate_of.get(receipt) != candidate:
                    raise Broken(_where(index, "事件所指的投票不在此前的记录中（或候选不符）"))
                before = status_of.get(receipt, 0)
                if before not in rule[1] or code.decode("ascii", "replace") not in REASONS:
                    raise Broken(_where(index, "状态变化不合规则（或原因代码不明）"))
                text = b"|".join((prev, number, kind, receipt, candidate, at, code))
                status_of[receipt] = rule[0]
                row = counts[candidate]
                row[before] -= 1
                row[rule[0]] += 1
            if sha256(text).hexdigest().encode() != digest:
                raise Broken(_where(index, "哈希与内容不符（或与上一条的链接断开）"))
            prev = digest
            if index == upto:
                snapshot = (digest.decode(), {int(c): list(r) for c, r in counts.items()})
    return index, prev.decode(), snapshot or (None, {})


def _where(index, what):
    return f"{BOARD_FILE} 第 {index} 条（第 {index + 1} 行）：{what}"


def _tally_difference(actual, expected):
    """Name the first tally line that differs from what the board gives."""
    try:
        published = json.loads(actual)
        shown = {row["candidate_id"]: row for row in published["candidates"]}
    except (ValueError, KeyError, TypeError):
        shown = None
    computed = json.loads(expected)
    if shown is not None:
        if published.get("head") != computed["head"]:
            return f"{TALLY_FILE}：head 与公开记录第 {computed['entries']} 条的哈希不符"
        for row in computed["candidates"]:
            other = shown.get(row["candidate_id"])
            if other != row:
                return (f"{TALLY_FILE}：候选 {row['candidate_id']} 的票数与公开记录不符（记录算得 有效 {row['counted']}、"
                        f"待核查 {row['quarantined']}、已作废 {row['invalidated']}；文件写 {_counts(other)}）")
        if len(shown) != len(computed["candidates"]):
            extra = sorted(set(shown) - {row["candidate_id"] for row in computed["candidates"]}, key=str)
            return f"{TALLY_FILE}：候选 {extra[0] if extra else '?'} 不在公开记录中"
    line = next((n for n, (a, b) in enumerate(zip(actual.splitlines(), expected.encode().splitlines()), start=1)
                 if a != b), min(len(actual.splitlines()), len(expected.splitlines())) + 1)
    return f"{TALLY_FILE} 第 {line} 行与规定写法不符"


def _counts(row):
    if not isinstance(row, dict):
        return "无此候选"
    return f"有效 {row.get('counted')}、待核查 {row.get('quarantined')}、已作废 {row.get('invalidated')}"
