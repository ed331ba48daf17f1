"""A station at 海州 community A with an activity tomorrow 09:00–11:00 and a resident volunteer."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from wenming.core.models import Resident
from wenming.volunteers import services

NOW = "2019-11-25 10:00 +0800"  # a Monday: the activity below is on Tuesday 09:00–11:00
TZ = datetime.timezone(datetime.timedelta(hours=8))


def at(text):
    return datetime.datetime.fromisoformat(text.replace(" +0800", "+08:00"))


@pytest.fixture
def station(campaign, world, company_a):
    with time_machine.travel(NOW, tick=False):
        return services.register_station(campaign, world.community_a, services.StationForm(
            name="海州花园志愿者服务站", contact_name="李站长", contact_phone="13800138001", hours="每天 8:30–17:30",
            services=("repair", "elderly")), actor=company_a)


@pytest.fixture
def activity(campaign, station, company_a):
    with time_machine.travel(NOW, tick=False):
        return services.create_activity(campaign, station, services.ActivityForm(
            kind="repair", title="义务维修进家庭", content="为老人检修水电、更换灯泡", place="3 号楼前广场",
            starts_at=at("2019-11-26 09:00 +0800"), ends_at=at("2019-11-26 11:00 +0800"), places=2), actor=company_a)


@pytest.fixture
def person(db):
    return Resident.objects.create(phone="13912340001", consent_version="2019.1", consented_at=timezone.now())


@pytest.fixture
def volunteer(campaign, station, person):
    with time_machine.travel(NOW, tick=False):
        return services.join_as_resident(campaign, station, person, name="张小明", chosen_skills=["repair"],
                                         consent_version=campaign.privacy_notice_version)


@pytest.fixture
def signed_up(activity, person, volunteer):
    with time_machine.travel(NOW, tick=False):
        return services.sign_up(activity, person)


def scan_at(activity, company_a, person, direction, when, *, code_at=None):
    code = services.issue_code(activity, direction, actor=company_a, at=at(code_at or when))
    with time_machine.travel(when, tick=False):
        return services.scan(code, person)


@pytest.fixture
def served(activity, company_a, person, signed_up):
    """Signed in at 09:05, out at 10:35: 90 minutes measured."""
    scan_at(activity, company_a, person, services.IN, "2019-11-26 09:05 +0800")
    return scan_at(activity, company_a, person, services.OUT, "2019-11-26 10:35 +0800")
