"""Demo supervision and credit data, made through the real services and then dated back where
the story needs the past (overdue orders, a repeat problem with its interview): inspections in
every district, open and overdue orders, an unannounced inspection under way in 海州区 (hidden
from its company), regular-inspection schedules with due and overdue communities, a
repeat-problem community with its interview, credit records for some companies, and a
published red/black list (two office approvals)."""

import datetime
import random

from django.utils import timezone

from wenming.core.demo_photos import picture
from wenming.core.models import User
from wenming.core.roles import Role
from wenming.core.uploads import clean_image
from wenming.credit import services as credit
from wenming.credit.models import Source
from wenming.registry.models import Community, Company, District
from wenming.supervision import services
from wenming.supervision.models import Inspection, Interview, OrderEvent, RectificationOrder, RepeatProblem

FAILURES = [("EN1", "草坪内有烟头纸屑"), ("EN2", "楼道堆放杂物"), ("PK1", "消防通道停放车辆"), ("SV2", "未公示收费标准"),
            ("FA1", "窨井盖破损"), ("AD3", "公益广告展板褪色"), ("PK2", "电动车飞线充电")]


def _back(order, days, campaign):
    """Date an order back `days` days (its deadline moves with it)."""
    today = timezone.localdate(timezone.now(), campaign.tz)
    issued = timezone.now() - datetime.timedelta(days=days)
    RectificationOrder.objects.filter(pk=order.pk).update(issued_at=issued, deadline=today - datetime.timedelta(
        days=max(days - 7, 1)))
    OrderEvent.objects.filter(order=order).update(at=issued)


def _photo(campaign, caption, rng, scene):
    """A generated photo through the real upload pipeline (re-encoded, server-named)."""
    return clean_image(picture(caption, rng, scene), max_bytes=campaign.upload_limit()).content


def _inspect(campaign, officer, community, failures, rng, kind=Inspection.Kind.REGULAR, sample=None):
    inspection = services.start_inspection(campaign, officer, community, kind, sample=sample)
    failed = {item for item, _ in failures}
    services.save_finding(campaign, inspection, officer, "AD1", value=str(rng.choice([3, 5, 6, 8])),
                          photos=[_photo(campaign, "沿途公益广告", rng, "building")])
    for item in ("EN3", "GR1", "SV1", "VO1"):
        if item not in failed:
            services.save_finding(campaign, inspection, officer, item, passed=True)
    for item, note in failures:
        services.save_finding(campaign, inspection, officer, item, passed=False, note=note,
                              severity=rng.choice(["minor", "minor", "major"]), location=f"{rng.randint(1, 12)} 号楼",
                              photos=[_photo(campaign, note, rng, "litter")])
    return services.submit_inspection(campaign, inspection, officer, confirm_incomplete=True)


def _demo_sample(campaign, district, officer, demo_companies, rng):
    """The district's sample, from a seed of the demo's generator chosen so that, after the first
    sampled community, one of a demo company's communities is still to inspect (the demo's story
    of a secret inspection needs one; a real draw takes a fresh random seed, see draw_sample)."""
    population = sorted(Community.objects.filter(district=district).values_list("pk", flat=True))
    owners = dict(Community.objects.filter(district=district).values_list("pk", "company_id"))
    size = services.spec(campaign).sample_per_district
    seed = f"{rng.getrandbits(128):032x}"
    for _ in range(200):
        if any(owners[pk] in demo_companies for pk in services.draw(population, size, seed)[1:]):
            break
        seed = f"{rng.getrandbits(128):032x}"
    return services._new_sample(campaign, district, officer, size, seed)


