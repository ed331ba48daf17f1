"""Each role's to-do list on its workbench: derived from the records, never stored."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from wenming.awards.models import Application, Status
from wenming.campaigns import clock
from wenming.core.roles import Role
from wenming.registry.models import Community, Company, Post, Staff
from wenming.results import services as results


@dataclass
class Todo:
    title: str
    detail: str
    url: str = ""
    urgent: bool = False


def _window_todo(campaign, action, title):
    name, opens, closes = clock.window(campaign, action)
    now = timezone.now()
    if now < opens:
        return Todo(title, f"{name}将于 {clock.display_start(opens, campaign.tz)} 开始")
    if now < closes:
        return Todo(title, f"{name}进行中，{clock.display_end(closes, campaign.tz)} 截止", urgent=True)
    return Todo(title, f"{name}已于 {clock.display_end(closes, campaign.tz)} 结束")


def _registry_todos(user, campaign):
    communities = Community.objects.visible_to(user)
    percent = 60
    if campaign is not None:
        award = campaign.awards.filter(subject="community").first()
        if award:
            percent = award.eligibility.get("min_occupancy_percent", percent)
    todos = []
    no_company = communities.filter(company__isnull=True).count()
    if no_company:
        todos.append(Todo("补全小区物业服务企业", f"{no_company} 个小区未登记物业服务企业",
                          reverse("registry:list", args=["communities"])))
    low = communities.count() - communities.with_min_occupancy(percent).count()
    if low:
        todos.append(Todo("核实入住率", f"{low} 个小区入住率低于 {percent}%，不符合文明示范小区申报条件",
                          reverse("registry:list", args=["communities"])))
    no_date = communities.filter(completed_on__isnull=True).count()
    if no_date:
        todos.append(Todo("补全竣工日期", f"{no_date} 个小区未填写竣工日期",
                          reverse("registry:list", args=["communities"])))
    return todos


WAITING = {Role.COMPANY: (Status.COMPANY_REVIEW, "出具企业意见"), Role.DISTRICT: (Status.DISTRICT_REVIEW, "审核小区申报"),
           Role.OFFICE: (Status.OFFICE_REVIEW, "申报初审")}


def _application_todos(user, campaign):
    todos = []
    applications = Application.objects.visible_to(user).filter(campaign=campaign)
    if user.role in WAITING:
        status, title = WAITING[user.role]
        queue = applications.filter(status=status)
        if user.role == Role.COMPANY:
            queue = queue.exclude(channel__in=["company", "company_nomination"])
        waiting = queue.count()
        if waiting:
            todos.append(Todo(title, f"{waiting} 份申报等待您处理", reverse("awards:list") + f"?status={status}",
                              urgent=True))
    if user.role == Role.COMPANY:
        for status, title in ((Status.RETURNED, "修改退回的申报"), (Status.DRAFT, "完成申报草稿")):
            count = applications.filter(status=status, created_by=user).count()
            if count:
                todos.append(Todo(title, f"{count} 份", reverse("awards:list") + f"?status={status}",
                                  urgent=status == Status.RETURNED))
    return todos


def _supervision_todos(user, campaign):
    from wenming.credit.models import CreditList, Objection
    from wenming.credit.services import overdue_objections
    from wenming.supervision.models import OrderState, RepeatProblem
    from wenming.supervision.services import schedule_counts, scoped, visible_orders

    orders = visible_orders(user)
    todos = []
    if user.role == Role.COMPANY:
        checks = ((OrderState.ISSUED, "确认整改通知", True), (OrderState.OVERDUE, "补交逾期整改材料", True),
                  (OrderState.RECTIFYING, "提交整改材料", False))
    else:
        checks = ((OrderState.EVIDENCE_SUBMITTED, "复查整改", True), (OrderState.OVERDUE, "督办逾期整改", True),
                  (OrderState.REINSPECTED, "整改销号", False))
    for state, title, urgent in checks:
        count = orders.filter(state=state).count()
        if count:
            todos.append(Todo(title, f"{count} 份整改通知", reverse("supervision:orders") + f"?state={state}", urgent))
    if user.role != Role.COMPANY:
        open_repeats = scoped(RepeatProblem.objects.filter(closed_at__isnull=True, interviews__isnull=True), user)
        if open_repeats.exists():
            todos.append(Todo("约谈反复出现问题的小区", f"{open_repeats.count()} 个问题尚未约谈",
                              reverse("supervision:repeats"), urgent=True))
    if user.role == Role.DISTRICT:
        from wenming.supervision.models import SampleRedraw

        redraws = SampleRedraw.objects.filter(state=SampleRedraw.State.PENDING, sample__district_id=user.district_id
                                              ).exclude(requested_by=user).count()
        if redraws:
            todos.append(Todo("审批重新抽样", f"{redraws} 份暗访抽样重新抽样申请", reverse("supervision:samples"), urgent=True))
        late, due = schedule_counts(campaign, user)
        if late or due:
            parts = [f"{late} 个小区已逾期"] * bool(late) + [f"{due} 个小区即将到期"] * bool(due)
            todos.append(Todo("定期督查", "，".join(parts), reverse("supervision:schedule"), urgent=bool(late)))
    if user.role == Role.OFFICE:
        drafts = CreditList.objects.filter(state=CreditList.State.DRAFT).exclude(approvals__approver=user).count()
        if drafts:
            todos.append(Todo("审批红黑榜", f"{drafts} 期榜单待您审批", reverse("credit:manage"), urgent=True))
        pending = Objection.objects.filter(state=Objection.State.PENDING).count()
        if pending:
            late = overdue_objections(campaign).count()
            todos.append(Todo("处理信用异议", f"{pending} 件异议待处理" + (f"，{late} 件已超过答复期限" if late else ""),
                              reverse("credit:companies"), urgent=True))
    return todos


def _complaint_todos(user, campaign):
    from wenming.complaints import services as complaints
    from wenming.complaints.models import RepeatFlag, State, Ticket

    tickets = Ticket.objects.visible_to(user).filter(campaign=campaign)
    now = timezone.now()
    todos = []
    if user.role == Role.COMPANY:
        waiting = complaints.by_next_due(tickets.filter(state__in=[State.FILED, State.RECEIVED, State.HANDLING]))
        for ticket in waiting.select_related("community")[:5]:
            step = complaints.STEP_NAMES[complaints.WAITING_ON[ticket.state]]
            late = ticket.next_due_at < now
            todos.append(Todo(f"投诉 {ticket.number}（{ticket.community.name}）",
                              f"{step}时限 {timezone.localtime(ticket.next_due_at, campaign.tz):%m-%d %H:%M}"
                              + ("，已超时" if late else ""), reverse("complaints:detail", args=[ticket.pk]), late))
        calls = tickets.filter(state=State.ANSWERED, resident_reply_until__lt=now).count()
        if calls:
            todos.append(Todo("电话回访", f"{calls} 件投诉居民未答复，请电话回访", reverse("complaints:list") + "?state=answered",
                              urgent=True))
    else:
        escalated = complaints.escalated(tickets).count()
        if escalated:
            todos.append(Todo("督办超时投诉", f"{escalated} 件投诉超时未办，已上报",
                              reverse("complaints:list") + "?late=escalated", urgent=True))
        repeats = RepeatFlag.objects.visible_to(user).filter(campaign=campaign, state=RepeatFlag.State.OPEN).count()
        if repeats:
            todos.append(Todo("重复投诉", f"{repeats} 个小区同类投诉集中，请决定是否列入督查", reverse("complaints:repeats")))
    return todos


def todos_for(user, campaign):
    todos = []
    if campaign is not None and campaign.typed_rules.complaints and user.role in (Role.OFFICE, Role.DISTRICT,
                                                                                   Role.COMPANY):
        todos += _complaint_todos(user, campaign)
    if campaign is not None and user.role in (Role.OFFICE, Role.DISTRICT, Role.COMPANY):
        todos += _supervision_todos(user, campaign)
    if campaign is not None and user.role in (Role.OFFICE, Role.DISTRICT, Role.COMPANY):
        todos += _application_todos(user, campaign)
    if user.role in (Role.OFFICE, Role.DISTRICT, Role.COMPANY):
        todos += _registry_todos(user, campaign)
    if user.role == Role.OFFICE:
        if not Company.objects.exists():
            todos.append(Todo("导入物业服务企业名录", "尚无企业记录", reverse("registry:import", args=["companies"])))
        if campaign is not None:
            todos.append(_window_todo(campaign, "review", "申报初审"))
    if user.role == Role.DISTRICT and campaign is not None:
        todos.append(_window_todo(campaign, "apply_community_self", "小区申报材料审核汇总"))
    if user.role == Role.COMPANY:
        staff = Staff.objects.visible_to(user)
        missing = staff.filter(Q(certificates="") & ~Q(post=Post.PROJECT_MANAGER)).count()
        if missing:
            todos.append(Todo("补全持证情况", f"{missing} 名员工未登记持证情况（要求持证上岗）",
                              reverse("registry:list", args=["staff"])))
        if campaign is not None:
            todos.append(_window_todo(campaign, "apply", "评选申报"))
    if user.role == Role.EXPERT and campaign is not None:
        todos.append(_window_todo(campaign, "score", "专家评分"))
        waiting = results.awaiting_opinion(campaign, user)
        if waiting:
            todos.append(Todo("评选结果待您确认", "、".join(a.name for a in waiting) + " 的计算结果待您发表意见",
                              reverse("results:committee")))
    if user.role == Role.SURVEYOR and campaign is not None:
        todos.append(_window_todo(campaign, "survey", "千家万户访文明入户调查"))
    return todos


def registry_summary(user):
    communities = Community.objects.visible_to(user)
    staff = Staff.objects.visible_to(user)
    return {
        "companies": Company.objects.visible_to(user).count(),
        "communities": communities.count(),
        "staff": staff.count(),
        "staff_by_post": [
            (Post(row["post"]).label, row["n"]) for row in staff.values("post").annotate(n=Count("id")).order_by("post")
        ],
    }
