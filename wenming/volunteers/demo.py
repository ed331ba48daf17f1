"""Demo volunteer service: a station in most communities of the demo (company1's and company2's
registered by their accounts through the service, the others brought in with the registry), staff
and resident volunteers, past activities with scanned hours (most confirmed, one awaiting the
organiser, one objected to), upcoming activities open for sign-up, help requests open, taken and
served, and a certificate for the busiest volunteers.

Upcoming things go through the real services; the past is made through them at a future moment and
then dated back (as the complaints demo does), so every row is one the services could have made."""

import datetime
import random

from django.utils import timezone

from wenming.core import audit
from wenming.core.models import Resident, User
from wenming.registry.models import Community, Staff
from wenming.volunteers import services
from wenming.volunteers.models import Activity, HelpRequest, Record, RecordState, Station

NAMES = ["王秀英", "李桂兰", "张建国", "刘志强", "陈美华", "杨丽娟", "赵宏伟", "黄晓明", "周淑珍", "吴海燕"]
PAST = [("repair", "义务维修进家庭", "为独居老人检修水电、更换灯泡和水龙头", "小区物业服务中心"),
        ("environment", "楼道清洁日", "清理楼道杂物和小广告，整理非机动车", "各楼栋楼道"),
        ("street", "文明城市共建宣传", "配合街道、社区开展垃圾分类宣传", "小区中心广场"),
        ("elderly", "重阳节敬老探访", "走访慰问孤寡老人，陪伴聊天、打扫卫生", "小区内各户")]
UPCOMING = [("children", "留守儿童课业辅导", "周末为留守儿童辅导作业、开展阅读活动", "物业服务中心活动室"),
            ("repair", "家电义务检修", "为居民免费检修小家电", "小区中心广场")]
HELP = [("elderly_alone", "repair", "卫生间水龙头漏水，老人腿脚不便", "3-1-201"),
        ("left_behind_child", "visit", "父母在外务工，孩子放学后无人看护", "5-2-302"),
        ("disabled", "shopping", "行动不便，需要每周代购米面油", "2-1-101"),
        ("elderly_alone", "visit", "独居老人，希望每周有人上门看看", "7-3-502")]


def _at(today, tz, days, hour, minute=0):
    day = today + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=tz)


def _station(campaign, community, actor, rng):
    data = services.StationForm(name=f"{community.name}志愿者服务站", contact_name=rng.choice(NAMES),
                                contact_phone=f"1385180{community.pk % 10000:04d}", hours="每天 8:30–17:30",
                                services=("repair", "elderly", "children", "environment"))
    if actor is not None:
        return services.register_station(campaign, community, data, actor=actor)
    station = Station.objects.create(community=community, company_id=community.company_id,
                                     district_id=community.district_id, name=data.name, contact_name=data.contact_name,
                                     contact_phone=data.contact_phone, hours=data.hours, services=list(data.services),
                                     registered_at=timezone.now())
    audit.record("volunteers.station.registered", target=station, after={"name": station.name,
                                                                         "community": community.name})
    return station


