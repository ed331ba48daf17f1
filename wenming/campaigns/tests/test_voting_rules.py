import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from wenming.campaigns.models import Announcement, RuleChange
from wenming.campaigns.presets import PRESET_DIR, PresetError
from wenming.campaigns.services import approve_rule_change, load_preset, propose_voting_rules
from wenming.core.roles import Role
from wenming.testing.factories import make_user

BEFORE, DURING = "2019-11-20 10:00 +0800", "2019-11-28 10:00 +0800"


def test_before_voting_opens_a_change_applies_at_once(campaign, office):
    with time_machine.travel(BEFORE, tick=False):
        change = propose_voting_rules(campaign, {"per_voter_per_award_per_day": 3}, reason="控制刷票", actor=office)
    campaign.refresh_from_db()
    assert change.state == RuleChange.State.APPLIED and campaign.rules["voting"]["per_voter_per_award_per_day"] == 3
    assert campaign.rules_version == 2 and not Announcement.objects.filter(title="投票规则调整公告").exists()


def test_after_opening_a_change_waits_for_a_second_approver_and_is_announced(campaign, office):
    second = make_user("office2", role=Role.OFFICE)
    with time_machine.travel(DURING, tick=False):
        change = propose_voting_rules(campaign, {"counts_visibility": "hidden"}, reason="避免拉票", actor=office)
        campaign.refresh_from_db()
        assert change.state == RuleChange.State.PENDING and campaign.rules["voting"]["counts_visibility"] == "live"
        with pytest.raises(PermissionDenied, match="另一名"):
            approve_rule_change(change, actor=office)
        approve_rule_change(change, actor=second)
    campaign.refresh_from_db()
    assert campaign.rules["voting"]["counts_visibility"] == "hidden"
    notice = Announcement.objects.get(title="投票规则调整公告")
    assert "票数公开方式：实时公开 → 投票结束前不公开" in notice.body and "避免拉票" in notice.body


def test_invalid_values_and_missing_reasons_are_refused(campaign, office):
    with pytest.raises(ValidationError):
        propose_voting_rules(campaign, {"per_voter_per_award_per_day": 0}, reason="x", actor=office)
    with pytest.raises(ValidationError):
        propose_voting_rules(campaign, {"per_voter_per_award_per_day": 3}, reason=" ", actor=office)
    assert not RuleChange.objects.exists()


def test_a_preset_reload_cannot_change_voting_rules_once_voting_opened(campaign, tmp_path):
    text = (PRESET_DIR / "lianyungang-2019.yaml").read_text(encoding="utf-8")
    changed = tmp_path / "lyg.yaml"
    changed.write_text(text.replace("per_voter_per_award_per_day: 5", "per_voter_per_award_per_day: 9"))
    with time_machine.travel(DURING, tick=False), pytest.raises(PresetError, match="投票规则已于投票评选阶段开始时冻结"):
        load_preset(str(changed))
    campaign.refresh_from_db()
    assert campaign.rules["voting"]["per_voter_per_award_per_day"] == 5


def test_the_page(client, campaign, office, haizhou_officer):
    client.force_login(haizhou_officer)
    assert client.get(reverse("campaigns:voting_rules")).status_code == 403
    client.force_login(office)
    with time_machine.travel(DURING, tick=False):
        assert "规则已冻结" in client.get(reverse("campaigns:voting_rules")).text
        response = client.post(reverse("campaigns:voting_rules"), {
            "per_voter_per_award_per_day": 4, "per_candidate_per_voter_per_day": 1, "counts_visibility": "live",
            "reason": "减少每日票数"})
    assert response.status_code == 302 and RuleChange.objects.get().state == "pending"
    change = RuleChange.objects.get()
    assert client.get(reverse("campaigns:voting_rules_approve", args=[change.pk])).status_code == 405


def test_the_rules_page_names_the_visibility_and_each_change_in_chinese(client, campaign, office):
    with time_machine.travel(DURING, tick=False):
        propose_voting_rules(campaign, {"counts_visibility": "hidden"}, reason="避免拉票", actor=office)
        client.force_login(office)
        text = client.get(reverse("campaigns:voting_rules")).text
    assert "票数公开方式：实时公开" in text and "票数公开方式改为投票结束前不公开" in text
    assert "hidden" not in text.split("调整记录")[1] and "{" not in text.split("调整记录")[1]


def test_the_settings_page_shows_phase_states_and_the_zone_in_words(client, campaign, office):
    with time_machine.travel(DURING, tick=False):
        client.force_login(office)
        text = client.get(reverse("campaigns:settings")).text
    assert "北京时间" in text and "进行中" in text and "已结束" in text and "未开始" in text
    assert "Asia/Shanghai" not in text and "upcoming" not in text
