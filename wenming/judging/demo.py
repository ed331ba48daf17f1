"""Demo judging through the real services (the clock must be in the expert phase): the five
demo experts, automatic assignment, sheets partly filled, or all submitted when `complete`."""

import random

from wenming.campaigns.models import AwardCategory
from wenming.core.demo_photos import picture
from wenming.core.models import User
from wenming.core.uploads import clean_image
from wenming.judging import services
from wenming.judging.models import Assignment, Expert
from wenming.registry.models import Company


def build(campaign, complete=False, rng=None):
    rng = rng or random.Random(1205)
    office = User.objects.get(username="office")
    experts = []
    for i, user in enumerate(User.objects.filter(username__startswith="expert").order_by("username")):
        expert, created = Expert.objects.get_or_create(user=user, defaults={"employer_name": "连云港职业技术学院"})
        if created and i == 0:
            # One expert works for a property company: the office page shows the conflicts.
            expert.employer = Company.objects.order_by("pk").first()
            expert.employer_name = expert.employer.name
            expert.save(update_fields=["employer", "employer_name"])
        experts.append(expert)
    if not Assignment.objects.filter(campaign=campaign).exists():
        for award in AwardCategory.objects.filter(campaign=campaign):
            services.auto_assign(campaign, office, award, experts, per_candidate=len(experts) - 1)
    for assignment in Assignment.objects.filter(campaign=campaign).select_related("sheet", "expert__user",
                                                                                  "candidate__application__award"):
        if assignment.sheet.submitted_at or (not complete and rng.random() < 0.4):
            continue
        items = services.rubric(campaign, assignment.candidate.application.award.key)
        quality = rng.uniform(0.6, 0.95)
        scores = {i["key"]: str(max(min(round(float(i["max"]) * rng.gauss(quality, 0.08), 1), float(i["max"])), 0))
                  for i in items}
        # The expert's on-site photo of the first item, through the real upload pipeline.
        photo = clean_image(picture(f"{assignment.candidate.title[:12]} 实地查看", rng, "site"),
                            max_bytes=campaign.upload_limit()).content
        services.save_sheet(assignment, assignment.expert.user, scores=scores, version=assignment.sheet.version,
                            photos=[(items[0]["key"], photo)])
        if complete or rng.random() < 0.5:
            services.submit_sheet(assignment, assignment.expert.user)
