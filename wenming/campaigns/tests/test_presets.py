import pytest
from django.core.management import CommandError, call_command

from wenming.campaigns.models import Campaign, RuleSet
from wenming.campaigns.presets import PRESET_DIR, PresetError, parse_preset
from wenming.campaigns.services import load_preset
from wenming.core.models import AuditEntry

SEED = (PRESET_DIR / "lianyungang-2019.yaml").read_text(encoding="utf-8")


def refused(text):
    with pytest.raises(PresetError) as exc:
        parse_preset(text, source="bad.yaml")
    return exc.value.problems


def test_the_seed_preset_is_valid_and_carries_the_seed_rules():
    preset = parse_preset(SEED)
    awards = {a.key: a for a in preset.awards}
    assert awards["model_community"].weights == {"survey": 30, "vote": 30, "expert": 40}
    assert awards["model_worker"].weights == {"vote": 40, "expert": 60}
    assert awards["model_manager"].eligibility["min_years_in_trade"] == 3
    assert awards["model_community"].eligibility["min_occupancy_percent"] == 60
    assert [p.key for p in preset.phases] == ["publicity", "apply", "review", "voting", "expert", "results"]
    assert {d.key: str(d.last_day) for d in preset.deadlines} == {"community_paper": "2019-10-10",
                                                                 "apply_close": "2019-10-15"}
    assert preset.survey.coverage_target_percent == 60
    assert preset.credit.base == 90


def test_a_weight_sum_other_than_100_is_refused_with_the_sum():
    problems = refused(SEED.replace("weights: {vote: 40, expert: 60}", "weights: {vote: 40, expert: 50}", 1))
    assert problems == ["awards[1].weights：权重之和必须为 100%，当前为 90%"]


def test_an_unknown_phase_key_is_refused_with_the_allowed_keys():
    problems = refused(SEED.replace("{key: voting,", "{key: vote,"))
    assert problems[0].startswith("phases[3].key：未知的阶段“vote”，阶段只能是：publicity、apply")


def test_a_reference_to_a_missing_phase_or_deadline_is_refused():
    problems = refused(SEED.replace("closes: deadline.apply_close}", "closes: deadline.apply_end}", 1))
    assert problems == ["actions.apply：引用了不存在的截止时间“apply_end”"]


def test_unknown_keys_and_bad_dates_are_named():
    assert refused(SEED.replace("  theme:", "  motto:")) == ["campaign.motto：未知的键"]
    assert refused(SEED.replace("start: 2019-11-26", "start: 2019-02-30"))[0].startswith("方案文件中有无效的值")
    assert refused("just text") == ["文件内容应为键值映射"]


def test_a_rubric_not_totalling_100_is_refused():
    problems = refused(SEED.replace("{name: 卫生, max: 8}", "{name: 卫生, max: 9}"))
    assert problems == ["rubrics.model_community：评分标准总分必须为 100 分，当前为 101 分"]


def test_virtual_operator_prefixes_must_be_digits():
    bad = SEED.replace('virtual_prefixes: ["162", "165", "167", "170", "171"]', 'virtual_prefixes: ["162", "17%", "1,7"]')
    assert refused(bad) == ["voting.risk.virtual_prefixes：号段只能由 1–4 位数字组成：17%、1,7"]


def test_loading_stores_half_open_windows_in_shanghai_time(db):
    campaign, changed = load_preset("lianyungang-2019")
    assert changed
    voting = campaign.phases.get(key="voting")
    assert voting.starts_at.isoformat() == "2019-11-25T16:00:00+00:00"  # 11-26 00:00 +08:00
    assert voting.ends_at.isoformat() == "2019-12-05T16:00:00+00:00"  # 12-06 00:00 +08:00
    assert campaign.districts.count() == 7
    assert AuditEntry.objects.filter(action="campaigns.preset.loaded").count() == 1


def test_loading_the_same_file_again_changes_nothing(db):
    load_preset("lianyungang-2019")
    campaign, changed = load_preset("lianyungang-2019")
    assert not changed and campaign.rules_version == 1 and RuleSet.objects.count() == 1


