"""The survey cannot be stuffed (issue 17, point 1), at phone size: a resident who answered for
their household cannot answer for a second one with the same phone, and a room that is not in
the community's household register is refused — each said in Chinese under the household, the
typed answers kept; the office keeps the register from a numbering scheme.

The demo registers every surveyed community (3 units × 18 floors × 2 rooms a building) and
leaves building 1, unit 2 unanswered for trying."""

import pytest
from playwright.sync_api import expect

from tests_browser.test_phone_journey import fill_household, verify
from wenming.testing.browser import demo_site, log_in, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    return demo_site(settings, "voting")


def narrow(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_phone_answers_for_one_household_and_only_registered_ones(phone, demo):
    from wenming.surveys.models import Assignment, Response

    community = Assignment.objects.filter(campaign=demo).order_by("pk").first().community
    phone.goto(f"/surveys/c/{community.pk}/")
    verify(phone)
    fill_household(phone, "1701")
    phone.get_by_role("button", name="提交问卷").click()
    phone.wait_for_url("**/thanks/")
    phone.shot("register-first-household")
    assert Response.objects.filter(community=community, household="1-2-1701", channel="self").count() == 1

    # the same phone, the neighbour's door
    phone.goto(f"/surveys/c/{community.pk}/")
    fill_household(phone, "1702")
    phone.get_by_role("button", name="提交问卷").click()
    errors = phone.locator("#household-errors")
    expect(errors).to_contain_text(f"该手机号本轮已为 {community.name} 1-2-1701 作答，一个手机号每轮只能代表一户填写")
    assert phone.input_value("#id_room") == "1702" and narrow(phone)
    assert phone.locator("fieldset.question input[type=radio]:checked").count() == phone.locator(
        "fieldset.question").count()  # every answer kept
    phone.shot("register-second-household-refused")

    # a room the register does not have
    phone.fill("#id_building", "99")
    phone.fill("#id_room", "9901")
    phone.get_by_role("button", name="提交问卷").click()
    expect(phone.locator("#household-errors")).to_contain_text(f"{community.name}住户登记中没有 99-2-9901 这一户")
    phone.shot("register-unregistered-room-refused")
    assert Response.objects.filter(community=community, channel="self").count() == 1


def test_the_office_generates_a_register_with_errors_at_the_field(phone, demo):
    from wenming.registry.models import Household
    from wenming.surveys.models import Assignment

    community = Assignment.objects.filter(campaign=demo).order_by("pk").first().community
    before = Household.objects.filter(community=community).count()
    log_in(phone, "office")
    phone.goto(f"/surveys/communities/{community.pk}/households/")
    expect(phone.locator("main")).to_contain_text(f"共 {before} 户")
    phone.fill("#id_buildings", "18")
    phone.fill("#id_units", "0")
    phone.fill("#id_floors", "18")
    phone.fill("#id_per_floor", "2")
    phone.get_by_role("button", name="生成住户登记").click()
    expect(phone.locator(".field.has-error")).to_contain_text("至少 1 个")
    assert phone.input_value("#id_buildings") == "18" and narrow(phone)
    phone.shot("register-scheme-error")
    assert Household.objects.filter(community=community).count() == before
