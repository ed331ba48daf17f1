import json

import time_machine
from django.urls import reverse

from wenming.awards.models import Application, Status
from wenming.awards.tests.conftest import APPLY_DAY, NARRATIVE, jpeg


def code(settings):
    return json.loads((settings.OUTBOX_DIR / "sms.jsonl").read_text().splitlines()[-1])["code"]


def test_a_worker_nominates_themselves_and_the_company_gives_its_opinion(client, settings, veteran, company_a,
                                                                         campaign):
    with time_machine.travel(APPLY_DAY, tick=False):
        client.post("/apply/self/", {"step": "send", "phone": veteran.phone})
        client.post("/apply/self/", {"step": "verify", "phone": veteran.phone, "code": code(settings), "consent": "on"})
        response = client.post("/apply/self/", {"step": "start", "award": "model_worker"})
        application = Application.objects.get()
        assert response.status_code == 302 and application.channel == "self_nomination"
        client.post(reverse("awards:save", args=[application.pk]), {
            "full_name": veteran.name, "post": "cleaning", "narrative": NARRATIVE, "portrait_consent": "on",
            "applicant_name": veteran.name, "applicant_phone": veteran.phone})
        client.post(reverse("awards:attachment_add", args=[application.pk]), {"kind": "portrait", "file": jpeg()})
        response = client.post(reverse("awards:submit", args=[application.pk]))
        assert response.status_code == 302
        application.refresh_from_db()
        assert application.status == Status.COMPANY_REVIEW
        # Another person's application stays out of reach of this session.
        assert client.get(reverse("awards:detail", args=[application.pk + 1000])).status_code == 404
        client.force_login(company_a)
        response = client.post(reverse("awards:opinion", args=[application.pk, "company"]),
                               {"decision": "approve", "text": "情况属实，同意推荐。"})
        assert response.status_code == 302
        application.refresh_from_db()
        assert application.status == Status.OFFICE_REVIEW


def test_a_phone_not_in_the_registry_cannot_self_nominate(client, settings, world, campaign):
    with time_machine.travel(APPLY_DAY, tick=False):
        client.post("/apply/self/", {"step": "send", "phone": "13700009999"})
        client.post("/apply/self/", {"step": "verify", "phone": "13700009999", "code": code(settings),
                                     "consent": "on"})
        response = client.get("/apply/self/")
    assert response.status_code == 404 and "名录中没有" in response.text
    assert not Application.objects.exists()
