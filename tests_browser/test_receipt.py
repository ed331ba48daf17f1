"""A resident finds their vote on the public board by its receipt and sees its current status,
also after the office invalidated it (status and reason code, in Chinese)."""

import json

import pytest
from django.conf import settings as django_settings

from wenming.testing.browser import demo_site, requires_chromium
from wenming.voting.models import BoardEntry, Vote

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    return demo_site(settings, "voting")


def vote_as_a_resident(phone, candidate):
    phone.goto(f"/vote/{candidate.pk}/")
    phone.fill("#id_phone", "13912345678")
    phone.click("#send-code")
    code = json.loads((django_settings.OUTBOX_DIR / "sms.jsonl").read_text().splitlines()[-1])["code"]
    phone.fill("#id_code", code)
    phone.check("#id_consent")
    phone.click("#verify")
    phone.click("#cast")
    return phone.locator("#receipt").inner_text()


def test_a_resident_finds_their_vote_by_receipt_and_sees_it_invalidated(phone, demo):
    from wenming.awards.models import Showcase
    from wenming.core.models import User
    from wenming.voting import review, services

    candidate = Showcase.objects.filter(published_at__isnull=False).order_by("pk").first()
    receipt = vote_as_a_resident(phone, candidate)
    assert phone.locator("#vote-status").inner_text() == "有效"
    index = BoardEntry.objects.get(vote__receipt=receipt, kind="vote").index
    assert f"第 {index} 条" in phone.locator("#board-entries").inner_text()
    phone.shot("receipt-counted")

    # Later, from the public board page: a mistyped receipt is said so at the field, then the right one.
    phone.goto("/vote/board/")
    phone.shot("board")
    phone.fill("#id_receipt", receipt[:-1])
    phone.click("#find")
    assert "32 位数字和字母" in phone.locator("#lookup").inner_text()
    assert phone.input_value("#id_receipt") == receipt[:-1]
    phone.shot("board-mistyped")
    phone.fill("#id_receipt", receipt)
    phone.click("#find")
    phone.wait_for_url(f"**/vote/receipt/{receipt}/")
    assert phone.locator("#vote-status").inner_text() == "有效"

    # The office invalidates the cluster the vote belongs to.
    vote = Vote.objects.get(receipt=receipt)
    review.decide(candidate.application.campaign, candidate=candidate, network=services.net24(vote.ip),
                  action="invalidate", reason="核查为同一设备批量投票", actor=User.objects.get(username="office"))
    phone.reload()
    assert phone.locator("#vote-status").inner_text() == "已作废"
    assert phone.locator("#vote-reason").inner_text() == "评选工作办公室核查"
    entries = phone.locator("#board-entries").inner_text()
    assert "作废：评选工作办公室核查" in entries and "核查为同一设备" not in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.shot("receipt-invalidated")


def test_a_vote_held_by_a_signal_and_invalidated_shows_the_signal(phone, demo):
    """The demo's office invalidated clusters of quarantined votes: the receipt page names the signal."""
    entry = BoardEntry.objects.filter(kind="invalidate").exclude(reason_code="office_review").order_by("index").first()
    phone.goto("/vote/board/")
    phone.fill("#id_receipt", entry.vote.receipt)
    phone.click("#find")
    phone.wait_for_url(f"**/vote/receipt/{entry.vote.receipt}/")
    assert phone.locator("#vote-status").inner_text() == "已作废"
    label = {"virtual_operator": "虚拟运营商号段", "net24_daily": "同一网段当日投票集中",
             "candidate_burst": "同一网段短时间内集中为同一候选投票", "night_net24": "夜间同一网段集中投票"}[entry.reason_code]
    assert phone.locator("#vote-reason").inner_text() == label
    assert phone.locator("#board-entries li .badge").all_inner_texts() == [
        f"第 {e.index} 条" for e in entry.vote.board_entries.order_by("index")]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.shot("receipt-signal-invalidated")
