"""Every save, upload, submit and opinion on an application is confirmed on the next page."""

import json

import time_machine
from django.urls import reverse

from wenming.awards.models import Application
from wenming.awards.tests.conftest import APPLY_DAY, NARRATIVE, jpeg


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def test_each_step_of_an_application_says_it_was_done(client, settings, veteran, company_a, campaign):
    with time_machine.travel(APPLY_DAY, tick=False):
        sent = client.post("/apply/self/", {"step": "send", "phone": veteran.phone}, follow=True)
        assert _messages(sent)[0].startswith("验证码已发送至 139****")
        code = json.loads((settings.OUTBOX_DIR / "sms.jsonl").read_text().splitlines()[-1])["code"]
        client.post("/apply/self/", {"step": "verify", "phone": veteran.phone, "code": code, "consent": "on"})
        client.post("/apply/self/", {"step": "start", "award": "model_worker"})
        application = Application.objects.get()
        response = client.post(reverse("awards:save", args=[application.pk]), {
            "full_name": veteran.name, "post": "cleaning", "narrative": NARRATIVE, "portrait_consent": "on",
            "applicant_name": veteran.name, "applicant_phone": veteran.phone}, follow=True)
        assert _messages(response) == ["申报内容已保存"]
        response = client.post(reverse("awards:attachment_add", args=[application.pk]),
                               {"kind": "portrait", "file": jpeg("本人照片.jpg")}, follow=True)
        assert _messages(response) == ["已上传：本人照片.jpg"]
        response = client.post(reverse("awards:submit", args=[application.pk]), follow=True)
        assert _messages(response) == ["申报已提交，请等待审核"]
        client.force_login(company_a)
        response = client.post(reverse("awards:opinion", args=[application.pk, "company"]),
                               {"decision": "approve", "text": "情况属实，同意推荐。"}, follow=True)
        assert len(_messages(response)) == 1 and _messages(response)[0].startswith("意见已提交：")
        assert "意见已提交" in response.text


def test_a_refused_step_says_why_and_confirms_nothing(client, veteran, company_a, campaign):
    from wenming.awards import services

    with time_machine.travel(APPLY_DAY, tick=False):
        application = services.start_application(campaign, campaign.awards.get(key="model_worker"), actor=company_a,
                                                 channel="company_nomination", staff=veteran)
        client.force_login(company_a)
        response = client.post(reverse("awards:submit", args=[application.pk]))
    assert response.status_code == 400
    assert [m for m in _messages(response) if m.startswith("申报内容不完整")] == _messages(response)