def test_a_changed_file_becomes_a_new_rule_version(db, tmp_path):
    import time_machine

    load_preset("lianyungang-2019")
    changed_file = tmp_path / "lyg.yaml"
    changed_file.write_text(SEED.replace("per_voter_per_award_per_day: 5", "per_voter_per_award_per_day: 3"))
    with time_machine.travel("2019-11-01 10:00 +0800", tick=False):  # before voting opens (then rules freeze)
        campaign, changed = load_preset(str(changed_file))
    assert changed and campaign.rules_version == 2
    assert campaign.rules["voting"]["per_voter_per_award_per_day"] == 3
    assert Campaign.objects.count() == 1


def test_the_command_refuses_a_bad_preset_and_writes_nothing(db, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SEED.replace("weights: {survey: 30, vote: 30, expert: 40}", "weights: {survey: 30, vote: 30}"))
    with pytest.raises(CommandError, match="权重之和必须为 100%，当前为 60%"):
        call_command("campaign", "load", str(bad))
    assert not Campaign.objects.exists()


def test_the_command_names_available_presets(db):
    with pytest.raises(CommandError, match="可用的预设：lianyungang-2019"):
        call_command("campaign", "load", "nanjing-2030")


def test_a_reload_during_voting_with_other_weights_changes_nothing_and_says_why(db, tmp_path):
    import time_machine

    campaign, _ = load_preset("lianyungang-2019")
    changed = tmp_path / "lyg.yaml"
    changed.write_text(SEED.replace("weights: {survey: 30, vote: 30, expert: 40}",
                                    "weights: {survey: 10, vote: 10, expert: 80}"), encoding="utf-8")
    with time_machine.travel("2019-11-28 10:00 +0800", tick=False), pytest.raises(PresetError) as refused:
        load_preset(str(changed))
    assert refused.value.problems == ["奖项（权重、申报条件、荣誉）已于申报推荐阶段开始时冻结，"
                                      "调整须经两名评选工作办公室成员审批并公告（活动设置 → 规则调整）"]
    assert campaign.awards.get(key="model_community").weights == {"survey": 30, "vote": 30, "expert": 40}
    assert RuleSet.objects.count() == 1
    # Before applications open, the same change is a new rule version.
    with time_machine.travel("2019-09-10 10:00 +0800", tick=False):
        campaign, loaded = load_preset(str(changed))
    assert loaded and campaign.awards.get(key="model_community").weights["expert"] == 80


def test_a_reload_never_moves_dates_or_extensions(db, tmp_path):
    import datetime

    import time_machine

    from wenming.campaigns.services import date_differences, extend_window
    from wenming.core.roles import Role
    from wenming.testing.factories import make_user

    campaign, _ = load_preset("lianyungang-2019")
    office = make_user("office", role=Role.OFFICE)
    with time_machine.travel("2019-10-01 10:00 +0800", tick=False):
        extend_window(campaign, "deadline:apply_close", datetime.datetime(2019, 10, 21, tzinfo=campaign.tz),
                      actor=office, reason="国庆顺延")
    extended = campaign.deadlines.get(key="apply_close").at
    moved = tmp_path / "lyg.yaml"
    moved.write_text(SEED.replace("{key: results, name: 表彰, start: 2019-12-21, end: 2019-12-30}",
                                  "{key: results, name: 表彰, start: 2019-12-22, end: 2019-12-30}"), encoding="utf-8")
    preset = parse_preset(moved.read_text(encoding="utf-8"))
    assert any(line.startswith("表彰：文件为 2019-12-22 至 2019-12-30") for line in date_differences(preset, campaign))
    assert any(line.startswith("申报推荐截止：文件为 2019-10-15") for line in date_differences(preset, campaign))
    with time_machine.travel("2019-09-01 10:00 +0800", tick=False):  # before anything freezes
        call_command("campaign", "load", str(moved))
    assert campaign.deadlines.get(key="apply_close").at == extended
    assert campaign.phases.get(key="results").starts_at.isoformat() == "2019-12-20T16:00:00+00:00"  # 12-21 kept
