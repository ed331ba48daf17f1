"""The expert score grid: candidate × expert, each cell the submitted sheet's total (a number;
empty while not submitted), with the count, mean and spread per candidate. The office sees
every candidate, a district officer or company the candidates of its own applications, an
expert only its own column."""

from decimal import Decimal

from wenming.awards.models import Application
from wenming.core.excel import Table
from wenming.core.roles import Role
from wenming.judging import services
from wenming.judging.models import Assignment


def grid_table(campaign, user):
    shown = services.candidates(campaign).filter(
        application__in=Application.objects.visible_to(user) if user.role != Role.EXPERT else Application.objects.all())
    assignments = Assignment.objects.filter(campaign=campaign, candidate__in=shown).select_related(
        "expert__user", "sheet")
    if user.role == Role.EXPERT:
        assignments = assignments.filter(expert__user=user)
    experts, cells, candidates = {}, {}, {}
    for a in assignments.order_by("expert__user__username"):
        experts.setdefault(a.expert_id, a.expert.user.display_name or a.expert.user.username)
        sheet = getattr(a, "sheet", None)
        cells[(a.candidate_id, a.expert_id)] = sheet.total if sheet is not None and sheet.submitted_at else None
        candidates[a.candidate_id] = True
    columns = list(experts)
    headers = ["奖项", "候选", "所属区", *[experts[e] for e in columns], "已评人数", "平均分", "最高分", "最低分", "极差"]
    rows = []
    for c in shown.filter(pk__in=candidates).select_related("application__district").order_by(
            "application__award__sort_order", "title"):
        scores = [cells.get((c.pk, e)) for e in columns]
        done = [s for s in scores if s is not None]
        mean = float(sum(done, Decimal(0)) / len(done)) if done else None
        rows.append([c.application.award.name, c.title, str(c.application.district),
                     *[float(s) if s is not None else None for s in scores], len(done),
                     round(mean, 2) if mean is not None else None, float(max(done)) if done else None,
                     float(min(done)) if done else None, float(max(done) - min(done)) if done else None])
    return Table("专家评分", headers, rows)


def hub_grid(user, campaign):
    return [grid_table(campaign, user)]
