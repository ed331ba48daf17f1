"""Hand-written test factories: `make_x(**overrides)` with sensible defaults."""

import datetime
import io
import itertools
from types import SimpleNamespace

from openpyxl import Workbook

from wenming.core.identity.phone_step import remember
from wenming.core.models import Resident, User
from wenming.core.validators import credit_code_check_char
from wenming.registry.models import Community, Company, District, Post, Staff

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"


def credit_code(n=None):
    n = next(_seq) if n is None else n
    first17 = f"91320700MA{n:07d}"
    return first17 + credit_code_check_char(first17)


def make_user(username, **fields):
    user = User(username=username, display_name=fields.pop("display_name", username), **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_district(name, **fields):
    district, _ = District.objects.get_or_create(name=name, defaults=fields)
    return district


def make_company(**fields):
    n = next(_seq)
    fields.setdefault("name", f"测试物业服务有限公司{n}")
    fields.setdefault("credit_code", credit_code(n))
    if "district" not in fields:
        fields["district"] = make_district("海州区")
    fields.setdefault("contact_phone", f"1390000{n:04d}")
    return Company.objects.create(**fields)


def make_community(**fields):
    n = next(_seq)
    fields.setdefault("name", f"测试小区{n}")
    if "company" not in fields:
        fields["company"] = make_company()
    fields.setdefault("district", fields["company"].district)
    fields.setdefault("total_households", 500)
    fields.setdefault("occupied_households", 400)
    fields.setdefault("completed_on", datetime.date(2010, 5, 1))
    return Community.objects.create(**fields)


def make_staff(**fields):
    n = next(_seq)
    if "community" not in fields:
        fields["community"] = make_community(**({"company": fields["company"]} if "company" in fields else {}))
    fields.setdefault("company", fields["community"].company)
    fields.setdefault("name", f"员工{n}")
    fields.setdefault("post", Post.SECURITY)
    fields.setdefault("entered_trade_on", datetime.date(2015, 3, 1))
    fields.setdefault("phone", f"1380000{n:04d}")
    return Staff.objects.create(**fields)


def make_resident(phone="13912345678"):
    """A resident who accepted the 2019 privacy notice (the one with `phone` if there is one)."""
    return Resident.objects.get_or_create(phone=phone, defaults={
        "consent_version": "2019.1", "consented_at": datetime.datetime(2019, 11, 1, tzinfo=datetime.UTC)})[0]


def verified_session(client, resident):
    """The test client's session verified for `resident`, as the phone step leaves it."""
    session = client.session
    remember(session, resident)
    session.save()
    return client


def make_world():
    haizhou = make_district("海州区")
    lianyun = make_district("连云区")
    company_a = make_company(name="海州甲物业服务有限公司", district=haizhou)
    company_b = make_company(name="连云乙物业服务有限公司", district=lianyun)
    community_a = make_community(name="海州花园", company=company_a, district=haizhou)
    community_b = make_community(name="连云新村", company=company_b, district=lianyun)
    staff_a = make_staff(name="张三", community=community_a)
    staff_b = make_staff(name="李四", community=community_b)
    return SimpleNamespace(**locals())


def jpeg(name="photo.jpg", colour="red", size=(64, 48)):
    """An uploaded-file-like small JPEG (a phone's photo, as far as the upload checks go)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def xlsx(headers, rows):
    """An uploaded-file-like .xlsx with one sheet."""
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "upload.xlsx"
    return buffer


def lift_vote_limits(campaign):
    """Load tests send everything from 127.0.0.1: raise the per-address limits and risk
    thresholds in the campaign's rules so that only the quotas are being tested."""
    rules = campaign.rules
    rules["voting"]["limits_per_minute"] = {"voter": 10**6, "ip": 10**9, "net24": 10**9}
    rules["voting"]["risk"].update(net24_daily=10**9, candidate_burst_per_minute=10**9, night_net24=10**9)
    set_rules(campaign, rules)


def set_rules(campaign, rules):
    """Rewrite the campaign's current rule set in place (tests only: a real change is a new
    version) and move the campaign version on, so no process keeps the rules it parsed before."""
    from wenming.campaigns.services import campaign_changed

    campaign.rule_sets.filter(version=campaign.rules_version).update(data=rules)
    campaign_changed()


def make_candidates(campaign, world, count=5, award="model_community"):
    """Published community candidates (their showcases) of the campaign, in 海州区 under company A,
    published when the campaign's showcase window opens (never "now": the tests' clocks move)."""
    from wenming.awards.models import Application, Showcase, Status
    from wenming.campaigns import clock

    award = campaign.awards.get(key=award)
    published_at = clock.window(campaign, "showcase")[1]
    items = []
    for i in range(count):
        community = make_community(company=world.company_a, district=world.haizhou, name=f"候选小区{i}")
        application = Application.objects.create(
            campaign=campaign, award=award, channel="company", status=Status.CANDIDATE, community=community,
            company=community.company, district=community.district, applicant_name="x", full_name=community.name)
        items.append(Showcase.objects.create(application=application, title=community.name, story="介绍",
                                             published_at=published_at))
    return items


def make_register(community, *, buildings, units, floors, per_floor, vacant=()):
    """A household register from a numbering scheme (rooms floor + two digits, "1801"), the
    community's household counts taken from it (as surveys.services.generate_register does)."""
    from wenming.registry.households import household_key
    from wenming.registry.models import Household

    vacant, rows = set(vacant), []
    for b in range(1, buildings + 1):
        for u in range(1, units + 1):
            for f in range(1, floors + 1):
                for r in range(1, per_floor + 1):
                    key = household_key(b, u, f"{f}{r:02d}")
                    rows.append(Household(community=community, building=str(b), unit=str(u), room=f"{f}{r:02d}",
                                          key=key, occupied=key not in vacant))
    Household.objects.filter(community=community).delete()
    Household.objects.bulk_create(rows)
    community.total_households = len(rows)
    community.occupied_households = sum(1 for h in rows if h.occupied)
    community.save(update_fields=["total_households", "occupied_households"])
    return community
