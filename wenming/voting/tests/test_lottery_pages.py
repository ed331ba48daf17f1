import time_machine
from django.urls import reverse

from wenming.core.models import AuditEntry, Resident
from wenming.voting import services
from wenming.voting.models import Lottery


def test_the_office_creates_commits_draws_and_logs_delivery(client, candidates, campaign, office, haizhou_officer):
    with time_machine.travel("2019-11-28 10:00 +0800", tick=False):
        for i in range(6):
            r = Resident.objects.create(phone=f"1390000{i:04d}", consent_version="2019.1",
                                        consented_at="2019-11-01T00:00Z")
            services.cast_vote(campaign.pk, r.pk, candidates[0].pk, ip=f"10.0.{i}.1")
    client.force_login(haizhou_officer)
    assert client.get(reverse("voting_office:lotteries")).status_code == 403
    client.force_login(office)
    assert client.post(reverse("voting_office:lotteries"), {"name": "", "prize": "x", "winners_count": 0}).status_code == 400
    client.post(reverse("voting_office:lotteries"), {"name": "投票抽奖", "prize": "话费", "winners_count": 2})
    lottery = Lottery.objects.get()
    url = reverse("voting_office:lottery", args=[lottery.pk])
    client.post(url, {"act": "draw"})  # not committed yet: refused
    lottery.refresh_from_db()
    assert lottery.drawn_at is None
    client.post(url, {"act": "commit"})
    client.post(url, {"act": "draw"})
    lottery.refresh_from_db()
    assert lottery.drawn_at and services.verify_lottery(lottery)
    page = client.get(url).text
    assert "尾号" in page and "13900000" not in page
    winner = lottery.entrants.filter(rank=1).get()
    client.post(url, {"act": "deliver", "entrant": winner.pk, "note": "充值到账"})
    winner.refresh_from_db()
    assert winner.delivered_at is not None
    assert AuditEntry.objects.filter(action="voting.lottery.delivered").count() == 1
