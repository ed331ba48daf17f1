"""Published results as downloadable files, and their check from those files alone.

One file per award in `results/`, `<award key>.json`, written as
`json.dumps(…, ensure_ascii=False, sort_keys=True, indent=1)` plus a newline, byte for byte:
`{"award", "name", "rule_version", "published_at", "input_hash", "inputs", "sheets"}` —
`inputs` are the raw inputs the run was computed from (valid votes per candidate, the experts'
totals, the survey answers without households, the weights and scoring rules of the rules
version), `input_hash` the SHA-256 of their canonical JSON, `sheets` the published score sheets.

`verify(directory)` checks each file: its bytes are the canonical text, the inputs hash to
`input_hash`, the sheets are what `compute_from(inputs)` gives, and — when the vote board's
`tally.json` is in the same directory — each candidate's valid votes are the board's count.
It raises Broken naming the first file and item that does not hold. Nothing reads a database."""

import hashlib
import json
from pathlib import Path

from wenming.results import scoring

RESULTS_DIR = "results"


class Broken(Exception):
    """The first file or item that does not hold; the message names it (in Chinese)."""


def file_text(record):
    return json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def record_of(run):
    return {"award": run.award.key, "name": run.award.name, "rule_version": run.rule_version,
            "published_at": run.published_at.isoformat(), "input_hash": run.input_hash,
            "inputs": json.loads(run.inputs), "sheets": json.loads(run.body)}


def write(directory, runs):
    """Write one file per published run; returns the paths."""
    folder = Path(directory) / RESULTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for run in runs:
        path = folder / f"{run.award.key}.json"
        path.write_text(file_text(record_of(run)), encoding="utf-8")
        paths.append(path)
    return paths


def verify(directory, compute_from):
    """Check every results file in `directory`: [(award name, sheets)]. `compute_from` is the
    scoring function (results.services.compute_from, pure: it reads only its argument)."""
    folder = Path(directory) / RESULTS_DIR
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not files:
        raise Broken(f"目录中没有 {RESULTS_DIR}/*.json（评选结果公开文件）")
    tally = _tally(Path(directory))
    checked = []
    for path in files:
        name = f"{RESULTS_DIR}/{path.name}"
        raw = path.read_bytes()
        try:
            record = json.loads(raw)
            inputs, sheets = record["inputs"], record["sheets"]
        except (ValueError, KeyError, TypeError):
            raise Broken(f"{name} 无法读取（不是规定格式的 JSON）") from None
        if raw != file_text(record).encode():
            raise Broken(f"{name} 的文本与规定格式不符（第 {_first_difference(raw, file_text(record).encode())} 字节起）")
        if hashlib.sha256(scoring.canonical(inputs).encode()).hexdigest() != record["input_hash"]:
            raise Broken(f"{name}：原始数据与公布的数据摘要 {record['input_hash'][:12]}… 不符")
        expected = json.loads(compute_from(inputs))
        for got, want in zip(sheets, expected, strict=False):
            if got != want:
                raise Broken(f"{name}：“{got.get('name')}”（第 {got.get('rank')} 名）的评分表与按原始数据重算的不一致")
        if len(sheets) != len(expected):
            raise Broken(f"{name}：评分表数量 {len(sheets)} 与按原始数据重算的 {len(expected)} 不符")
        if tally is not None:
            for candidate in inputs["candidates"]:
                counted = tally.get(candidate["id"], 0)
                if candidate["votes"] != counted:
                    raise Broken(f"{name}：“{candidate['name']}”的有效票 {candidate['votes']} 与投票公开记录的 {counted} 不符")
        checked.append((record["name"], sheets))
    return checked


def _tally(directory):
    """{candidate id: counted} from the board's tally.json beside the results, if it is there."""
    from wenming.voting.published import DOWNLOADED_AS, TALLY_FILE

    for file in (TALLY_FILE, DOWNLOADED_AS[TALLY_FILE]):
        if (directory / file).is_file():
            data = json.loads((directory / file).read_bytes())
            return {row["candidate_id"]: row["counted"] for row in data["candidates"]}
    return None


def _first_difference(a, b):
    return next((i + 1 for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)) + 1)
