import pytest
import time_machine
from django.urls import reverse

from wenming.judging import services
from wenming.judging.models import Assignment, Sheet

pytestmark = pytest.mark.django_db
SCORING = "2019-12-10 10:00 +0800"


@pytest.fixture
def assignment(campaign, candidate, experts, office):
    return services.assign(campaign, office, experts[1], candidate)


@time_machine.travel(SCORING, tick=False)
def test_an_expert_scores_on_the_page_and_submits(client, campaign, assignment, experts):
    client.force_login(experts[1].user)
    url = reverse("judging:sheet", args=[assignment.pk])
    page = client.get(url).text
    assert "卫生（满分 8）" in page and "督查与信用记录" in page
    items = services.rubric(campaign, "model_community")
    data = {"version": "0", **{f"s_{i['key']}": str(i["max"] - 1) for i in items}, "c_environment.1": "草坪有烟头"}
    from wenming.supervision.tests.test_views import jpeg

    assert client.post(url, {**data, "p_environment.1": jpeg()}).status_code == 302
    sheet = Sheet.objects.get(assignment=assignment)
    assert sheet.version == 1 and sheet.comments == {"environment.1": "草坪有烟头"}
    assert list(sheet.photos.values_list("item", flat=True)) == ["environment.1"]
    stale = client.post(url, {**data, "s_environment.1": "1"})
    assert stale.status_code == 409 and "当前版本 1" in stale.text
    bad = client.post(url, {"version": "1", "s_environment.1": "9"})
    assert bad.status_code == 302 and Sheet.objects.get(assignment=assignment).scores["environment.1"] == "7.0"
    assert client.post(reverse("judging:submit", args=[assignment.pk])).status_code == 302
    assert Sheet.objects.get(assignment=assignment).total == 80


def test_outsiders_roles_and_methods(client, assignment, experts, company_a, office, candidate):
    client.force_login(experts[2].user)
    assert client.get(reverse("judging:sheet", args=[assignment.pk])).status_code == 404
    assert client.post(reverse("judging:submit", args=[assignment.pk])).status_code == 404
    assert client.post(reverse("judging:assign"), {"expert": experts[2].pk, "candidate": candidate.pk}
                       ).status_code == 403
    client.force_login(company_a)
    assert client.get(reverse("judging:home")).status_code == 403
    client.force_login(office)
    assert client.get(reverse("judging:assign")).status_code == 405
    assert client.get(reverse("judging:home")).status_code == 302


def test_the_office_sees_conflicts_and_cannot_assign_them(client, campaign, world, candidate, experts, office):
    client.force_login(office)
    client.post(reverse("judging:profile"), {"expert": experts[0].pk, "employer": world.company_a.pk,
                                             "employer_name": "", "related": ""})
    page = client.get(reverse("judging:office")).text
    assert "任职于候选所属企业" in page
    response = client.post(reverse("judging:assign"), {"expert": experts[0].pk, "candidate": candidate.pk})
    assert response.status_code == 302 and Assignment.objects.count() == 0
    client.post(reverse("judging:auto_assign"), {"award": candidate.application.award_id})
    assert Assignment.objects.filter(candidate=candidate).count() == 5
    assert not Assignment.objects.filter(expert=experts[0]).exists()


def test_a_save_outside_the_scoring_window_is_refused_in_chinese_not_a_500(client, campaign, candidate, experts,
                                                                           office):
    with time_machine.travel(SCORING, tick=False):
        assignment = services.assign(campaign, office, experts[1], candidate)
    client.force_login(experts[1].user)
    url = reverse("judging:sheet", args=[assignment.pk])
    items = services.rubric(campaign, "model_community")
    with time_machine.travel("2019-12-01 10:00 +0800", tick=False):
        response = client.post(url, {"version": "0", **{f"s_{i['key']}": "1" for i in items}})
    assert response.status_code == 409 and "当前不在此时间内" in response.text
    assert not Sheet.objects.filter(assignment=assignment, version__gt=0).exists()
