"""Demo votes, cast through the real vote path (the clock must be in the voting window)."""

import datetime
import random

from django.utils import timezone

from wenming.awards.models import Showcase
from wenming.core.models import Resident, User
from wenming.voting import review, services
from wenming.voting.models import Lottery, Vote, VoteStatus

RESIDENTS = 600
VIRTUAL_SHARE = 20  # one in twenty demo voters uses a virtual-operator number


def build(campaign, rng=None):
    if Vote.objects.filter(award__campaign=campaign).exists():
        return
    rng = rng or random.Random(1126)
    by_award = {}
    for showcase in Showcase.objects.filter(application__campaign=campaign, published_at__isnull=False).select_related(
            "application__award"):
        by_award.setdefault(showcase.application.award.key, []).append(showcase.pk)
    now = timezone.now()
    for i in range(RESIDENTS):
        prefix = "170" if i % VIRTUAL_SHARE == 0 else rng.choice(("139", "138", "151", "187"))
        resident, _ = Resident.objects.get_or_create(phone=f"{prefix}{i:08d}", defaults={
            "consent_version": campaign.privacy_notice_version, "consented_at": now})
        # Addresses are sample data (the carrier-grade NAT range), spread over many /24 networks.
        ip = f"100.{64 + i % 50}.{(i // 50) % 250}.{1 + i % 200}"
        for key, ids in by_award.items():
            favourites = rng.sample(ids, min(len(ids), 5 if key == "model_community" else 2))
            for candidate_id in favourites:
                try:
                    services.cast_vote(campaign.pk, resident.pk, candidate_id, ip=ip, channel=rng.choice(("web", "wechat")))
                except services.VoteRefused:
                    pass
    services.sequence_board()
    # The office has already looked at a few suspicious clusters and invalidated them.
    office = User.objects.get(username="office")
    done = set()
    for vote in Vote.objects.filter(award__campaign=campaign, status=VoteStatus.QUARANTINED).select_related(
            "candidate")[:40]:
        cluster = (vote.candidate_id, services.net24(vote.ip))
        if cluster in done or len(done) == 3:
            continue
        done.add(cluster)
        review.decide(campaign, candidate=vote.candidate, network=cluster[1], action="invalidate",
                      reason="核查为同一设备批量注册的虚拟号码", actor=office)
    _bursts(campaign, by_award.get("model_community", []), now)
    services.sequence_board()


# Bursts for the office to review by cluster: (votes within one minute from one /24 for one
# candidate); beyond `candidate_burst_per_minute` (30) they are quarantined. The first is large
# enough that invalidating it waits for a second office member.
BURSTS = ((0, "100.120.7", 90), (1, "100.120.9", 42))


def _bursts(campaign, candidate_ids, now):
    for n, (which, network, count) in enumerate(BURSTS):
        if which >= len(candidate_ids):
            continue
        for k in range(count):
            resident, _ = Resident.objects.get_or_create(phone=f"139{90000000 + n * 1000 + k:08d}", defaults={
                "consent_version": campaign.privacy_notice_version, "consented_at": now})
            services.cast_vote(campaign.pk, resident.pk, candidate_ids[which], ip=f"{network}.{1 + k % 200}",
                               channel="web", now=now)


PUBLIC_VALUE = "03 09 14 21 27 30 + 11"  # sample figures, not an actual draw's


def draw(campaign):
    """A lottery drawn with a public value: committed naming tomorrow's official draw, then (the
    demo has no tomorrow) dated back a day, the value entered by two office members, drawn."""
    if Lottery.objects.filter(campaign=campaign).exists():
        return
    office, office2 = User.objects.get(username="office"), User.objects.get(username="office2")
    lottery = Lottery.objects.create(campaign=campaign, name="投票居民抽奖", prize="话费 20 元", winners_count=20)
    today = timezone.localdate(timezone.now(), campaign.tz)
    tomorrow = today + datetime.timedelta(days=1)
    lottery = services.commit_lottery(lottery, actor=office, public_date=tomorrow,
                                      public_source=f"中国福利彩票双色球 {tomorrow:%Y年%-m月%-d日} 开奖号码")
    Lottery.objects.filter(pk=lottery.pk).update(
        public_date=today, public_source=f"中国福利彩票双色球 {today:%Y年%-m月%-d日} 开奖号码",
        committed_at=lottery.committed_at - datetime.timedelta(days=1))
    for member in (office, office2):
        services.enter_public_value(lottery, actor=member, value=PUBLIC_VALUE)
    services.draw_lottery(lottery, actor=office)
