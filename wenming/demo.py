"""The demo: the Lianyungang 2019 preset and a generated registry, with today placed in a
chosen phase. Everything is generated from a fixed seed; nothing is copied from anywhere.
Safe to run again: existing demo data is kept, only the campaign dates move."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from wenming.campaigns import clock
from wenming.campaigns.models import Announcement
from wenming.campaigns.services import demo_shift_days, load_preset, shift_campaign
from wenming.core import notifications
from wenming.core.demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from wenming.core.models import NotificationSetting, User
from wenming.core.roles import Role
from wenming.core.validators import CREDIT_CODE_ALPHABET, credit_code_check_char
from wenming.registry.models import Community, Company, District, Post, Staff, Street

PRESET = "lianyungang-2019"
STREETS = {
    "海州区": ["新海街道", "新东街道", "新南街道", "浦西街道", "朐阳街道", "海州街道", "幸福路街道", "洪门街道",
               "路南街道", "宁海街道"],
    "连云区": ["墟沟街道", "连云街道", "连岛街道", "板桥街道", "宿城街道"],
    "赣榆区": ["青口镇", "赣马镇", "海头镇", "柘汪镇"],
    "连云港经济技术开发区": ["猴嘴街道", "朝阳街道"],
    "高新区": ["花果山街道", "郁洲街道"],
    "徐圩新区": ["徐圩街道"],
    "云台山风景区": ["南城街道"],
}
COMMUNITY_COUNTS = {"海州区": 25, "连云区": 12, "赣榆区": 10, "连云港经济技术开发区": 5, "高新区": 4, "徐圩新区": 2,
                    "云台山风景区": 2}
COMPANY_DISTRICTS = (["海州区"] * 8 + ["连云区"] * 4 + ["赣榆区"] * 3 + ["连云港经济技术开发区"] * 2 + ["高新区"] * 2
                     + ["徐圩新区"])
COMPANY_WORDS = ["恒泰", "港润", "海通", "苍梧", "云台", "新浦", "朐山", "金海", "港城", "嘉和",
                 "海恒", "安居", "瑞祥", "和顺", "东方", "华庭", "锦绣", "宁海", "连岛", "瀛洲"]
PLACE_WORDS = ["新海", "苍梧", "朐阳", "凤凰", "海宁", "玉带河", "龙尾河", "蔷薇", "盐河", "通灌", "幸福", "郁洲",
               "墟沟", "海棠", "云台", "连岛", "花果山", "港城", "青口", "赣马", "柘汪", "金海", "锦屏", "丽景",
               "瀛洲", "秀逸", "嘉禾", "馨园", "东方", "滨河", "秦山", "朝阳", "民主路", "学院"]
PLACE_ENDINGS = ["花园", "小区", "新村", "家园", "苑", "名邸", "公寓", "华府"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国海波宁晨"
CERTIFICATES = {Post.SECURITY: "保安员证", Post.MAINTENANCE: "电工作业证", Post.PROJECT_MANAGER: "物业管理师证书"}


def org_code(rng):
    """A 9-character organisation code (GB 11714) with its own check character."""
    body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in body]
    check = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2))) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(rng, area="320700"):
    first17 = "91" + area + org_code(rng)
    assert all(c in CREDIT_CODE_ALPHABET for c in first17)
    return first17 + credit_code_check_char(first17)


def person_name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def phone(rng, used):
    while True:
        number = rng.choice(("138", "139", "150", "151", "187")) + f"{rng.randrange(10**8):08d}"
        if number not in used:
            used.add(number)
            return number


def build_registry(rng):
    districts = {d.name: d for d in District.objects.all()}
    for name, streets in STREETS.items():
        for street in streets:
            Street.objects.get_or_create(district=districts[name], name=street)
    companies = []
    for word, district_name in zip(COMPANY_WORDS, COMPANY_DISTRICTS):
        companies.append(Company.objects.create(
            name=f"连云港{word}物业服务有限公司", credit_code=credit_code(rng), district=districts[district_name],
            address=f"{district_name}{rng.choice(PLACE_WORDS)}路{rng.randint(1, 200)}号",
            legal_representative=person_name(rng), contact_name=person_name(rng), contact_phone=phone(rng, set()),
        ))
    by_district = {}
    for company in companies:
        by_district.setdefault(company.district.name, []).append(company)
    names = [p + e for p in PLACE_WORDS for e in PLACE_ENDINGS]
    rng.shuffle(names)
    used_phones = set()
    communities = []
    for district_name, count in COMMUNITY_COUNTS.items():
        district = districts[district_name]
        local = by_district.get(district_name) or companies
        streets = list(district.streets.all())
        for index in range(count):
            total = rng.randrange(200, 1500, 10)
            # Most communities are well occupied; about one in six is below the 60% line.
            ratio = rng.uniform(0.45, 0.59) if index % 6 == 5 else rng.uniform(0.62, 0.98)
            completed = None if index % 11 == 10 else datetime.date(rng.randint(1998, 2018), rng.randint(1, 12), 28)
            community = Community.objects.create(
                name=names.pop(), district=district, street=rng.choice(streets),
                address=f"{district_name}{rng.choice(PLACE_WORDS)}路{rng.randint(1, 300)}号",
                company=local[index % len(local)], completed_on=completed, total_households=total,
                occupied_households=int(total * ratio),
                owners_committee="" if index % 3 == 2 else "业主委员会",
            )
            communities.append(community)
    for community in communities:
        posts = [Post.PROJECT_MANAGER, Post.SECURITY, Post.CLEANING, Post.MAINTENANCE, Post.SERVICE_DESK]
        for post in posts[: rng.randint(3, 5)]:
            Staff.objects.create(
                name=person_name(rng), company=community.company, community=community, post=post,
                entered_trade_on=datetime.date(rng.randint(2006, 2018), rng.randint(1, 12), rng.randint(1, 28)),
                certificates=CERTIFICATES.get(post, ""), phone=phone(rng, used_phones),
            )
    for community in Community.objects.filter(owners_committee="业主委员会"):
        community.owners_committee = f"{community.name}业主委员会"
        community.save(update_fields=["owners_committee"])
    return companies


def build_accounts(companies):
    haizhou = District.objects.get(name="海州区")
    lianyun = District.objects.get(name="连云区")
    company1 = next(c for c in companies if c.district_id == haizhou.pk)
    company2 = next(c for c in companies if c.district_id == lianyun.pk)
    bindings = {
        "office": {"role": Role.OFFICE},
        "office2": {"role": Role.OFFICE},
        "haizhou": {"role": Role.DISTRICT, "district": haizhou},
        "lianyun": {"role": Role.DISTRICT, "district": lianyun},
        "ganyu": {"role": Role.DISTRICT, "district": District.objects.get(name="赣榆区")},
        "company1": {"role": Role.COMPANY, "company": company1},
        "company2": {"role": Role.COMPANY, "company": company2},
        "surveyor1": {"role": Role.SURVEYOR},
    } | {f"expert{i}": {"role": Role.EXPERT} for i in range(1, 6)}
    for username, label in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(username=username, defaults={"display_name": label,
                                                                                **bindings[username]})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
    # Two accounts chose SMS for every event they may get, so the demo's outbox shows notifications.
    for username, number in (("company1", "13800001001"), ("haizhou", "13800001002")):
        user = User.objects.get(username=username)
        if not user.phone:
            user.phone = number
            user.save(update_fields=["phone"])
        NotificationSetting.objects.get_or_create(
            user=user, defaults={"channels": {kind: ["sms"] for kind in notifications.kinds_for(user)}})


def build_announcements(campaign):
    if campaign.announcements.exists():
        return
    start = campaign.starts_at
    Announcement.objects.bulk_create([
        Announcement(campaign=campaign, pinned=True, published_at=start - datetime.timedelta(days=1),
                     title="关于印发全市“物业管理文明创建百日大提升”活动方案的通知",
                     body="各区住（规）建局、各物业服务企业：决定在全市开展“物业管理文明创建百日大提升”活动，"
                          "开展五大提升行动和四大系列评选活动，请结合实际，认真抓好贯彻落实。"),
        Announcement(campaign=campaign, published_at=start,
                     title="“物业管理文明百日大提升”活动启动仪式",
                     body="活动启动仪式召开，邀请市委、市政府领导共同启动活动。欢迎关注“港城物管”微信公众号了解活动进展。"),
        Announcement(campaign=campaign, published_at=start + datetime.timedelta(days=7),
                     title="申报推荐工作即将开始",
                     body="文明示范小区、最美物业人、创文优秀物管小区负责人申报推荐自 9 月 15 日起开始，"
                          "小区申报表请于 10 月 10 日前报属地区物业管理主管部门。"),
    ])


def _place_today_in(campaign, phase, today):
    days = demo_shift_days(campaign, phase, today)
    return shift_campaign(campaign, days) if days else campaign


def build_demo(phase="voting", today=None, with_awards=True):
    from wenming.awards import demo as awards_demo
    from wenming.complaints import demo as complaints_demo
    from wenming.judging import demo as judging_demo
    from wenming.publicity import demo as publicity_demo
    from wenming.results import demo as results_demo
    from wenming.supervision import demo as supervision_demo
    from wenming.surveys import demo as surveys_demo
    from wenming.volunteers import demo as volunteers_demo
    from wenming.voting import demo as voting_demo

    with transaction.atomic():
        campaign, _ = load_preset(PRESET)
        today = today or timezone.localdate(timezone.now(), campaign.tz)
        if not Company.objects.exists():
            build_registry(random.Random(2019))
        build_accounts(list(Company.objects.order_by("pk")))
        # Applications are made through the real services, so the clock must be in the apply phase.
        if with_awards:
            campaign = _place_today_in(campaign, "apply", today)
            awards_demo.build(campaign)
            if phase in ("voting", "expert", "results"):
                # Votes and survey responses go through the real services, so the clock goes to
                # the voting window (the survey's window opens with it).
                campaign = _place_today_in(campaign, "voting", today)
                awards_demo.publish_all(campaign)
                voting_demo.build(campaign)
                surveys_demo.build(campaign)
            if phase in ("expert", "results"):
                # Experts score in the expert phase: partly filled sheets, all submitted for results.
                campaign = _place_today_in(campaign, "expert", today)
                judging_demo.build(campaign, complete=phase == "results")
            if phase == "results":
                # The lottery's entrants are frozen once voting has closed; results are published
                # in the results phase.
                campaign = _place_today_in(campaign, "results", today)
                voting_demo.draw(campaign)
                results_demo.build(campaign)
        campaign = _place_today_in(campaign, phase, today)
        if with_awards and phase not in ("publicity", "apply"):
            awards_demo.publish_all(campaign)
        build_announcements(campaign)
        complaints_demo.build(campaign)  # before supervision's credit list, which counts its records
        supervision_demo.build(campaign)
        volunteers_demo.build(campaign)
        publicity_demo.build(campaign)
    current = clock.current_phase(campaign)
    print(f"活动：{campaign.name}；当前阶段：{current.name if current else '无'}")
    print(f"演示账号（密码均为 {DEMO_PASSWORD}）：" + "、".join(u for u, _ in DEMO_ACCOUNTS))
    return campaign
