"""Demo survey responses through the real service, inside the survey window (the clock must be
in the voting phase): every candidate community gets a household register (buildings of 3
units × 18 floors × 2 rooms, as many households as the community has, the last ones vacant)
and responses from its registered households, most above the 60% target. Building 1, unit 2
is left unanswered everywhere, for trying the questionnaire (e.g. 1-2-1501)."""

import math
import random

from django.utils import timezone

from wenming.awards.models import Application, Status
from wenming.core.models import User
from wenming.registry import households
from wenming.registry.models import Household
from wenming.surveys import services
from wenming.surveys.models import Response

SHARES = [0.75, 0.68, 0.62, 0.81, 0.55, 0.7]
UNITS, FLOORS, PER_FLOOR = 3, 18, 2
KEPT_FREE = ("1", "2")  # building, unit: no demo response


def build_register(community, office):
    """The community's register, its household numbers the same as before."""
    if Household.objects.filter(community=community).exists():
        return
    total, occupied = community.total_households, community.occupied_households
    per_building = UNITS * FLOORS * PER_FLOOR
    buildings = math.ceil(total / per_building)
    keys = [households.household_key(b, u, f"{f}{r:02d}") for b in range(1, buildings + 1) for u in range(1, UNITS + 1)
            for f in range(1, FLOORS + 1) for r in range(1, PER_FLOOR + 1)][:total]
    services.generate_register(community, office, buildings=buildings, units=UNITS, floors=FLOORS,
                               per_floor=PER_FLOOR, vacant=keys[occupied:], limit=total)


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
        build_register(community, office)
        homes = [h for h in Household.objects.filter(community=community, occupied=True).order_by("pk")
                 if (h.building, h.unit) != KEPT_FREE]
        target = min(int(community.occupied_households * SHARES[index % len(SHARES)]), 120, len(homes))
        mood = rng.choice([0, 0, 1, 1, 2])  # how satisfied this community tends to be
        for n, home in enumerate(homes[:target]):
            answers = {}
            for q in survey["questions"]:
                choices = q.get("choices") or survey["scale"]
                pick = min(int(rng.expovariate(1.0) + mood * rng.random()), len(choices) - 1)
                answers[q["key"]] = choices[pick]
            services.record_response(
                campaign, community, household=(home.building, home.unit, home.room),
                answers=answers, client_id=f"demo-{community.pk}-{n:05d}", channel="surveyor", surveyor=surveyor,
                started_at=now - timezone.timedelta(minutes=4), recorded_at=now)
