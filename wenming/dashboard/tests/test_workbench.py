
import pytest
from django.urls import reverse

from wenming.core.demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORD


@pytest.fixture
def demo(db, demo_day):
    from wenming.demo import build_demo

    return build_demo(phase="voting", today=demo_day, with_awards=False)


EXPECTED = {
    "office": ["评选工作办公室", "申报初审", "住宅小区"],
    "haizhou": ["区住（规）建局 · 海州区", "小区申报材料审核汇总"],
    "lianyun": ["区住（规）建局 · 连云区"],
    "company1": ["物业服务企业 · 连云港", "评选申报"],
    "company2": ["物业服务企业 · 连云港"],
    "expert1": ["评审专家", "专家评分"],
    "surveyor1": ["创文办调查员", "千家万户访文明入户调查"],
}


@pytest.mark.parametrize("username", [u for u, _ in DEMO_ACCOUNTS])
def test_each_demo_account_logs_in_and_sees_its_own_workbench(client, demo, username):
    response = client.post(reverse("core:login"), {"username": username, "password": DEMO_PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("dashboard:workbench")
    for text in EXPECTED.get(username, ["工作台"]):
        assert text in response.text


def test_a_district_workbench_counts_only_its_district(client, demo):
    from wenming.core.models import User
    from wenming.registry.models import Community

    haizhou = User.objects.get(username="haizhou")
    client.force_login(haizhou)
    text = client.get(reverse("dashboard:workbench")).text
    count = Community.objects.filter(district=haizhou.district).count()
    assert f"<b>{count}</b>住宅小区" in text
    assert count < Community.objects.count()


def test_the_demo_is_idempotent_and_puts_today_in_the_phase(db):
    from django.db.models import Count

    from wenming.awards.models import Application, Showcase
    from wenming.campaigns import clock
    from wenming.demo import build_demo
    from wenming.registry.models import Company

    build_demo(phase="voting")
    campaign = build_demo(phase="apply")
    assert clock.current_phase(campaign).key == "apply"
    assert Company.objects.count() == 20
    # Every award has at least 10 published candidates, and applications wait at every step.
    published = Showcase.objects.filter(published_at__isnull=False).values("application__award__key").annotate(
        n=Count("id"))
    assert {row["application__award__key"]: row["n"] >= 10 for row in published} == {
        "model_community": True, "model_worker": True, "model_manager": True}
    statuses = set(Application.objects.values_list("status", flat=True))
    assert {"draft", "district_review", "office_review", "returned", "rejected", "candidate", "merged"} <= statuses


def test_demo_credit_codes_are_valid(demo):
    from wenming.core.validators import validate_credit_code
    from wenming.registry.models import Company

    for code in Company.objects.values_list("credit_code", flat=True):
        validate_credit_code(code)


def test_the_workbench_needs_login(client, db):
    response = client.get(reverse("dashboard:workbench"))
    assert response.status_code == 302 and reverse("core:login") in response.url
    assert client.post(reverse("dashboard:workbench")).status_code == 405


def test_reviewers_see_what_waits_for_them(client, db, django_capture_on_commit_callbacks):
    import time_machine

    from wenming.awards import services
    from wenming.awards.tests.conftest import APPLY_DAY, fill_community
    from wenming.campaigns.services import load_preset
    from wenming.core.roles import Role
    from wenming.testing import factories as f

    campaign, _ = load_preset("lianyungang-2019")
    world = f.make_world()
    company = f.make_user("c", role=Role.COMPANY, company=world.company_a)
    officer = f.make_user("h", role=Role.DISTRICT, district=world.haizhou)
    award = campaign.awards.get(key="model_community")
    with time_machine.travel(APPLY_DAY, tick=False):
        application = services.start_application(campaign, award, actor=company, channel="company",
                                                 community=world.community_a)
        fill_community(application, company)
        with django_capture_on_commit_callbacks(execute=True):
            services.submit(application, actor=company)
        client.force_login(officer)
        text = client.get(reverse("dashboard:workbench")).text
    assert "审核小区申报" in text and "1 份申报等待您处理" in text
    assert "“文明示范小区：海州花园”待您出具意见" in text  # the notification


def test_the_demo_outbox_shows_sms_notifications(client, db, demo_day, settings, django_capture_on_commit_callbacks):
    from wenming.demo import build_demo

    settings.DEMO_MODE = True
    with django_capture_on_commit_callbacks(execute=True):
        build_demo(phase="voting", today=demo_day, with_awards=False)
    page = client.get(reverse("core:demo_outbox")).text
    assert "138****1001" in page and "【收到整改通知】" in page
    assert "13800001001" not in page