def build(campaign, rng=None):
    if Inspection.objects.exists():
        return
    rng = rng or random.Random(907)
    office = User.objects.get(username="office")
    officers = {u.district_id: u for u in User.objects.filter(role=Role.DISTRICT)}
    companies = {u.company_id: u for u in User.objects.filter(role=Role.COMPANY)}
    for district in District.objects.filter(pk__in=officers):
        officer = officers[district.pk]
        communities = list(Community.objects.filter(district=district).order_by("pk")[:4])
        for community in communities[:3]:
            inspection = _inspect(campaign, officer, community, rng.sample(FAILURES, 2), rng)
            orders = list(RectificationOrder.objects.filter(finding__inspection=inspection))
            _back(orders[0], rng.choice([12, 20]), campaign)  # one past its deadline
            company_user = companies.get(community.company_id)
            if company_user:
                services.start_rectifying(orders[1], company_user)
                services.save_evidence(orders[1], company_user, text="已整改完毕，附整改后照片",
                                       photos=[_photo(campaign, "整改后现场", rng, "clean")])
                services.submit_evidence(orders[1], company_user)
        sample = _demo_sample(campaign, district, officer, set(companies), rng)
        _inspect(campaign, officer, Community.objects.get(pk=sample.community_ids[0]), rng.sample(FAILURES, 1), rng,
                 kind=Inspection.Kind.UNANNOUNCED, sample=sample)
        rest = [c for c in Community.objects.filter(pk__in=sample.community_ids[1:]) if c.company_id in companies]
        if district.name == "海州区" and rest:
            # An unannounced inspection under way (of a community whose company has a demo account):
            # the company sees nothing of it until it is submitted.
            secret = services.start_inspection(campaign, officer, rest[0], Inspection.Kind.UNANNOUNCED, sample=sample)
            services.save_finding(campaign, secret, officer, "EN2", passed=False, severity="major", note="楼道堆放纸箱",
                                  location="3 号楼", photos=[_photo(campaign, "楼道堆放纸箱", rng, "litter")])
    services.sweep(campaign)  # the dated-back orders become overdue and go to their district

    # 定期督查 schedules: 海州区 every 2 weeks since three weeks ago (never-inspected communities are
    # overdue); 连云区 every 4 weeks since 25 days ago (due within the week).
    today = timezone.localdate(timezone.now(), campaign.tz)
    for name, weeks, days in (("海州区", 2, 21), ("连云区", 4, 25)):
        district = District.objects.filter(name=name, pk__in=officers).first()
        if district:
            services.set_schedule(campaign, district, officers[district.pk], every_weeks=weeks,
                                  starts_on=today - datetime.timedelta(days=days))

    # A repeat problem: the same item failed 40 days ago, again now; an interview 20 days ago
    # whose deadline has passed without rectification → a negative credit record.
    haizhou = District.objects.get(name="海州区")
    officer = officers[haizhou.pk]
    community = Community.objects.filter(district=haizhou).order_by("pk")[3]
    first = _inspect(campaign, officer, community, [("EN2", "楼道堆放杂物、占用消防通道")], rng)
    Inspection.objects.filter(pk=first.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=40))
    _inspect(campaign, officer, community, [("EN2", "楼道再次堆放杂物")], rng)
    problem = RepeatProblem.objects.filter(community=community, item="EN2").latest("flagged_at")
    interview = services.record_interview(
        campaign, problem, officer, held_at=timezone.now() - datetime.timedelta(days=20),
        place=f"{haizhou.name}住房和城乡建设局三楼会议室",
        attendees=f"{haizhou.name}住建局物业科；{community.company.name} 项目经理", requirements="清理楼道杂物，建立每日巡查制度")
    Interview.objects.filter(pk=interview.pk).update(
        deadline=timezone.localdate(timezone.now(), campaign.tz) - datetime.timedelta(days=3))
    interview.refresh_from_db()
    services.conclude_interview(campaign, interview, officer, rectified=False, note="复查时楼道仍堆放杂物")

    for company_id, user in companies.items():
        comm = Community.objects.filter(company_id=company_id).first()
        if comm and user:
            self_check = services.start_inspection(campaign, user, comm, Inspection.Kind.SELF)
            services.save_finding(campaign, self_check, user, "SV1", passed=True)
            services.save_finding(campaign, self_check, user, "EN3", passed=False, note="分类桶破损一个",
                                  photos=[_photo(campaign, "分类桶破损", rng, "litter")])
            services.submit_inspection(campaign, self_check, user, confirm_incomplete=True)

    # Credit: honours and a few other records, then a published list (two office members). Complaint
    # records come from the demo's complaints (complaints/demo.py), made by their rules.
    all_companies = list(Company.objects.order_by("pk"))
    honours = ["HONOR_PROV", "HONOR_CITY", "HONOR_CITY", "CHARITY_5000"]
    for i, company in enumerate(all_companies[:6]):
        for j, code in enumerate(honours[: 4 - i % 3]):
            credit.record(campaign, company, code, source=Source.HONOUR, source_key=f"demo:{code}:{j}", actor=office)
    black = all_companies[-1]
    credit.record(campaign, black, "JUDGMENT_MAIN_RESP", source=Source.MANUAL, source_key="demo:judgment",
                  actor=office, evidence="（演示）合同纠纷判决，企业承担主要责任")
    credit.record(campaign, black, "FEE_INFO_UNDISCLOSED", source=Source.INSPECTION, source_key="demo:fees",
                  actor=office, evidence="（演示）未在显著位置公示收费标准")
    # The strongest companies reach 3A through recorded honours within the validity window.
    for company in all_companies[:2]:
        for n in range(8):
            credit.record(campaign, company, "HONOR_PROV", source=Source.HONOUR, source_key=f"demo:prov:{n}",
                          actor=office)
    period = timezone.localdate(timezone.now(), campaign.tz).strftime("%Y-%m")
    draft = credit.compute_list(campaign, period, office, all_companies)
    credit.approve_list(campaign, draft, office)
    credit.approve_list(campaign, draft, User.objects.get(username="office2"))
