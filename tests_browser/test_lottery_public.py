"""A resident opens the public lottery page of the demo (results phase: drawn with a public value
entered by two office members), finds their entry by receipt, and sees whether they won."""

import pytest

from wenming.testing.browser import demo_site, requires_chromium
from wenming.voting.models import Lottery, Vote

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    return demo_site(settings, "results")


def test_a_resident_finds_their_lottery_entry_by_receipt(phone, demo):
    lottery = Lottery.objects.get()
    winner = lottery.entrants.filter(rank=1).get()
    loser = lottery.entrants.filter(rank__isnull=True).first()
    receipt = Vote.objects.filter(voter=winner.voter).values_list("receipt", flat=True).first()

    phone.goto("/vote/lottery/")
    phone.click(f"a[href=\"/vote/lottery/{lottery.pk}/\"]")
    phone.wait_for_url(f"**/vote/lottery/{lottery.pk}/")
    assert phone.locator("#public-value").inner_text().startswith(lottery.public_value)
    assert phone.locator("#draw-seed").inner_text() == lottery.draw_seed
    assert phone.locator("#seed-commitment").inner_text() == lottery.seed_commitment
    assert winner.pseudonym in phone.locator("#winners").inner_text()
    assert winner.voter.resident.phone not in phone.content()
    phone.shot("lottery-page")
    phone.locator("#download-rerun").scroll_into_view_if_needed()
    phone.shot("lottery-rerun")

    phone.fill("#id_receipt", receipt[:-2])
    phone.click("#find")
    assert "32 位数字和字母" in phone.locator("#lookup").inner_text()
    assert phone.input_value("#id_receipt") == receipt[:-2]
    phone.shot("lottery-mistyped")
    phone.fill("#id_receipt", receipt)
    phone.click("#find")
    phone.wait_for_url(f"**/vote/receipt/{receipt}/#lottery")
    entry = phone.locator("#lottery-entries").inner_text()
    assert winner.pseudonym in entry and "中奖（第 1 名" in entry
    phone.shot("receipt-winner")

    other = Vote.objects.filter(voter=loser.voter).values_list("receipt", flat=True).first()
    phone.goto(f"/vote/receipt/{other}/")
    entry = phone.locator("#lottery-entries").inner_text()
    assert loser.pseudonym in entry and "未中奖" in entry
    phone.shot("receipt-not-won")
