"""Every window a preset declares is checked by the code, and every window the code checks is
declared: a preset cannot carry a window nothing enforces, and no code reads an undeclared one."""

import ast
from pathlib import Path

from wenming.campaigns import clock
from wenming.campaigns.presets import parse_preset
from wenming.campaigns.tests.test_presets import SEED
from wenming.campaigns.tests.test_presets import refused as problems_of

ROOT = Path(__file__).resolve().parents[2]


def test_the_code_gates_exactly_the_seed_presets_windows():
    preset = parse_preset(SEED)
    submit = {a.submit_action for a in preset.awards}
    assert set(clock.GATES) - {clock.SUBMIT} | submit == set(preset.actions)
    assert {"publish_results", "supervise", "vote", "survey", "score"} <= set(clock.GATES)


def test_a_window_nothing_enforces_is_refused():
    text = SEED.replace("  supervise:", "  celebrate: {name: 庆祝, opens: campaign.start, closes: campaign.end}\n"
                                         "  supervise:", 1)
    [problem] = problems_of(text)
    assert problem.startswith("actions.celebrate：系统中没有按此时间窗口控制的功能（可用的有：")
    assert "publish_results" in problem


def test_a_window_the_code_checks_must_be_declared():
    text = "\n".join(line for line in SEED.splitlines() if not line.startswith("  publish_results:"))
    assert problems_of(text) == ["actions：缺少“publish_results”的时间窗口"]


def test_no_code_reads_a_window_by_a_key_it_did_not_declare():
    """Literal action keys passed to the clock are declared gates (constants from `gate` are, by
    construction); found by reading every module's calls to clock.window / is_open / require_open."""
    undeclared = []
    for path in (ROOT / "wenming").rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("window", "is_open", "require_open") and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant) and node.args[1].value not in clock.GATES):
                undeclared.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.args[1].value}")
    assert undeclared == []
