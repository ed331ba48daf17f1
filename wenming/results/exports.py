"""The results Excel of one run: the ranking with every part's points, weight and weighted
points as numbers, and a second sheet, 计分说明, saying how each part's points were computed
from the raw inputs under the rules that run used (its stored inputs, not today's rules)."""

import json
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Q
from django.utils import timezone

from wenming.core import scoping
from wenming.core.excel import Table
from wenming.results.models import Honour, Matching, Run

SOURCE_NAMES = {"survey": "入户调查", "vote": "投票", "expert": "专家评审"}


def _number(text):
    return float(Decimal(str(text)))


def _weighted(points, weight, places):
    return float((Decimal(str(points)) * Decimal(str(weight))).quantize(Decimal(1).scaleb(-places),
                                                                         rounding=ROUND_HALF_UP))


def _percent(fraction_text):
    return round(float(Fraction(fraction_text)) * 100, 2)


def _raw_words(source, raw, scoring):
    if source == "vote":
        return (f"有效票 {raw['valid_votes']} 票，本奖项最高 {raw['most_in_award']} 票",
                f"得分 = 100 × 有效票 ÷ 本奖项最高票数（{raw['valid_votes']} ÷ {raw['most_in_award'] or 0}）")
    if source == "expert":
        scores = "、".join(raw["scores"]) or "无"
        dropped = "、".join(raw["dropped"])
        words = f"专家评分 {scores}" + (f"；去掉 {dropped}" if dropped else "") + f"；极差 {raw['spread']}"
        rule = (f"{scoring['expert_drop_extremes_from']} 名及以上专家评分时去掉一个最高分和一个最低分，"
                "其余取平均")
        return words, rule
    words = (f"有效问卷 {raw['responses']} 份，入住 {raw['households']} 户，覆盖率 {_percent(raw['coverage'])}%")
    if "awareness_rate" in raw:
        words += (f"；知晓率 {_percent(raw['awareness_rate'])}%，支持率 {_percent(raw['support_rate'])}%，"
                  f"满意度 {round(float(Fraction(raw['satisfaction'])), 2)}")
    return words, "按问卷知晓率、支持率、满意度加权计分（满分 100）"


def run_tables(run):
    """[ranking, 计分说明] of `run`."""
    sheets = json.loads(run.body)
    inputs = json.loads(run.inputs)
    scoring = inputs["scoring"]
    places = scoring.get("decimals", 2)
    sources = [p["source"] for p in sheets[0]["parts"]] if sheets else [
        s for s in ("survey", "vote", "expert") if s in inputs["weights"]]
    headers = ["名次", "候选", "总分", "并列"]
    for source in sources:
        name = SOURCE_NAMES.get(source, source)
        headers += [f"{name}得分", f"{name}权重", f"{name}加权分"]
    ranking = []
    for s in sheets:
        row = [s["rank"], s["name"], _number(s["total"]), "是" if s.get("tied") else ""]
        for p in s["parts"]:
            row += [_number(p["points"]), _number(p["weight"]), _weighted(p["points"], p["weight"], places)]
        ranking.append(row)
    notes = []
    for s in sheets:
        for p in s["parts"]:
            words, rule = _raw_words(p["source"], p["raw"], scoring)
            notes.append([s["rank"], s["name"], SOURCE_NAMES.get(p["source"], p["source"]), words, rule,
                          _number(p["points"]), _number(p["weight"]), _weighted(p["points"], p["weight"], places)])
    weights = "，".join(f"{SOURCE_NAMES.get(k, k)} {v}%" for k, v in inputs["weights"].items())
    tie = "、".join(SOURCE_NAMES.get(k, k) for k in scoring.get("tie_break", [])) or "不区分（并列）"
    notes.append(["", "合计", "", f"总分 = 各部分得分 × 权重之和（{weights}），保留 {places} 位小数，四舍五入",
                  f"规则版本 {run.rule_version}；总分相同时依次比较：{tie}", None, None, None])
    return [Table(run.award.name[:28], headers, ranking),
            Table("计分说明", ["名次", "候选", "部分", "原始数据", "计分规则", "得分", "权重", "加权分"], notes,
                  widths={3: 50, 4: 50})]


def _current_runs(campaign):
    return Run.objects.filter(campaign=campaign, published_at__isnull=False, superseded_at__isnull=True)


def honours_table(user, campaign):
    """The honours of the published results (表彰 and 资金奖励), cut to the user's district or company."""
    queryset = scoping.visible_to(Honour.objects.filter(run__in=_current_runs(campaign)), user,
                                  district=lambda pk: Q(district_id=pk), company=lambda pk: Q(company_id=pk))
    return Table("表彰名单", ["奖项", "名次", "获奖", "所属区", "物业服务企业", "奖励资金（元）"], [
        [h.run.award.name, h.rank, h.candidate.title, h.district.name, h.company.name if h.company else "",
         h.funding_yuan] for h in queryset.select_related("run__award", "candidate", "district", "company")])


def matching_table(user, campaign):
    """Each district's 1:1 matching commendation: winners, amount, document, done or not."""
    queryset = scoping.visible_to(Matching.objects.filter(run__in=_current_runs(campaign)), user,
                                  district=lambda pk: Q(district_id=pk), company=lambda pk: Q(pk__in=[]))
    return Table("区级配套表彰", ["奖项", "区", "获奖数", "配套资金（元）", "表彰文件文号", "完成时间"], [
        [m.run.award.name, m.district.name, m.winners, m.amount_yuan, m.document,
         timezone_local(m.done_at, campaign)] for m in queryset.select_related("run__award", "district")])


def timezone_local(value, campaign):
    return timezone.localtime(value, campaign.tz).replace(tzinfo=None) if value else None


def hub_honours(user, campaign):
    return [honours_table(user, campaign), matching_table(user, campaign)]
