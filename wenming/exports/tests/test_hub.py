"""The export hub: each role's lists open in openpyxl with the caption, numbers as numbers and
phones masked; large lists go through the worker with progress; a job's file is its owner's."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from wenming.core.models import AuditEntry, Job, Resident
from wenming.core.roles import Role
from wenming.credit.models import CreditRecord
from wenming.exports.registry import BY_KEY, available
from wenming.testing.workbooks import open_export
from wenming.voting.models import Lottery, LotteryEntrant, Voter

NOW = "2019-11-26 10:00 +0800"


@pytest.fixture
def records(world, campaign):
    at = datetime.datetime(2019, 11, 1, tzinfo=datetime.UTC)
    for company, points in ((world.company_a, -5), (world.company_b, 3)):
        CreditRecord.objects.create(company=company, code="inspection.failed", name="=督查不合格", points=points,
                                    source="manual", source_key=f"k{company.pk}", valid_from=at,
                                    valid_until=at + datetime.timedelta(days=365), evidence="电话 13912345678")


@pytest.fixture
def winner(campaign):
    resident = Resident.objects.create(phone="13912345678", consent_version="2019.1",
                                       consented_at=datetime.datetime(2019, 11, 1, tzinfo=datetime.UTC))
    lottery = Lottery.objects.create(campaign=campaign, name="投票抽奖", prize="纪念品", winners_count=1,
                                     drawn_at=datetime.datetime(2019, 12, 1, 2, tzinfo=datetime.UTC))
    return LotteryEntrant.objects.create(lottery=lottery, voter=Voter.objects.create(resident=resident),
                                         pseudonym="A001", rank=1)


def take(client, key, capture):
    """The file of one export, through the worker when the hub sends it there."""
    with capture(execute=True):
        response = client.post(reverse("exports:take", args=[key]))
    if response.status_code == 302:
        job = Job.objects.filter(kind=f"exports.{key}").latest("pk")
        assert job.status == Job.Status.SUCCEEDED and response.url == reverse("exports:job", args=[job.pk])
        response = client.get(reverse("exports:download", args=[job.pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("persona, scope", [("office", "全市"), ("haizhou_officer", "海州区"),
                                            ("company_a", "海州甲物业服务有限公司"), ("expert", None)])
def test_every_list_a_role_may_take_opens_with_caption_and_no_full_phone(
        client, request, campaign, records, winner, persona, scope, django_capture_on_commit_callbacks):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("exports:hub")).text
        for entry in available(user):
            assert entry.label in page
            sheets = open_export(take(client, entry.key, django_capture_on_commit_callbacks), campaign=campaign,
                                 scope=scope)
            assert all(rows and rows[0] for rows in sheets.values()), entry.key
    assert AuditEntry.objects.filter(actor=user, action__in=["exports.taken", "exports.started"]).count() == len(
        available(user))


def test_credit_history_has_numbers_and_dates_and_is_formula_safe(client, campaign, records, haizhou_officer,
                                                                  django_capture_on_commit_callbacks):
    client.force_login(haizhou_officer)
    rows = open_export(take(client, "credit_history", django_capture_on_commit_callbacks), scope="海州区")["信用记录"]
    assert [r[0] for r in rows[1:]] == ["海州甲物业服务有限公司"]  # not another district's company
    assert rows[1][4] == -5 and isinstance(rows[1][8], datetime.datetime)
    assert rows[1][2] == "'=督查不合格" and rows[1][7] == "电话 139****5678"


def test_lottery_winners_are_listed_with_masked_phones(client, office, winner, django_capture_on_commit_callbacks):
    client.force_login(office)
    rows = open_export(take(client, "winners", django_capture_on_commit_callbacks))["中奖名单"]
    assert rows[1][:5] == ("投票抽奖", "纪念品", 1, "A001", "139****5678")
    assert isinstance(rows[1][5], datetime.datetime)


def test_a_large_export_runs_as_a_job_to_100_percent_and_only_its_owner_downloads_it(
        client, settings, records, haizhou_officer, lianyun_officer, company_a, django_capture_on_commit_callbacks):
    settings.EXPORT_BACKGROUND_ROWS = 0
    client.force_login(haizhou_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exports:take", args=["credit_history"]))
    job = Job.objects.get(kind="exports.credit_history")
    assert response.url == reverse("exports:job", args=[job.pk])
    assert job.status == Job.Status.SUCCEEDED and job.total == job.done == 1 and job.percent == 100
    fragment = client.get(reverse("exports:job", args=[job.pk]), headers={"HX-Request": "true"})
    assert "100%" in fragment.text and "hx-get" not in fragment.text and reverse("exports:download", args=[job.pk]) \
        in fragment.text
    assert fragment["Cache-Control"] == "private, no-store"
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 200
    assert AuditEntry.objects.filter(action="exports.completed", target_id=str(job.pk)).exists()
    for other in (lianyun_officer, company_a):  # another district's job, another user's: as if absent
        client.force_login(other)
        assert client.get(reverse("exports:job", args=[job.pk])).status_code == 404
        assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404
    assert not job.file.url.startswith("/static")  # stored under media, which no URL serves


def test_a_queued_job_shows_progress_and_polls(client, haizhou_officer, campaign):
    job = Job.objects.create(kind="exports.volunteer_records", created_by=haizhou_officer, file_name="志愿服务记录.xlsx",
                             total=200, done=50, status=Job.Status.WRITING,
                             report={"export": "volunteer_records", "campaign": campaign.pk})
    client.force_login(haizhou_officer)
    page = client.get(reverse("exports:job", args=[job.pk])).text
    assert 'value="50"' in page and "25%" in page and "hx-get" in page
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404  # not ready
    job.total = job.done = 0
    job.save()
    fragment = client.get(reverse("exports:job", args=[job.pk]), headers={"HX-Request": "true"}).text
    assert "<progress>正在生成</progress>" in fragment and "hx-get" in fragment  # rows not known yet: a bar alone


def test_rejections_write_nothing(client, campaign, world, expert, company_a, haizhou_officer):
    url = reverse("exports:take", args=["orders"])
    response = client.post(url)
    assert response.status_code == 302 and reverse("core:login") in response.url  # anonymous → login
    client.force_login(expert)
    assert client.post(url).status_code == 403  # wrong role
    client.force_login(company_a)
    assert client.post(reverse("exports:take", args=["bidding"])).status_code == 403  # the office's list only
    assert client.post(reverse("exports:take", args=["nothing"])).status_code == 404
    assert client.get(url).status_code == 405  # a GET never takes an export
    assert client.get(reverse("exports:job", args=["x1"])).status_code == 404
    assert not Job.objects.exists() and not AuditEntry.objects.filter(action__startswith="exports.").exists()


def test_the_csrf_token_is_required(campaign, haizhou_officer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(haizhou_officer)
    assert client.post(reverse("exports:take", args=["orders"])).status_code == 403
    assert not AuditEntry.objects.filter(action__startswith="exports.").exists()


def test_the_hub_lists_what_each_role_may_take(client, campaign, office, company_a, expert, haizhou_officer):
    assert {e.key for e in available(expert)} == {"scores"}
    assert not {"scores", "votes"} & {e.key for e in available(haizhou_officer)}  # the office's, as in judging and voting
    assert "bidding" in {e.key for e in available(office)} and "bidding" not in {e.key for e in available(company_a)}
    assert BY_KEY["votes"].background and BY_KEY["volunteer_records"].background
    client.force_login(company_a)
    page = client.get(reverse("exports:hub")).text
    assert "投诉" in page and "招投标信用名单" not in page


ASKED = datetime.datetime(2019, 11, 26, 2, 0, tzinfo=datetime.UTC)


def queued(client, key, capture):
    """A background export asked for, whose task the worker never finishes."""
    with capture(execute=False):
        response = client.post(reverse("exports:take", args=[key]))
    job = Job.objects.filter(kind=f"exports.{key}").latest("pk")
    assert response.url == reverse("exports:job", args=[job.pk]) and job.status == Job.Status.QUEUED
    return job


def test_a_job_whose_worker_died_is_failed_by_the_scheduled_sweep_and_can_be_taken_again(
        client, settings, records, haizhou_officer, django_capture_on_commit_callbacks):
    from wenming.core import schedule
    from wenming.exports import services

    settings.EXPORT_BACKGROUND_ROWS = 0
    client.force_login(haizhou_officer)
    with time_machine.travel(ASKED, tick=False):
        waiting = queued(client, "credit_history", django_capture_on_commit_callbacks)
        writing = queued(client, "credit_history", django_capture_on_commit_callbacks)
        Job.objects.filter(pk=writing.pk).update(status=Job.Status.WRITING, done=10, total=40)  # then killed
    with time_machine.travel(ASKED + datetime.timedelta(minutes=59), tick=False):
        assert services.abandon_stuck() == 0  # within the limit: perhaps only slow
    with time_machine.travel(ASKED + datetime.timedelta(minutes=61), tick=False):
        assert "exports-sweep" in schedule.tick()  # the scheduler runs the sweep through the worker
        for job in (waiting, writing):
            job.refresh_from_db()
            assert job.status == Job.Status.FAILED and job.finished_at is not None
            page = client.get(reverse("exports:job", args=[job.pk])).text
            assert "导出中断：后台任务超过 60 分钟仍未完成（可能已停止运行），请重新导出" in page
            assert "重新导出</button>" in page and "hx-get" not in page
        entry = AuditEntry.objects.get(action="exports.abandoned", target_id=str(writing.pk))
        assert entry.actor is None and entry.before == {"status": "writing"}
        assert services.abandon_stuck() == 0  # once
        # The worker that finally runs the task finds the job given up and writes nothing.
        assert services.run_export_task.call(waiting.pk) == Job.Status.FAILED
        waiting.refresh_from_db()
        assert not waiting.file and waiting.status == Job.Status.FAILED
        # Taken again: a new job, which this time finishes.
        with django_capture_on_commit_callbacks(execute=True):
            again = client.post(reverse("exports:take", args=["credit_history"]))
        job = Job.objects.filter(kind="exports.credit_history").latest("pk")
        assert job.pk != waiting.pk and again.url == reverse("exports:job", args=[job.pk])
        assert job.status == Job.Status.SUCCEEDED
        assert client.get(reverse("exports:download", args=[job.pk])).status_code == 200


def test_a_worker_that_finishes_after_the_sweep_keeps_no_file(client, settings, records, haizhou_officer,
                                                              django_capture_on_commit_callbacks, monkeypatch):
    from wenming.exports import services

    settings.EXPORT_BACKGROUND_ROWS = 0
    client.force_login(haizhou_officer)
    job = queued(client, "credit_history", django_capture_on_commit_callbacks)
    written = services.workbook_for

    def slow(*args, **kwargs):
        content = written(*args, **kwargs)
        services.abandon_stuck(now=timezone.now() + datetime.timedelta(hours=2))  # the sweep, meanwhile
        return content

    monkeypatch.setattr(services, "workbook_for", slow)
    assert services.run_export_task.call(job.pk) == Job.Status.FAILED
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "导出中断" in job.report["error"] and not job.file
    assert not list(settings.MEDIA_ROOT.rglob("*.xlsx"))  # the file written meanwhile was not kept
    assert not AuditEntry.objects.filter(action="exports.completed").exists()


def test_a_finished_file_is_refused_to_its_owner_once_they_may_no_longer_take_it(
        client, settings, records, office, haizhou_officer, world, django_capture_on_commit_callbacks):
    settings.EXPORT_BACKGROUND_ROWS = 0
    jobs = {}
    for user, key in ((office, "bidding"), (haizhou_officer, "credit_history")):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("exports:take", args=[key]))
        jobs[user.pk] = job = Job.objects.filter(kind=f"exports.{key}").latest("pk")
        assert client.get(reverse("exports:download", args=[job.pk])).status_code == 200
    # The office user is now a district officer: the office's list is no longer theirs.
    office.role, office.district = Role.DISTRICT, world.lianyun
    office.save()
    # The Haizhou officer moved to Lianyun: their file holds Haizhou's records.
    haizhou_officer.district = world.lianyun
    haizhou_officer.save()
    for user in (office, haizhou_officer):
        client.force_login(user)
        job = jobs[user.pk]
        assert client.get(reverse("exports:download", args=[job.pk])).status_code == 403
        page = client.get(reverse("exports:job", args=[job.pk])).text
        assert reverse("exports:download", args=[job.pk]) not in page and "不能再下载此文件" in page
        assert reverse("exports:download", args=[job.pk]) not in client.get(reverse("exports:hub")).text
    # Someone else's job is still as if absent.
    assert client.get(reverse("exports:download", args=[jobs[office.pk].pk])).status_code == 404
