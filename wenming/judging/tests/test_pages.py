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
    assert bad.status_code == 400 and Sheet.objects.get(assignment=assignment).scores["environment.1"] == "7.0"
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


@time_machine.travel(SCORING, tick=False)
def test_one_bad_score_keeps_every_score_comment_and_photo_and_saves_nothing(client, campaign, assignment, experts,
                                                                            django_capture_on_commit_callbacks):
    from wenming.supervision.tests.test_views import jpeg

    client.force_login(experts[1].user)
    url = reverse("judging:sheet", args=[assignment.pk])
    items = services.rubric(campaign, "model_community")
    data = {"version": "0", **{f"s_{i['key']}": str(i["max"] - 1) for i in items},
            **{f"c_{i['key']}": f"说明{n}" for n, i in enumerate(items)}}
    bad_key = items[3]["key"]
    data[f"s_{bad_key}"] = "99"
    response = client.post(url, {**data, "p_environment.1": jpeg()})
    page = response.content.decode()
    assert response.status_code == 400
    assert "未保存" in page and f"须在 0 至 {items[3]['max']} 分之间" in page
    # the error at its item, every other value as typed
    assert f'id="e-{bad_key}"' in page and 'aria-invalid="true"' in page
    for n, i in enumerate(items):
        assert f'name="s_{i["key"]}" inputmode="decimal" data-answer value="{data["s_" + i["key"]]}"' in page
        assert f'value="说明{n}"' in page
    assert "已保留 1 张照片" in page  # the photo is kept, not chosen again
    sheet = Sheet.objects.get(assignment=assignment)
    assert sheet.version == 0 and sheet.scores == {} and sheet.comments == {} and not sheet.photos.exists()
    # the kept photo comes back with the corrected sheet and is saved once
    import re

    token = re.search(r'name="k_environment.1" value="([^"]+)"', page).group(1)
    assert client.get(reverse("core:kept_photo", args=[token])).status_code == 200
    data[f"s_{bad_key}"] = "1"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {**data, "k_environment.1": token}, follow=True)
    assert f"已保存（第 1 版），已评 {len(items)}/{len(items)} 项" in done.content.decode()
    sheet.refresh_from_db()
    assert sheet.version == 1 and sheet.scores[bad_key] == "1.0" and sheet.comments[items[0]["key"]] == "说明0"
    assert sheet.photos.count() == 1
    assert client.get(reverse("core:kept_photo", args=[token])).status_code == 404  # the pending copy is gone


@time_machine.travel(SCORING, tick=False)
def test_a_kept_photo_token_is_only_trusted_from_its_signer_and_owner(client, campaign, assignment, experts):
    from wenming.core import kept_uploads
    from wenming.supervision.tests.test_views import jpeg

    client.force_login(experts[1].user)
    url = reverse("judging:sheet", args=[assignment.pk])
    forged = kept_uploads.signing.dumps({"f": "pending/x.jpg", "o": "x"}, salt="another")
    page = client.post(url, {"version": "0", "s_environment.1": "1", "k_environment.1": forged}).content.decode()
    assert "已保留的照片已失效，请重新选择" in page
    # a real token, but another person's
    page = client.post(url, {"version": "0", "s_environment.1": "99", "p_environment.1": jpeg()}).content.decode()
    import re

    token = re.search(r'name="k_environment.1" value="([^"]+)"', page).group(1)
    client.force_login(experts[2].user)
    assert client.get(reverse("core:kept_photo", args=[token])).status_code == 404
    sheet = Sheet.objects.get(assignment=assignment)
    assert sheet.version == 0 and not sheet.photos.exists()


@time_machine.travel(SCORING, tick=False)
def test_save_and_submit_of_an_incomplete_sheet_names_what_is_missing_and_saves_nothing(client, campaign,
                                                                                       assignment, experts):
    client.force_login(experts[1].user)
    url = reverse("judging:sheet", args=[assignment.pk])
    items = services.rubric(campaign, "model_community")
    data = {"version": "0", **{f"s_{i['key']}": "1" for i in items[:-2]}, "then": "submit"}
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 400 and "还有 2 项未评分" in page
    assert items[-1]["name"] in page and items[-2]["name"] in page
    sheet = Sheet.objects.get(assignment=assignment)
    assert sheet.version == 0 and sheet.submitted_at is None
    data.update({f"s_{i['key']}": "1" for i in items})
    done = client.post(url, data)
    assert done.status_code == 302 and done.url == reverse("judging:home")
    sheet.refresh_from_db()
    assert sheet.submitted_at is not None and sheet.total == len(items)
