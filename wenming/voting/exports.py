"""Voting's Excel exports: vote statistics by candidate and by day (counted, quarantined,
invalidated, as numbers), and the lottery winners (phones masked). The statistics are cut to
the candidates of the applications the user may see; the winners are the office's."""

from django.db.models import Count, Q
from django.utils import timezone

from wenming.awards.models import Application, Showcase
from wenming.core.excel import Table
from wenming.core.validators import mask_phone
from wenming.voting.models import LotteryEntrant, Vote, VoteStatus

BY_STATUS = {s: Count("id", filter=Q(status=s)) for s in VoteStatus.values}
STATUS_HEADERS = [VoteStatus(s).label + "票" for s in VoteStatus.values]


def _shown(user, campaign):
    return Showcase.objects.filter(application__in=Application.objects.visible_to(user).filter(campaign=campaign))


def _names(shown):
    return {pk: (award, title, district) for pk, award, title, district in shown.values_list(
        "pk", "application__award__name", "title", "application__district__name")}


def by_candidate_table(user, campaign):
    shown = _shown(user, campaign)
    names = _names(shown)
    counts = {r["candidate_id"]: r for r in Vote.objects.filter(candidate__in=shown).values("candidate_id")
              .annotate(total=Count("id"), **BY_STATUS)}
    rows = []
    for pk, (award, title, district) in sorted(names.items(), key=lambda kv: (kv[1][0], kv[1][1])):
        r = counts.get(pk, {})
        rows.append([award, title, district, *[r.get(s, 0) for s in VoteStatus.values], r.get("total", 0)])
    return Table("按候选统计", ["奖项", "候选", "所属区", *STATUS_HEADERS, "合计"], rows)


def by_day_table(user, campaign):
    shown = _shown(user, campaign)
    names = _names(shown)
    queryset = (Vote.objects.filter(candidate__in=shown).values("day", "candidate_id")
                .annotate(total=Count("id"), **BY_STATUS).order_by("day", "candidate_id"))

    def rows():
        for r in queryset.iterator(chunk_size=2000):
            award, title, district = names.get(r["candidate_id"], ("", "", ""))
            yield [r["day"], award, title, district, *[r[s] for s in VoteStatus.values], r["total"]]

    return Table("按日统计", ["投票日", "奖项", "候选", "所属区", *STATUS_HEADERS, "合计"], rows())


def winners_table(campaign):
    queryset = (LotteryEntrant.objects.filter(lottery__campaign=campaign, rank__isnull=False)
                .select_related("lottery", "voter__resident").order_by("lottery_id", "rank"))

    def local(value):
        return timezone.localtime(value, campaign.tz).replace(tzinfo=None) if value else None

    return Table("中奖名单", ["抽奖", "奖品", "中奖序号", "抽奖编号", "联系电话", "开奖时间", "中奖短信", "领奖时间"], [
        [e.lottery.name, e.lottery.prize, e.rank, e.pseudonym, mask_phone(e.voter.resident.phone),
         local(e.lottery.drawn_at), local(e.notified_at), local(e.delivered_at)] for e in queryset])


def vote_count(user, campaign):
    return Vote.objects.filter(candidate__in=_shown(user, campaign)).count()


def hub_votes(user, campaign):
    return [by_candidate_table(user, campaign), by_day_table(user, campaign)]


def hub_winners(user, campaign):
    return [winners_table(campaign)]


