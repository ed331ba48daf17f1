"""The survey cannot be stuffed: a household register per community, responses only from its
occupied households, one household per phone per round, coverage never above 100%, flagged
responses held until the office releases them."""

import datetime
import json
from fractions import Fraction

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wenming.core.models import AuditEntry, Resident
from wenming.registry import households
from wenming.registry.models import Household
from wenming.surveys import services
from wenming.surveys.models import Response
from wenming.surveys.tests.test_survey import IN_WINDOW, answers
from wenming.testing.factories import make_community, make_register, make_resident, verified_session, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(campaign, world, surveyor, office):
    services.assign(campaign, office, surveyor, [world.community_a])
    return world.community_a


def form_data(campaign, client_id, building="3", unit="2", room="501"):
    data = {"client_id": client_id, "building": building, "unit": unit, "room": room}
    data.update({f"q_{k}": v for k, v in answers(campaign).items()})
    return data


def verified(client, phone):
    verified_session(client, make_resident(phone))


def self_fill(client, campaign, community, client_id, **household):
    return client.post(reverse("surveys:self_fill", args=[community.pk]),
                       {**form_data(campaign, client_id, **household), "step": "answer"})


# --- household numbers ----------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["十八-三-1803", "18栋3单元1803", "18-3-1803", "１８号楼 ３单元 １８０３室",
                                   "18/3/1803", "十八栋三单元一八零三"])
def test_household_numbers_are_normalised(typed):
    assert households.household_key(*households.parse_household(typed)) == "18-3-1803"


def test_the_three_fields_normalise_the_same_way():
    assert households.household_key("十八", "三", "1803") == households.household_key("18栋", "3单元", "1803室") == "18-3-1803"
    assert households.household_key("二十", "一", "0502") == "20-1-502"
    with pytest.raises(ValidationError, match="户号须为"):
        households.parse_household("18-1803")


# --- the register ---------------------------------------------------------------------------------

def test_a_register_from_a_numbering_scheme_counts_the_occupied_households(campaign, world, office):
    community = world.community_a
    total, occupied = services.generate_register(community, office, buildings=18, units=3, floors=18, per_floor=2,
                                                 vacant=["18-3-1801", "18-3-1802"])
    community.refresh_from_db()
    assert (total, occupied) == (1944, 1942) == (community.total_households, community.occupied_households)
    assert Household.objects.filter(community=community, key="18-3-1802", occupied=False).exists()
    assert Household.objects.filter(community=community, key="1-1-101").exists()
    assert AuditEntry.objects.filter(action="surveys.register.generated").count() == 1


def test_an_excel_register_names_every_bad_row_and_stores_nothing(campaign, world, office):
    community = world.community_a
    before = set(Household.objects.filter(community=community).values_list("key", flat=True))
    bad = xlsx(["楼栋", "单元", "室号", "是否入住"], [
        ["1", "1", "101", "是"], ["1", "1", "", "是"], ["1", "1", "102", "也许"], ["1栋", "1单元", "101", "否"]])
    with pytest.raises(ValidationError) as caught:
        services.import_register(community, office, bad)
    assert caught.value.messages == ["第 3 行：室号请填写 1 至 10 位数字、字母或汉字", "第 4 行：是否入住须填“是”或“否”",
                                     "第 5 行：与第 2 行是同一户（1-1-101）"]
    assert set(Household.objects.filter(community=community).values_list("key", flat=True)) == before
    good = xlsx(["户号", "是否入住"], [["十八-三-1803", "是"], ["18栋3单元1804", "否"], ["1-1-101", ""]])
    assert services.import_register(community, office, good) == (3, 2)
    community.refresh_from_db()
    assert (community.total_households, community.occupied_households) == (3, 2)


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_household_with_a_response_cannot_leave_the_register(campaign, assigned, surveyor, office):
    services.record_response(campaign, assigned, household=("3", "2", "501"), answers=answers(campaign),
                             client_id="keep-000001", channel="surveyor", surveyor=surveyor)
    with pytest.raises(Exception, match="3-2-501 等 1 户已有问卷"):
        services.generate_register(assigned, office, buildings=1, units=1, floors=1, per_floor=1)
    assert Household.objects.filter(community=assigned).count() == 500


# --- responses ------------------------------------------------------------------------------------

