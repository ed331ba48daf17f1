"""A resident scans a poster's link, verifies a phone with the SMS code, votes, sees the receipt."""

import json

import pytest
from django.conf import settings as django_settings

from wenming.testing.browser import demo_site, requires_chromium
from wenming.voting.models import Vote

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    return demo_site(settings, "voting")


def test_scan_verify_vote_receipt(phone, demo):
    from wenming.awards.models import Showcase

    candidate = Showcase.objects.filter(published_at__isnull=False).order_by("pk").first()
    phone.goto(f"/showcase/{candidate.pk}/")  # where the poster's QR code leads
    phone.shot("candidate")
    phone.click("#vote")
    phone.fill("#id_phone", "13912345678")
    phone.click("#send-code")
    code = json.loads((django_settings.OUTBOX_DIR / "sms.jsonl").read_text().splitlines()[-1])["code"]
    phone.fill("#id_code", code)
    phone.check("#id_consent")
    phone.shot("verify")
    phone.click("#verify")
    phone.click("#cast")
    receipt = phone.locator("#receipt").inner_text()
    assert len(receipt) == 32 and Vote.objects.get(receipt=receipt).candidate_id == candidate.pk
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.shot("receipt")
