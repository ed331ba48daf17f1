"""Any frozen rule (weights, rubrics, survey formula, checklists…) changes only through the
two-person rule change with a public announcement; dates never move with it."""

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wenming.campaigns.models import Announcement, RuleChange, RuleSet
from wenming.campaigns.presets import PRESET_DIR
from wenming.campaigns.services import approve_rule_change, propose_preset, propose_voting_rules
from wenming.core.errors import Conflict
from wenming.core.models import AuditEntry
from wenming.core.roles import Role
from wenming.testing.factories import make_user

SEED = (PRESET_DIR / "lianyungang-2019.yaml").read_text(encoding="utf-8")
REWEIGHTED = SEED.replace("weights: {survey: 30, vote: 30, expert: 40}", "weights: {survey: 20, vote: 30, expert: 50}")
LATER_DATES = REWEIGHTED.replace("{key: results, name: 表彰, start: 2019-12-21, end: 2019-12-30}",
                                 "{key: results, name: 表彰, start: 2019-12-25, end: 2019-12-30}")
DURING_VOTING, BEFORE_ALL = "2019-11-28 10:00 +0800", "2019-09-10 10:00 +0800"


def weights(campaign):
    return campaign.awards.get(key="model_community").weights


@pytest.fixture
def second(db):
    return make_user("office2", role=Role.OFFICE)


def test_a_frozen_weight_change_waits_for_a_second_member_and_is_announced_without_moving_dates(campaign, office,
                                                                                                 second):
    assert LATER_DATES != REWEIGHTED  # the file also names other dates
    results_phase = campaign.phases.get(key="results")
    with time_machine.travel(DURING_VOTING, tick=False):
        change = propose_preset(LATER_DATES, campaign=campaign, reason="专家评审更能区分服务质量", actor=office)
        assert change.state == RuleChange.State.PENDING and change.changes == {"sections": ["awards"]}
        campaign.refresh_from_db()
        assert weights(campaign) == {"survey": 30, "vote": 30, "expert": 40} and campaign.rules_version == 1
        with pytest.raises(PermissionDenied, match="另一名"):
            approve_rule_change(change, actor=office)
        approve_rule_change(change, actor=second)
    campaign.refresh_from_db()
    assert weights(campaign) == {"survey": 20, "vote": 30, "expert": 50} and campaign.rules_version == 2
    assert campaign.rules["awards"][0]["weights"]["expert"] == 50
    assert campaign.phases.get(key="results").starts_at == results_phase.starts_at
    notice = Announcement.objects.get(title="活动规则调整公告")
    assert ("文明示范小区计分权重：千家万户访文明调查 30%、投票 30%、专家评选 40% → 千家万户访文明调查 20%、投票 30%、"
            "专家评选 50%") in notice.body
    assert "专家评审更能区分服务质量" in notice.body and "规则版本 2" in notice.body and notice.pinned
    verbs = list(AuditEntry.objects.filter(action__startswith="campaigns.").values_list("action", flat=True))
    assert {"campaigns.rule_change.proposed", "campaigns.preset.loaded", "campaigns.rule_change.approved"} <= set(verbs)
    with pytest.raises(Conflict):
        approve_rule_change(change, actor=second)


def test_before_anything_is_frozen_a_new_file_applies_at_once_without_a_notice(campaign, office):
    with time_machine.travel(BEFORE_ALL, tick=False):
        change = propose_preset(REWEIGHTED, campaign=campaign, reason="调整权重", actor=office)
    campaign.refresh_from_db()
    assert change.state == RuleChange.State.APPLIED and weights(campaign)["expert"] == 50
    assert not Announcement.objects.exists()


def test_a_proposal_made_stale_by_another_change_cannot_be_approved(campaign, office, second):
    with time_machine.travel(DURING_VOTING, tick=False):
        change = propose_preset(REWEIGHTED, campaign=campaign, reason="调整权重", actor=office)
        voting = propose_voting_rules(campaign, {"counts_visibility": "hidden"}, reason="避免拉票", actor=second)
        approve_rule_change(voting, actor=office)
        with pytest.raises(Conflict, match="重新提出"):
            approve_rule_change(change, actor=second)
    campaign.refresh_from_db()
    # the file would have put the voting visibility back: it did not
    assert campaign.rules["voting"]["counts_visibility"] == "hidden" and weights(campaign)["expert"] == 40


@pytest.mark.parametrize(("text", "reason", "message"), [
    (SEED, "无变化", "与当前规则相同"),
    (REWEIGHTED.replace("preset: lianyungang-2019", "preset: nanjing-2030"), "换方案", "不是当前活动的方案"),
    ("campaign: [", "格式", "方案文件格式错误"),
    (REWEIGHTED, "  ", "请填写调整原因"),
])
def test_refused_proposals_say_why_and_write_nothing(campaign, office, text, reason, message):
    with time_machine.travel(DURING_VOTING, tick=False), pytest.raises(ValidationError) as refused:
        propose_preset(text, campaign=campaign, reason=reason, actor=office)
    assert any(message in m for m in refused.value.messages)
    assert not RuleChange.objects.exists() and RuleSet.objects.count() == 1


def test_only_the_office_proposes(campaign, haizhou_officer):
    with pytest.raises(PermissionDenied):
        propose_preset(REWEIGHTED, campaign=campaign, reason="调整", actor=haizhou_officer)


def upload(text, name="lyg.yaml"):
    return SimpleUploadedFile(name, text.encode(), content_type="application/x-yaml")


def test_the_page_uploads_a_file_and_a_second_member_approves_it(client, campaign, office, second, haizhou_officer):
    url = reverse("campaigns:rules_propose")
    client.force_login(haizhou_officer)
    assert client.post(url, {"file": upload(REWEIGHTED), "reason": "调整"}).status_code == 403
    client.force_login(office)
    assert client.get(url).status_code == 405
    with time_machine.travel(DURING_VOTING, tick=False):
        page = client.get(reverse("campaigns:voting_rules")).text
        assert "奖项（权重、申报条件、荣誉）：自申报推荐阶段开始已冻结" in page
        bad = client.post(url, {"file": upload("campaign: ["), "reason": "专家意见"})
        assert bad.status_code == 400 and "方案文件格式错误" in bad.text and "专家意见" in bad.text
        binary = client.post(url, {"file": SimpleUploadedFile("x.yaml", b"\xff\xfe\x00"), "reason": "专家意见"})
        assert binary.status_code == 400 and "UTF-8" in binary.text
        assert not RuleChange.objects.exists()
        response = client.post(url, {"file": upload(REWEIGHTED), "reason": "专家意见"}, follow=True)
        assert "待另一名成员批准后生效并公告" in response.text
        assert "新方案文件，涉及已冻结的奖项（权重、申报条件、荣誉）" in response.text
        change = RuleChange.objects.get()
        assert "批准</button>" not in response.text.split("调整记录")[1]  # not by the one who proposed it
        client.force_login(second)
        approved = client.post(reverse("campaigns:voting_rules_approve", args=[change.pk]), follow=True)
    assert "已批准，新规则生效并已发布公告" in approved.text
    assert weights(campaign)["expert"] == 50
