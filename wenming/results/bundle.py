"""The checkers' bundle (核验数据包): one download from which every published number can be
reproduced with no database — the vote board with its status events and its tally, each
award's results with their raw inputs, the rules versions they were computed with, and a
Chinese note saying how to check them. Built by the office (or `wenming results bundle`) into
the data directory, then served to anyone as one zip."""

import json
import shutil
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from wenming.results import published
from wenming.results.models import Run

BUNDLE_NAME = "评选核验数据包.zip"
RULES_FILE = "rules.json"
README_FILE = "核验说明.txt"
README = """评选核验数据包（{campaign}，生成于 {at}）

本数据包包含：
- board.csv：投票公开记录（每一票及其核查状态变化，不含投票人身份），逐条哈希相连；
- tally.json：按公开记录统计的各候选有效票、待核查票、作废票；
- results/*.json：每个奖项公布的评分表及其原始数据（有效票、专家总分、入户问卷答案）和数据摘要；
- rules.json：计算结果所用的规则版本（权重、计分规则）；
- entrants.txt、lottery.json：投票居民抽奖的参与名单（匿名编号）和开奖记录（如已抽奖）。

任何人都可以在自己的电脑上核验（无需数据库）：
  wenming votes verify --from-published 本目录
  wenming results verify --from-published 本目录
  wenming lottery verify --from-published 本目录
第一条命令重算投票记录的哈希链和票数；第二条按公开的原始数据重算每个奖项的评分表，并与投票记录的票数核对；
第三条核对抽奖名单摘要、种子承诺、由公开数值得出的开奖种子和中奖编号。
任何一个字节被改动，都会报告第一处不一致的位置。
"""


def bundle_path():
    return Path(settings.DATA_DIR) / "published" / BUNDLE_NAME


def build(campaign):
    """Write the bundle's files, zip them, and put the zip in place; returns (path, runs)."""
    from wenming.voting import board
    from wenming.voting import services as voting
    from wenming.voting.models import Lottery

    runs = list(Run.objects.filter(campaign=campaign, state=Run.State.PUBLISHED).select_related("award"))
    target = bundle_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        folder = Path(work) / "bundle"
        board.publish(folder)
        published.write(folder, runs)
        lottery = (Lottery.objects.filter(campaign=campaign, committed_at__isnull=False)
                   .order_by("-committed_at").first())
        if lottery is not None:  # the voters' lottery: its entrants and draw
            voting.publish_lottery(lottery, folder)
        versions = sorted({run.rule_version for run in runs})
        rules = {str(v): campaign.rule_sets.get(version=v).data for v in versions}
        (folder / RULES_FILE).write_text(json.dumps(rules, ensure_ascii=False, sort_keys=True, indent=1) + "\n",
                                         encoding="utf-8")
        (folder / README_FILE).write_text(README.format(
            campaign=campaign.name, at=timezone.localtime(timezone.now(), campaign.tz).strftime("%Y-%m-%d %H:%M")),
            encoding="utf-8")
        archive = Path(work) / "bundle.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    zipped.write(path, path.relative_to(folder).as_posix())
        shutil.move(archive, target)  # the previous bundle is replaced whole, never half-written
    return target, runs