@time_machine.travel(IN_WINDOW, tick=False)
def test_a_response_for_an_unregistered_or_vacant_household_is_refused(campaign, assigned, surveyor):
    with pytest.raises(services.UnknownHousehold, match="住户登记中没有 18-3-1803"):
        services.record_response(campaign, assigned, household=("18", "3", "1803"), answers=answers(campaign),
                                 client_id="none-000001", channel="surveyor", surveyor=surveyor)
    with pytest.raises(services.UnknownHousehold, match="4-2-101 在住户登记中为空置户"):
        services.record_response(campaign, assigned, household=("4", "2", "101"), answers=answers(campaign),
                                 client_id="none-000002", channel="surveyor", surveyor=surveyor)
    assert not Response.objects.exists()


@time_machine.travel(IN_WINDOW, tick=False)
def test_one_phone_cannot_answer_for_a_second_household(campaign, assigned, world):
    resident = Resident.objects.create(phone="13912345678", consent_version="2019.1", consented_at=timezone.now())

    def fill(community, household, client_id):
        return services.record_response(campaign, community, household=household, answers=answers(campaign),
                                        client_id=client_id, channel="self", resident=resident)

    fill(assigned, ("3", "2", "501"), "phone-000001")
    with pytest.raises(services.PhoneAnswered, match="该手机号本轮已为 海州花园 3-2-501 作答"):
        fill(assigned, ("3", "2", "502"), "phone-000002")
    with pytest.raises(services.PhoneAnswered):  # nor in another community
        fill(world.community_b, ("1", "1", "101"), "phone-000003")
    with pytest.raises(services.DuplicateHousehold):  # its own household again: the household's rule
        fill(assigned, ("3", "2", "501"), "phone-000004")
    assert Response.objects.count() == 1
    # the next round is a new round
    services.record_response(campaign, assigned, household=("3", "2", "502"), answers=answers(campaign),
                             client_id="phone-000005", channel="self", resident=resident, round_=2)


@time_machine.travel(IN_WINDOW, tick=False)
def test_the_self_fill_page_refuses_a_second_household_and_an_unregistered_one_at_the_household(
        client, campaign, assigned):
    verified(client, "13912345678")
    assert self_fill(client, campaign, assigned, "self-000001").status_code == 200
    second = self_fill(client, campaign, assigned, "self-000002", room="502")
    page = second.text
    assert second.status_code == 409 and 'id="household-errors"' in page
    assert "一个手机号每轮只能代表一户填写" in page.split('id="household-errors"')[1].split("</div>")[0]
    assert 'name="room" value="502"' in page  # kept as typed
    other = Client()  # a second resident, on their own phone
    verified(other, "13912345679")
    unknown = self_fill(other, campaign, assigned, "self-000003", building="18", unit="3", room="1803")
    assert unknown.status_code == 400 and "住户登记中没有 18-3-1803 这一户" in unknown.text.split(
        'id="household-errors"')[1]
    assert Response.objects.count() == 1


@time_machine.travel(IN_WINDOW, tick=False)
def test_the_queue_answers_a_second_household_and_an_unregistered_one_in_json(client, campaign, assigned):
    verified(client, "13912345678")
    url = reverse("surveys:queue_self_fill", args=[assigned.pk])
    assert client.post(url, form_data(campaign, "kept-000001")).status_code == 201
    second = client.post(url, form_data(campaign, "kept-000002", room="502"))
    assert second.status_code == 409 and "一个手机号每轮只能代表一户" in json.loads(second.content)["message"]
    unknown = client.post(url, form_data(campaign, "kept-000003", building="18"))
    assert unknown.status_code == 400 and "住户登记中没有" in json.loads(unknown.content)["fields"]["room"]
    assert Response.objects.count() == 1


