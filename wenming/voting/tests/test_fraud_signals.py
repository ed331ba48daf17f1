import pytest
import time_machine

from wenming.core.models import Resident
from wenming.voting import services
from wenming.voting.models import TallyShard, Vote, VoteStatus

DAY = "2019-11-28 10:00 +0800"


def resident(phone):
    return Resident.objects.create(phone=phone, consent_version="2019.1", consented_at="2019-11-01T00:00Z")


def test_a_virtual_operator_number_is_quarantined_and_not_counted(candidates):
    campaign = candidates[0].application.campaign
    with time_machine.travel(DAY, tick=False):
        cast = services.cast_vote(campaign.pk, resident("17012345678").pk, candidates[0].pk)
    vote = Vote.objects.get(receipt=cast.body["receipt"])
    assert vote.status == VoteStatus.QUARANTINED and vote.status_reason == "虚拟运营商号段"
    assert not TallyShard.objects.filter(candidate=candidates[0], counted__gt=0).exists()


def test_a_busy_network_is_quarantined_after_its_daily_share(candidates, campaign):
    rules = campaign.rules
    rules["voting"]["risk"]["net24_daily"] = 3
    campaign.rule_sets.filter(version=campaign.rules_version).update(data=rules)
    with time_machine.travel(DAY, tick=False):
        statuses = [Vote.objects.get(receipt=services.cast_vote(
            campaign.pk, resident(f"1390000{i:04d}").pk, candidates[0].pk, ip="10.8.1.7").body["receipt"]).status
            for i in range(5)]
        other = services.cast_vote(campaign.pk, resident("13900009999").pk, candidates[0].pk, ip="10.9.1.7")
    assert statuses == ["counted"] * 3 + ["quarantined"] * 2
    assert Vote.objects.get(receipt=other.body["receipt"]).status == "counted"


def test_rate_limits_per_address_answer_429(candidates, campaign):
    rules = campaign.rules
    rules["voting"]["limits_per_minute"]["ip"] = 2
    campaign.rule_sets.filter(version=campaign.rules_version).update(data=rules)
    with time_machine.travel(DAY, tick=False):
        for i in range(2):
            services.cast_vote(campaign.pk, resident(f"1380000{i:04d}").pk, candidates[0].pk, ip="10.1.1.1")
        with pytest.raises(services.VoteRefused) as exc:
            services.cast_vote(campaign.pk, resident("13800009999").pk, candidates[0].pk, ip="10.1.1.1")
    assert exc.value.code == "too_many_requests" and Vote.objects.count() == 2
