import hashlib

import time_machine
from django.core.management import call_command

from wenming.core.models import Resident
from wenming.voting import services
from wenming.voting.models import Lottery, Vote, VoteStatus


def test_the_draw_can_be_rerun_by_anyone_and_excludes_doubtful_voters(client, candidates, resident, office, capsys):
    campaign = candidates[0].application.campaign
    residents = [resident] + [Resident.objects.create(phone=f"1390000{i:04d}", consent_version="2019.1",
                                                      consented_at=resident.consented_at) for i in range(9)]
    with time_machine.travel("2019-11-28 10:00 +0800", tick=False):
        for r in residents:
            services.cast_vote(campaign.pk, r.pk, candidates[0].pk)
    Vote.objects.filter(voter__resident=residents[1]).update(status=VoteStatus.QUARANTINED)
    Vote.objects.filter(voter__resident=residents[2]).update(status=VoteStatus.INVALIDATED, status_reason="刷票")
    lottery = Lottery.objects.create(campaign=campaign, name="投票抽奖", prize="话费 20 元", winners_count=3)
    services.commit_lottery(lottery, actor=office)
    published = client.get(f"/api/v1/lotteries/{lottery.pk}").json()
    assert published["seed"] is None and published["winners"] == []
    services.draw_lottery(lottery, actor=office)

    # What a citizen does with the published data, in a few lines:
    entrants = client.get(f"/api/v1/lotteries/{lottery.pk}/entrants").json()["items"]
    result = client.get(f"/api/v1/lotteries/{lottery.pk}").json()
    assert hashlib.sha256("\n".join(sorted(entrants)).encode()).hexdigest() == result["entrants_hash"]
    assert hashlib.sha256(result["seed"].encode()).hexdigest() == result["seed_commitment"]
    winners = sorted(entrants, key=lambda e: hashlib.sha256(f"{result['seed']}:{e}".encode()).hexdigest())[:3]
    assert [w["entrant_id"] for w in result["winners"]] == winners

    assert len(entrants) == 8  # the quarantined and the invalidated voter are not entrants
    excluded = {lottery.entrants.model.objects.filter(lottery=lottery, voter__resident=r).exists()
                for r in residents[1:3]}
    assert excluded == {False}
    assert all(w["masked_phone"].count("*") == 4 for w in result["winners"])
    call_command("lottery", "verify", str(lottery.pk))
    assert "复核通过" in capsys.readouterr().out


def test_the_entrants_are_frozen_only_after_voting_has_closed(client, candidates, office):
    campaign = candidates[0].application.campaign
    lottery = Lottery.objects.create(campaign=campaign, name="投票抽奖", prize="话费 20 元", winners_count=3)
    client.force_login(office)
    with time_machine.travel("2019-12-05 23:59 +0800", tick=False):
        response = client.post(f"/office/votes/lotteries/{lottery.pk}/", {"act": "commit"}, follow=True)
    assert "投票截止（2019年12月5日 24:00）后才能锁定抽奖名单" in response.text
    lottery.refresh_from_db()
    assert lottery.committed_at is None and not lottery.entrants.exists()
    with time_machine.travel("2019-12-06 00:00 +0800", tick=False):
        client.post(f"/office/votes/lotteries/{lottery.pk}/", {"act": "commit"})
    lottery.refresh_from_db()
    assert lottery.committed_at is not None