@time_machine.travel(IN_WINDOW, tick=False)
def test_the_api_refuses_an_unregistered_household(client, campaign, assigned, surveyor):
    from wenming.core.models import ApiToken

    _, raw = ApiToken.issue(surveyor)
    body = {"client_id": "api-00000001", "community_id": assigned.pk, "building": "18", "unit": "3", "room": "1803",
            "answers": answers(campaign)}
    response = client.post("/api/v1/surveys/responses", body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 422 and "住户登记中没有" in response.text
    assert not Response.objects.exists()


# --- coverage -------------------------------------------------------------------------------------

def test_coverage_never_exceeds_one_hundred_percent(campaign, world, surveyor, office):
    """405 attempts on a community of 4 registered households: 4 count, the rest are refused."""
    small = make_community(company=world.company_a, district=world.haizhou, name="四户小区", total_households=4,
                           occupied_households=4)
    make_register(small, buildings=1, units=1, floors=2, per_floor=2)
    services.assign(campaign, office, surveyor, [small])
    refused = 0
    with time_machine.travel(IN_WINDOW, tick=False):
        for n in range(405):
            try:
                services.record_response(campaign, small, household=("1", "1", f"{n % 3 + 1}0{n % 2 + 1}"),
                                         answers=answers(campaign), client_id=f"stuff-{n:05d}", channel="surveyor",
                                         surveyor=surveyor)
            except (services.UnknownHousehold, services.DuplicateHousehold):
                refused += 1
    row = services.coverage(campaign, [small])[0]
    assert (row.responses, row.households, row.rate, row.percent) == (4, 4, Fraction(1), 100.0)
    assert refused == 401
    # one of them is now registered vacant: it no longer counts, and the rate stays at most 100%
    make_register(small, buildings=1, units=1, floors=2, per_floor=2, vacant=["1-1-202"])
    row = services.coverage(campaign, [small])[0]
    assert (row.responses, row.households, row.percent) == (3, 3, 100.0)
    assert services.points_from(services.spec(campaign), [answers(campaign)] * 5, 3)[1]["coverage"] == "1"


# --- flagged responses ----------------------------------------------------------------------------

@time_machine.travel(IN_WINDOW, tick=False)
def test_a_flagged_response_is_held_out_until_the_office_releases_it(client, campaign, assigned, surveyor, office):
    now = timezone.now()
    fast, _ = services.record_response(campaign, assigned, household=("1", "1", "101"), answers=answers(campaign),
                                       client_id="fast-000001", channel="surveyor", surveyor=surveyor,
                                       started_at=now - datetime.timedelta(seconds=5))
    services.record_response(campaign, assigned, household=("1", "1", "102"), answers=answers(campaign),
                             client_id="slow-000001", channel="surveyor", surveyor=surveyor,
                             started_at=now - datetime.timedelta(minutes=5))
    row = services.coverage(campaign, [assigned])[0]
    assert (row.responses, row.held) == (1, 1)
    assert len(services.counted_answers(campaign, [assigned.pk])[assigned.pk]) == 1
    client.force_login(surveyor)
    assert client.get(reverse("surveys:held")).status_code == 403
    assert client.post(reverse("surveys:release", args=[fast.pk])).status_code == 403
    client.force_login(office)
    assert client.get(reverse("surveys:release", args=[fast.pk])).status_code == 405
    assert client.post(reverse("surveys:release", args=[999999])).status_code == 404
    page = client.get(reverse("surveys:held")).text
    assert "1-1-101" in page and "录入过快（5 秒）" in page and "1-1-102" not in page
    done = client.post(reverse("surveys:release", args=[fast.pk]), follow=True)
    assert "已放行 海州花园 1-1-101 的问卷" in done.text
    row = services.coverage(campaign, [assigned])[0]
    assert (row.responses, row.held) == (2, 0)
    assert AuditEntry.objects.filter(action="surveys.response.released").count() == 1
    again = client.post(reverse("surveys:release", args=[fast.pk]))
    assert again.status_code == 409


@time_machine.travel(IN_WINDOW, tick=False)
def test_one_device_answering_for_several_households_is_held(client, campaign, assigned):
    verified(client, "13912345678")
    client.get(reverse("surveys:self_fill", args=[assigned.pk]))  # the page gives the device its cookie
    assert self_fill(client, campaign, assigned, "dev-0000001").status_code == 200
    device = client.cookies["wm_survey_device"].value
    verified(client, "13912345679")  # another phone on the same device
    assert self_fill(client, campaign, assigned, "dev-0000002", room="502").status_code == 200
    rows = list(Response.objects.order_by("pk").values_list("device", "flagged_device"))
    assert rows == [(device, True), (device, True)]
    assert services.coverage(campaign, [assigned])[0].held == 2


@time_machine.travel(IN_WINDOW, tick=False)
def test_results_gather_only_the_counted_responses(campaign, assigned, surveyor):
    now = timezone.now()
    services.record_response(campaign, assigned, household=("1", "1", "101"), answers=answers(campaign),
                             client_id="gath-000001", channel="surveyor", surveyor=surveyor,
                             started_at=now - datetime.timedelta(seconds=3))
    assert services.survey_points(campaign, assigned) == (None, {"responses": 0, "coverage": "0", "households": 400})


# --- the register pages ---------------------------------------------------------------------------

def test_the_register_page_generates_and_imports_with_errors_at_the_field(client, campaign, assigned, office):
    client.force_login(office)
    url = reverse("surveys:register", args=[assigned.pk])
    assert "共 500 户，其中入住 400 户" in client.get(url).text
    bad = client.post(reverse("surveys:register_generate", args=[assigned.pk]),
                      {"buildings": "18", "units": "0", "floors": "18", "per_floor": "2", "vacant": "1-1-101\n不是户号"})
    assert bad.status_code == 400 and "至少 1 个" in bad.text and "无法识别的户号：不是户号" in bad.text
    assert 'name="buildings" value="18"' in bad.text and Household.objects.filter(community=assigned).count() == 500
    done = client.post(reverse("surveys:register_generate", args=[assigned.pk]),
                       {"buildings": "18", "units": "3", "floors": "18", "per_floor": "2", "vacant": "18-3-1802"},
                       follow=True)
    assert "已按编号规则生成住户登记：共 1944 户，其中入住 1943 户" in done.text
    rows = xlsx(["楼栋", "单元", "室号", "是否入住"], [["1", "1", "101", "是"], ["1", "1", "101", "是"]])
    refused = client.post(reverse("surveys:register_import", args=[assigned.pk]), {"file": rows})
    assert refused.status_code == 400 and "第 3 行：与第 2 行是同一户（1-1-101）" in refused.text
    assert Household.objects.filter(community=assigned).count() == 1944
    rows = xlsx(["楼栋", "单元", "室号", "是否入住"], [["1", "1", "101", "是"], ["1", "1", "102", "否"]])
    imported = client.post(reverse("surveys:register_import", args=[assigned.pk]), {"file": rows}, follow=True)
    assert "已导入住户登记：共 2 户，其中入住 1 户" in imported.text


def test_the_register_pages_check_scope_role_and_method(client, campaign, assigned, world, surveyor,
                                                       haizhou_officer, lianyun_officer):
    url = reverse("surveys:register", args=[assigned.pk])
    generate = reverse("surveys:register_generate", args=[assigned.pk])
    scheme = {"buildings": "1", "units": "1", "floors": "1", "per_floor": "1"}
    client.force_login(lianyun_officer)
    assert client.get(url).status_code == 404 and client.post(generate, scheme).status_code == 404
    client.force_login(surveyor)
    assert client.get(url).status_code == 403 and client.post(generate, scheme).status_code == 403
    client.force_login(haizhou_officer)
    assert client.get(url).status_code == 200
    assert client.get(generate).status_code == 405
    assert client.get(reverse("surveys:register_import", args=[assigned.pk])).status_code == 405
    assert Household.objects.filter(community=assigned).count() == 500


def test_the_self_fill_link_has_its_qr_poster(client, campaign, assigned, world):
    response = client.get(reverse("surveys:self_fill_poster", args=[assigned.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(reverse("surveys:self_fill_poster", args=[world.community_b.pk])).status_code == 404
    assert client.post(reverse("surveys:self_fill_poster", args=[assigned.pk])).status_code == 405


def test_the_registry_form_does_not_retype_a_registered_communitys_households(world, office):
    from django.forms.models import model_to_dict

    from wenming.registry.forms import CommunityForm

    community = world.community_a
    data = {k: v for k, v in model_to_dict(community).items() if v is not None}
    data.update({"total_households": 600, "occupied_households": 590})
    form = CommunityForm(data, instance=community, user=office)
    assert not form.is_valid()
    assert "户数按登记计算（500）" in form.errors["total_households"][0]
    assert "户数按登记计算（400）" in form.errors["occupied_households"][0]
    data.update({"total_households": 500, "occupied_households": 400, "address": "新地址"})
    assert CommunityForm(data, instance=community, user=office).is_valid()