def _past_activity(campaign, station, actor, today, tz, days_ago, spec, volunteers, rng, *, confirm=True, objected=None):
    """An activity `days_ago` days back: made through the services, then dated back; its
    volunteers signed in and out (minutes within its length) and, with `confirm`, confirmed."""
    kind, title, content, place = spec
    future = _at(today, tz, 1, 9)
    activity = services.create_activity(campaign, station, services.ActivityForm(
        kind=kind, title=title, content=content, place=place, starts_at=future,
        ends_at=future + datetime.timedelta(hours=2), places=max(len(volunteers), 1)), actor=actor)
    start = _at(today, tz, -days_ago, 9)
    Activity.objects.filter(pk=activity.pk).update(starts_at=start, ends_at=start + datetime.timedelta(hours=2),
                                                   created_at=start - datetime.timedelta(days=3))
    activity.refresh_from_db()
    for volunteer in volunteers:
        signed_in = start + datetime.timedelta(minutes=rng.choice((0, 5, 10)))
        signed_out = signed_in + datetime.timedelta(minutes=rng.choice((80, 90, 100, 110)))
        measured = min(int((signed_out - signed_in).total_seconds() // 60), activity.length_minutes)
        record = Record.objects.create(
            campaign=campaign, volunteer=volunteer, activity=activity, station=station, company_id=station.company_id,
            district_id=station.district_id, state=RecordState.SIGNED_OUT, signed_up_at=start - datetime.timedelta(days=2),
            signed_in_at=signed_in, signed_out_at=signed_out, measured_minutes=measured, served_on=start)
        if confirm:
            confirmed_at = activity.ends_at + datetime.timedelta(hours=3)
            Record.objects.filter(pk=record.pk).update(
                state=RecordState.CONFIRMED, minutes=measured, confirmed_how="organiser", confirmed_by=actor,
                confirmed_at=confirmed_at)
            if objected is not None and volunteer == objected:
                Record.objects.filter(pk=record.pk).update(
                    state=RecordState.OBJECTED, objection="我签退时手机没有网络，实际比记录晚了 20 分钟",
                    objected_at=confirmed_at + datetime.timedelta(days=1))
    return activity


def build(campaign):
    if Station.objects.exists():  # built once; later runs keep it
        return
    rng = random.Random(20)
    tz = campaign.tz
    today = timezone.localdate(timezone.now(), tz)
    accounts = {u.company_id: u for u in User.objects.filter(username__in=("company1", "company2"))}
    communities = list(Community.objects.filter(company__isnull=False).select_related("company").order_by("pk"))
    # most communities: every one but each fifth
    chosen = [c for index, c in enumerate(communities) if index % 5 != 4]
    residents = [Resident.objects.get_or_create(phone=f"1390520{n:04d}", defaults={
        "consent_version": campaign.privacy_notice_version, "consented_at": timezone.now()})[0] for n in range(40)]
    households = [Resident.objects.get_or_create(phone=f"1360520{n:04d}", defaults={
        "consent_version": campaign.privacy_notice_version, "consented_at": timezone.now()})[0] for n in range(20)]
    busy = 0
    for community in chosen:
        actor = accounts.get(community.company_id)
        station = _station(campaign, community, actor, rng)
        if actor is None:
            continue  # a station without a demo account to organise with shows on the lists and figures
        # the busy stations: company1's and company2's, with volunteers, activities and help
        staff = list(Staff.objects.filter(community=community).order_by("pk")[:2])
        volunteers = [services.add_staff_volunteer(campaign, station, s, actor=actor, chosen_skills=["repair"])
                      for s in staff]
        for n in range(3):
            resident = residents[(busy * 3 + n) % len(residents)]
            volunteers.append(services.join_as_resident(
                campaign, station, resident, name=NAMES[(busy * 3 + n) % len(NAMES)],
                chosen_skills=rng.sample(["company", "tutoring", "errands", "repair"], 2),
                consent_version=campaign.privacy_notice_version))
        _past_activity(campaign, station, actor, today, tz, 40, PAST[0], volunteers[:4], rng)
        _past_activity(campaign, station, actor, today, tz, 20, PAST[1 + busy % 3], volunteers[1:5], rng,
                       objected=volunteers[3] if busy == 0 else None)
        _past_activity(campaign, station, actor, today, tz, 2, PAST[(busy + 2) % 4], volunteers[2:], rng,
                       confirm=False)  # awaiting the organiser's confirmation
        for offset, spec in enumerate(UPCOMING):
            kind, title, content, place = spec
            start = _at(today, tz, 3 + offset * 4, 9)
            activity = services.create_activity(campaign, station, services.ActivityForm(
                kind=kind, title=title, content=content, place=place, starts_at=start,
                ends_at=start + datetime.timedelta(hours=2), places=10,
                partner="所在街道办事处" if kind == "children" else ""), actor=actor)
            for volunteer in volunteers[2:4]:
                services.sign_up(activity, Resident.objects.get(phone=volunteer.phone))
        # help requests: one served (the household confirmed), one served by a call, one taken, one open
        for n, (group, kind, description, address) in enumerate(HELP):
            household = households[(busy * 4 + n) % len(households)]
            request = services.request_help(campaign, station, services.HelpForm(
                group=group, kind=kind, description=description, address=address, phone=household.phone),
                resident=household)
            if n == 3:
                continue
            helper = volunteers[2 + n % 3]
            services.take_help(request, helper, actor=actor)
            if n == 0:
                services.report_help(request, Resident.objects.get(phone=helper.phone), minutes=60)
                services.confirm_help(request, resident=household)
            elif n == 1:
                services.confirm_help(request, actor=actor, minutes=90, note="电话回访：已上门看护，家长满意")
        _date_back_help(station, today, tz)
        for volunteer in volunteers[2:4]:
            services.issue_certificate(campaign, volunteer, resident=Resident.objects.get(phone=volunteer.phone))
        busy += 1
    return len(chosen)


def _date_back_help(station, today, tz):
    """Served requests were asked for a week or two ago; the records keep their own order."""
    for n, request in enumerate(HelpRequest.objects.filter(station=station).order_by("pk")):
        asked = _at(today, tz, -(14 - n * 3), 10)
        fields = {"requested_at": asked}
        if request.taken_at:
            fields["taken_at"] = asked + datetime.timedelta(hours=2)
        if request.reported_at:
            fields["reported_at"] = asked + datetime.timedelta(days=1)
        if request.done_at:
            fields["done_at"] = asked + datetime.timedelta(days=1, hours=2)
            Record.objects.filter(help_request=request).update(served_on=asked + datetime.timedelta(days=1),
                                                               confirmed_at=fields["done_at"])
        HelpRequest.objects.filter(pk=request.pk).update(**fields)
