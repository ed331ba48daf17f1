"""The resident's phone journey as a WeChat H5 page (issue 16, points 7 and 8), at phone size:
one phone field with the digit keypad, a resend countdown, the phone kept across a reload, the
candidate named, today's used-up votes said at once, the large-text switch; and survey entries
made without a signal arriving once it is back, exactly once.

The demo places today in the voting phase (`demo_site`), as the vote journey does."""

import json

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from wenming.testing.browser import demo_site, log_in, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]
RESIDENT = "13912345678"


@pytest.fixture
def demo(settings):
    return demo_site(settings, "voting")


def candidates():
    from wenming.awards.models import Showcase

    return list(Showcase.objects.filter(published_at__isnull=False).select_related("application__award")
                .order_by("application__award__sort_order", "pk"))


def last_code():
    return json.loads((django_settings.OUTBOX_DIR / "sms.jsonl").read_text().splitlines()[-1])["code"]


def verify(page, number=RESIDENT):
    page.fill("#id_phone", number)
    page.click("#send-code")
    page.wait_for_load_state()
    page.fill("#id_code", last_code())
    page.check("#id_consent")
    page.click("#verify")
    page.wait_for_load_state()


def test_the_phone_check_names_the_candidate_counts_down_and_keeps_the_phone(phone, demo):
    candidate = candidates()[0]
    phone.goto(f"/vote/{candidate.pk}/")
    assert candidate.title in phone.locator("h1").inner_text()
    assert phone.locator("input[name=phone]").count() == 1 and phone.locator("#id_phone").count() == 1
    assert phone.get_attribute("#id_phone", "inputmode") == "numeric"
    assert phone.get_attribute("#id_phone", "type") == "tel"
    assert phone.get_attribute("#id_code", "inputmode") == "numeric"
    assert phone.get_attribute("#id_code", "autocomplete") == "one-time-code"
    phone.fill("#id_phone", RESIDENT)
    phone.click("#send-code")
    phone.wait_for_load_state()
    expect(phone.locator("#send-code")).to_be_disabled()
    expect(phone.locator("#send-code")).to_contain_text("秒")
    assert "验证码已发送至 139****5678" in phone.locator("main").inner_text()
    phone.shot("code-sent-countdown")
    phone.reload()
    assert phone.input_value("#id_phone") == RESIDENT  # kept across the reload
    expect(phone.locator("#send-code")).to_be_disabled()  # and so is the wait before another code
    seconds = int(phone.locator("#resend-wait").inner_text().split(" ")[0])
    assert 0 < seconds <= 60
    phone.fill("#id_code", last_code())
    phone.check("#id_consent")
    phone.click("#verify")
    expect(phone.locator("#cast")).to_contain_text(candidate.title)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.shot("vote-names-candidate")


def test_the_vote_button_says_at_once_when_todays_votes_are_used_up(phone, demo):
    from wenming.core.models import Resident
    from wenming.voting import services

    rules = services.rules(demo)
    first = candidates()[0]
    same_award = [c for c in candidates() if c.application.award_id == first.application.award_id]
    assert len(same_award) > rules.per_voter_per_award_per_day
    phone.goto(f"/vote/{first.pk}/")
    verify(phone)
    resident = Resident.objects.get(phone=RESIDENT)
    for other in same_award[1:rules.per_voter_per_award_per_day + 1]:
        services.cast_vote(demo.pk, resident.pk, other.pk)
    phone.goto(f"/vote/{first.pk}/")
    expect(phone.locator("#cast")).to_be_disabled()
    assert f"今天的 {rules.per_voter_per_award_per_day} 票已投完" in phone.locator("#used-up").inner_text()
    phone.shot("quota-used-up")
    # the candidate already voted for today says so too
    phone.goto(f"/vote/{same_award[1].pk}/")
    expect(phone.locator("#cast")).to_be_disabled()


