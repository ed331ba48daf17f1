"""Demo complaints, made through the real services and then dated back where the story needs the
past: tickets in every state across three districts — from residents, the service desk and the
12345 hotline — some overdue and escalated, return visits answered by residents, a visit the
company must now make by phone, a reopened ticket, the credit records those rules wrote, and a
community with repeated complaints flagged to its district."""

import datetime
import random

from django.utils import timezone

from wenming.complaints import services
from wenming.complaints.models import Ticket, TicketEvent
from wenming.core.demo_photos import picture
from wenming.core.models import Resident, User
from wenming.core.uploads import clean_image
from wenming.registry.models import Community, District

PROBLEMS = {
    "elevator_entrapment": "3 号楼电梯停在 8 楼和 9 楼之间，里面有人",
    "water_leak": "地下车库顶板漏水，滴在车上",
    "outage": "5 号楼整栋停水，没有提前通知",
    "repair": "单元门禁刷卡没反应，老人进不去",
    "sanitation": "楼道垃圾三天没人清理，有异味",
    "parking": "消防通道长期有车辆停放",
    "noise": "晚上十点后还有装修噪音",
    "greenery": "小区绿化带杂草很多没人修剪",
    "fees": "物业费收费标准和公示的不一样",
    "attitude": "客服电话打了几次都没人接",
}


def _photos(campaign, caption, rng, scene="litter"):
    return [clean_image(picture(caption, rng, scene), max_bytes=campaign.upload_limit())]


def _back(ticket, hours):
    """Move a ticket and its events `hours` into the past (its limits move with it)."""
    ticket.refresh_from_db()
    delta = datetime.timedelta(hours=hours)
    fields = {name: getattr(ticket, name) - delta for name in (
        "filed_at", "receive_due", "handle_due", "answer_due", "follow_up_due", "resident_reply_until",
        "received_at", "handling_at", "answered_at", "followed_up_at") if getattr(ticket, name)}
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    for event in TicketEvent.objects.filter(ticket=ticket):
        TicketEvent.objects.filter(pk=event.pk).update(at=event.at - delta)
    ticket.refresh_from_db()
    return ticket


def build(campaign):
    if Ticket.objects.filter(campaign=campaign).exists():  # the demo is built once; later runs move its dates
        return
    rng = random.Random(19)
    company1, company2 = User.objects.get(username="company1"), User.objects.get(username="company2")
    ganyu = District.objects.get(name="赣榆区")
    ours = {company1: Community.objects.filter(company_id=company1.company_id).order_by("pk")[:2],
            company2: Community.objects.filter(company_id=company2.company_id).order_by("pk")[:2]}
    elsewhere = Community.objects.filter(district=ganyu, company__isnull=False).order_by("pk").first()
    residents = [Resident.objects.get_or_create(phone=f"1390518{n:04d}", defaults={
        "consent_version": campaign.privacy_notice_version, "consented_at": timezone.now()})[0] for n in range(12)]

    def filed(community, category, resident, *, hours_ago=0, source="resident", actor=None, photo=False, number=None):
        filing = services.Filing(community=community, category=category, urgency="normal",
                                 description=PROBLEMS[category], phone=resident.phone,
                                 location="" if category in ("fees", "attitude") else "3 号楼附近")
        ticket = services.file_ticket(campaign, filing, source=source, actor=actor,
                                      resident=resident if source == "resident" else None, hotline_number=number,
                                      photos=_photos(campaign, PROBLEMS[category][:8], rng) if photo else ())
        return _back(ticket, hours_ago) if hours_ago else ticket

    for company, communities in ours.items():
        first, second = communities[0], communities[len(communities) - 1]
        # just filed, and one filed yesterday evening that nobody has received (reminded, then escalated)
        filed(first, "repair", residents[0], photo=True)
        filed(second, "greenery", residents[1], hours_ago=60)
        # received; in handling with a note and a photo
        ticket = filed(first, "parking", residents[2])
        services.receive(ticket, actor=company, handler=company)
        ticket = filed(second, "water_leak", residents[3], photo=True)
        services.receive(ticket, actor=company, handler=company)
        services.start_handling(ticket, actor=company, note="维修人员已到现场")
        services.add_note(ticket, actor=company, note="找到漏点，正在更换防水层",
                          photos=_photos(campaign, "更换防水层", rng, "site"))
        # answered: waiting for the resident, and one whose resident never answered (company to call)
        for resident, hours in ((residents[4], 0), (residents[5], 24 * 4)):
            ticket = filed(first, "sanitation" if hours else "noise", resident)
            services.receive(ticket, actor=company, handler=company)
            services.start_handling(ticket, actor=company)
            reply = "已安排保洁清运并增加巡查频次" if hours else "已上门劝导并张贴装修时间规定"
            services.answer(ticket, actor=company, text=reply,
                            photos=_photos(campaign, "已清理", rng, "clean") if hours else ())
            if hours:
                _back(ticket, hours)
        # closed: fixed and satisfied; fixed but not satisfied; reopened once then fixed
        for resident, satisfaction in ((residents[6], 5), (residents[7], 3)):
            ticket = filed(second, "outage", resident)
            services.receive(ticket, actor=company, handler=company)
            services.start_handling(ticket, actor=company)
            services.answer(ticket, actor=company, text="供水管道抢修完毕，已恢复供水")
            services.follow_up(ticket, fixed=True, satisfaction=satisfaction, resident=resident)
        ticket = filed(first, "elevator_entrapment", residents[8])
        services.receive(ticket, actor=company, handler=company)
        services.start_handling(ticket, actor=company, note="维保人员到场放人")
        services.answer(ticket, actor=company, text="被困人员已安全救出，电梯已恢复运行")
        services.follow_up(ticket, fixed=False, satisfaction=2, resident=residents[8])  # reopened: credit record
        services.answer(ticket, actor=company, text="更换了电梯控制板，并请特检院复检合格")
        services.follow_up(ticket, fixed=True, satisfaction=4, resident=residents[8])
        # a complaint taken at the service desk by phone
        filed(second, "attitude", residents[9], source="desk", actor=company)

    # 12345 work orders: one answered late (credit record), one open in another district, overdue
    first = ours[company1][0]
    ticket = filed(first, "fees", residents[10], source="hotline", number="2019100800123")
    services.receive(ticket, actor=company1, handler=company1)
    services.start_handling(ticket, actor=company1)
    _back(ticket, 24 * 9)
    services.answer(ticket, actor=company1, text="已核对收费标准，多收部分退还业主")
    if elsewhere is not None:
        filed(elsewhere, "sanitation", residents[11], source="hotline", number="2019100800456", hours_ago=80)
    # repeated complaints of one kind at one community: flagged to 海州区
    for n, hours in enumerate((24 * 20, 24 * 12, 24 * 2)):
        filed(first, "sanitation", residents[n], hours_ago=hours)
    services.sweep(campaign)
