import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from wenming.awards import services
from wenming.awards.models import Application, Channel, Showcase, Status
from wenming.awards.tests.conftest import REVIEW_DAY, fill_community, jpeg
from wenming.core.errors import Conflict
from wenming.core.models import AuditEntry, Notification


def test_the_full_chain_company_to_district_to_office(community_application, company_a, haizhou_officer,
                                                      lianyun_officer, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(community_application, actor=company_a)
    assert Notification.objects.filter(user=haizhou_officer).exists()
    assert not Notification.objects.filter(user=lianyun_officer).exists()
    services.give_opinion(community_application, "district", "approve", "经审核，同意上报。", actor=haizhou_officer,
                          seal_scan=jpeg("seal.jpg"))
    community_application.refresh_from_db()
    assert community_application.status == Status.OFFICE_REVIEW
    assert community_application.opinions.get().seal_scan.kind == "seal_scan"
    with time_machine.travel(REVIEW_DAY, tick=False):
        services.give_opinion(community_application, "office", "confirm", "确认为候选小区。", actor=office)
    community_application.refresh_from_db()
    assert community_application.status == Status.CANDIDATE
    assert Showcase.objects.get(application=community_application).published_at is None
    actions = list(AuditEntry.objects.filter(target_id=str(community_application.pk),
                                             target_type="awards.application").values_list("action", flat=True))
    for action in ("awards.application.started", "awards.application.submitted", "awards.application.approved",
                   "awards.application.confirmed"):
        assert action in actions


def test_a_return_for_correction_round_trip(community_application, company_a, haizhou_officer,
                                            django_capture_on_commit_callbacks):
    services.submit(community_application, actor=company_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.give_opinion(community_application, "district", "return", "请补充业委会意见。", actor=haizhou_officer)
    community_application.refresh_from_db()
    assert community_application.status == Status.RETURNED and community_application.last_reason == "请补充业委会意见。"
    assert Notification.objects.filter(user=company_a, message__contains="退回修改").exists()
    community_application.basic_info += "业委会同意申报。"
    community_application.save()
    services.submit(community_application, actor=company_a)
    community_application.refresh_from_db()
    assert community_application.status == Status.DISTRICT_REVIEW  # back to the stage that returned it
    assert AuditEntry.objects.filter(action="awards.application.resubmitted").exists()


def test_a_company_cannot_act_as_the_district(community_application, company_a):
    services.submit(community_application, actor=company_a)
    with pytest.raises(PermissionDenied, match="只有区物业管理主管部门"):
        services.give_opinion(community_application, "district", "approve", "同意", actor=company_a,
                              seal_scan=jpeg())
    community_application.refresh_from_db()
    assert community_application.status == Status.DISTRICT_REVIEW


def test_another_districts_officer_cannot_review(community_application, company_a, lianyun_officer):
    services.submit(community_application, actor=company_a)
    with pytest.raises(PermissionDenied, match="只能审核本区"):
        services.give_opinion(community_application, "district", "return", "x", actor=lianyun_officer)


def test_acting_on_a_stage_the_application_has_left_is_409(community_application, company_a, haizhou_officer,
                                                           office):
    services.submit(community_application, actor=company_a)
    with pytest.raises(Conflict):
        services.give_opinion(community_application, "office", "confirm", "确认", actor=office)
    services.give_opinion(community_application, "district", "approve", "同意", actor=haizhou_officer,
                          seal_scan=jpeg())
    with pytest.raises(Conflict):  # a second tab still showing the district step
        services.give_opinion(community_application, "district", "approve", "同意", actor=haizhou_officer,
                              seal_scan=jpeg())


def test_the_district_approval_needs_the_sealed_page(community_application, company_a, haizhou_officer):
    services.submit(community_application, actor=company_a)
    with pytest.raises(ValidationError, match="盖章"):
        services.give_opinion(community_application, "district", "approve", "同意", actor=haizhou_officer)
    community_application.refresh_from_db()
    assert community_application.status == Status.DISTRICT_REVIEW and not community_application.opinions.exists()


def test_an_incomplete_application_names_what_is_missing(world, company_a, community_award, apply_time):
    application = services.start_application(community_award.campaign, community_award, actor=company_a,
                                             channel="company", community=world.community_a)
    with pytest.raises(ValidationError) as exc:
        services.submit(application, actor=company_a)
    message = exc.value.messages[0]
    assert "管理服务情况（至少 100 字" in message and "小区主大门及小区内环境照片各一张（或视频资料）" in message
    assert "基本信息" in message and "申报单位意见" in message


def test_a_submitted_application_cannot_be_edited(community_application, company_a):
    from wenming.awards.forms import application_form_class

    services.submit(community_application, actor=company_a)
    form = application_form_class(community_application)({"full_name": "改名"}, instance=community_application)
    assert form.is_valid()
    with pytest.raises(Conflict):
        services.save_draft(form, actor=company_a)
    community_application.refresh_from_db()
    assert community_application.full_name == "海州花园"


def test_the_same_community_arriving_twice_is_merged_not_duplicated(community_application, office, community_award):
    community = community_application.community
    again = services.start_application(community_award.campaign, community_award, actor=office,
                                       channel=Channel.OWNERS_COMMITTEE, community=community,
                                       applicant_name="海州花园业主委员会", entered_by_office=True,
                                       intake_note="纸质申报表（9月20日收）")
    assert again == community_application
    merged = Application.objects.get(status=Status.MERGED)
    assert merged.merged_into == community_application and merged.channel == Channel.OWNERS_COMMITTEE
    assert Application.objects.exclude(status=Status.MERGED).filter(community=community).count() == 1
    assert AuditEntry.objects.filter(action="awards.application.merged", actor=office).exists()


def test_the_same_company_applying_twice_is_a_conflict(community_application, company_a, community_award):
    with pytest.raises(Conflict, match="已有本企业的申报"):
        services.start_application(community_award.campaign, community_award, actor=company_a, channel="company",
                                   community=community_application.community)


def test_the_office_enters_a_paper_submission_and_it_goes_to_the_company_first(
        world, office, company_a, community_award, apply_time):
    application = services.start_application(
        community_award.campaign, community_award, actor=office, channel=Channel.RESIDENTS_COMMITTEE,
        community=world.community_a, applicant_name="示例社区居委会", entered_by_office=True, intake_note="邮件推荐")
    assert application.entered_by_office and application.intake_note == "邮件推荐"
    fill_community(application, office)
    application.applicant_opinion = ""
    application.save()
    services.submit(application, actor=office)
    application.refresh_from_db()
    assert application.status == Status.COMPANY_REVIEW
    services.give_opinion(application, "company", "approve", "同意申报", actor=company_a)
    application.refresh_from_db()
    assert application.status == Status.DISTRICT_REVIEW


def test_office_entry_needs_a_source_note(world, office, community_award, apply_time):
    with pytest.raises(ValidationError, match="注明来源"):
        services.start_application(community_award.campaign, community_award, actor=office,
                                   channel=Channel.OWNERS_COMMITTEE, community=world.community_a,
                                   entered_by_office=True)


def test_a_company_cannot_apply_for_another_companys_community(world, company_a, community_award, apply_time):
    with pytest.raises(PermissionDenied):
        services.start_application(community_award.campaign, community_award, actor=company_a, channel="company",
                                   community=world.community_b)
    assert not Application.objects.exists()


def test_the_office_rejects_with_a_reason(community_application, company_a, haizhou_officer, office):
    services.submit(community_application, actor=company_a)
    services.give_opinion(community_application, "district", "approve", "同意", actor=haizhou_officer,
                          seal_scan=jpeg())
    with time_machine.travel(REVIEW_DAY, tick=False):
        services.give_opinion(community_application, "office", "reject", "材料与实际情况不符。", actor=office)
    community_application.refresh_from_db()
    assert community_application.status == Status.REJECTED
    assert AuditEntry.objects.get(action="awards.application.rejected").reason == "材料与实际情况不符。"


def test_the_districts_to_do_leaves_its_workbench_once_its_opinion_is_given(
        client, community_application, company_a, haizhou_officer, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(community_application, actor=company_a)
    client.force_login(haizhou_officer)
    page = client.get("/workbench/").text
    assert f"“{community_application}”待您出具意见" in page and '<span class="badge">1</span>' in page
    with django_capture_on_commit_callbacks(execute=True):
        services.give_opinion(community_application, "district", "approve", "经审核，同意上报。",
                              actor=haizhou_officer, seal_scan=jpeg("seal.jpg"))
    page = client.get("/workbench/").text
    assert "待您出具意见" not in page and '<span class="badge">' not in page
    assert "待您出具意见" in client.get("/notifications/").text  # still in the inbox, read
    assert Notification.objects.get(user=haizhou_officer).read_at is not None
    # The office is the next to act: its own to-do is there, and clears with its decision.
    assert Notification.objects.filter(user=office, read_at__isnull=True, kind="application_review").count() == 1
    with time_machine.travel(REVIEW_DAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        services.give_opinion(community_application, "office", "return", "请补充照片。", actor=office)
    assert not Notification.objects.filter(user=office, read_at__isnull=True).exists()
    returned = Notification.objects.get(user=company_a, kind="application_returned")
    assert returned.message.endswith("被退回修改：请补充照片。") and returned.read_at is None


def test_a_withdrawn_application_leaves_no_to_do(community_application, company_a, haizhou_officer,
                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(community_application, actor=company_a)
        services.withdraw(community_application, actor=company_a)
    assert not Notification.objects.filter(user=haizhou_officer, read_at__isnull=True).exists()