def test_home_leads_to_the_vote_and_the_large_text_switch_is_kept_on_every_public_page(phone, demo):
    phone.goto("/")
    phone.click("#go-vote")
    phone.wait_for_url("**/showcase/")
    phone.click("#font-switch")
    assert phone.evaluate("document.documentElement.classList.contains('large-text')")
    expect(phone.locator("#font-switch")).to_have_attribute("aria-pressed", "true")
    assert phone.evaluate("getComputedStyle(document.body).fontSize") == "20px"  # 125% of 16px
    pages = ["/", "/showcase/", f"/showcase/{candidates()[0].pk}/", f"/vote/{candidates()[0].pk}/",
             "/vote/leaderboard/", "/recommend/", "/privacy/", "/news/", "/announcements/"]
    for url in pages:
        phone.goto(url)
        assert phone.evaluate("document.documentElement.classList.contains('large-text')"), url
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, url
        assert phone.locator("nav.nav a").count() == 7, url  # one public navigation
    phone.shot("large-text")
    phone.click("#font-switch")
    phone.reload()
    assert not phone.evaluate("document.documentElement.classList.contains('large-text')")


def entry_page(phone):
    log_in(phone, "surveyor1")
    phone.goto("/surveys/")
    phone.locator("a.button", has_text="录入").first.click()
    phone.wait_for_url("**/surveys/communities/*/")


def fill_household(page, room):
    page.fill("#id_building", "1")
    page.fill("#id_unit", "2")
    page.fill("#id_room", room)
    for question in page.locator("fieldset.question").all():
        question.locator("input[type=radio]").first.check()


def test_entries_made_while_the_server_is_unreachable_arrive_once_it_is_back_exactly_once(phone, demo):
    from wenming.surveys.models import Response

    before = Response.objects.count()
    entry_page(phone)
    phone.context.set_offline(True)
    fill_household(phone, "1501")
    phone.get_by_role("button", name="提交本户问卷").click()
    expect(phone.locator("#unsent")).to_have_text("还有 1 份未上传，网络恢复后自动提交。")
    assert phone.input_value("#id_room") == ""  # ready for the next household
    fill_household(phone, "1502")
    phone.get_by_role("button", name="提交本户问卷").click()
    expect(phone.locator("#unsent")).to_have_text("还有 2 份未上传，网络恢复后自动提交。")
    phone.shot("two-unsent")
    assert Response.objects.count() == before
    phone.context.set_offline(False)
    expect(phone.locator("#unsent")).to_have_count(0)
    expect(phone.locator("#survey-queue")).to_contain_text("已补交：1-2-1501、1-2-1502")
    phone.shot("sent-when-back")
    assert Response.objects.count() == before + 2
    assert Response.objects.filter(household__in=["1-2-1501", "1-2-1502"]).count() == 2
    phone.reload()
    expect(phone.locator("#survey-queue")).to_be_hidden()


def test_an_entry_whose_answer_was_lost_is_sent_again_and_recorded_once(phone, demo):
    from wenming.surveys.models import Response

    entry_page(phone)
    lost = []

    def lose_the_answer(route):
        lost.append(route.fetch().status)  # the server has it; the phone never hears back
        route.abort()

    phone.route("**/queue/", lose_the_answer)
    fill_household(phone, "1601")
    phone.get_by_role("button", name="提交本户问卷").click()
    expect(phone.locator("#unsent")).to_have_text("还有 1 份未上传，网络恢复后自动提交。")
    assert lost == [201] and Response.objects.filter(household="1-2-1601").count() == 1
    phone.unroute("**/queue/")
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(phone.locator("#survey-queue")).to_contain_text("已补交：1-2-1601")
    assert Response.objects.filter(household="1-2-1601").count() == 1
    phone.shot("lost-answer-sent-again")


def test_a_residents_self_fill_made_offline_arrives_when_back(phone, demo):
    from wenming.surveys.models import Assignment, Response

    community = Assignment.objects.filter(campaign=demo).order_by("pk").first().community
    phone.goto(f"/surveys/c/{community.pk}/")
    verify(phone)
    phone.context.set_offline(True)
    fill_household(phone, "1801")
    phone.get_by_role("button", name="提交问卷").click()
    expect(phone.locator("#unsent")).to_have_text("还有 1 份未上传，网络恢复后自动提交。")
    expect(phone.locator("form.survey-form")).to_be_hidden()
    phone.shot("self-fill-kept")
    phone.context.set_offline(False)
    phone.wait_for_url("**/thanks/")
    assert "感谢参与" in phone.locator("main").inner_text()
    assert Response.objects.filter(community=community, household="1-2-1801", channel="self").count() == 1
