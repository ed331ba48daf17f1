"""Demo survey responses through the real service, inside the survey window (the clock must be
in the voting phase): every candidate community gets responses, most above the 60% target."""

import random

from django.utils import timezone

from wenming.awards.models import Application, Status
from wenming.core.models import User
from wenming.surveys import services
from wenming.surveys.models import Response

SHARES = [0.75, 0.68, 0.62, 0.81, 0.55, 0.7]


def build(campaign, rng=None):
    if Response.objects.filter(campaign=campaign).exists():
        return
    rng = rng or random.Random(1000)
    surveyor = User.objects.get(username="surveyor1")
    office = User.objects.get(username="office")
    communities = [a.community for a in Application.objects.filter(
        campaign=campaign, status=Status.CANDIDATE, community__isnull=False).select_related("community")]
    services.assign(campaign, office, surveyor, communities)
    survey = services.spec(campaign)
    now = timezone.now()
    for index, community in enumerate(communities):
        target = min(int(community.occupied_households * SHARES[index % len(SHARES)]), 120)
        mood = rng.choice([0, 0, 1, 1, 2])  # how satisfied this community tends to be
        for n in range(target):
            answers = {}
            for q in survey["questions"]:
                choices = q.get("choices") or survey["scale"]
                pick = min(int(rng.expovariate(1.0) + mood * rng.random()), len(choices) - 1)
                answers[q["key"]] = choices[pick]
            building, rest = divmod(n, 24)
            services.record_response(
                campaign, community, household=(str(building + 1), str(rest // 8 + 1), f"{rest % 8 + 1:d}01"),
                answers=answers, client_id=f"demo-{community.pk}-{n:05d}", channel="surveyor", surveyor=surveyor,
                started_at=now - timezone.timedelta(minutes=4), recorded_at=now)
