import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_expert_phase_demo_has_on_site_photos_that_load_for_their_expert_only(client, demo_day):
    from wenming.demo import build_demo
    from wenming.judging.models import SheetPhoto

    build_demo(phase="expert", today=demo_day)
    photo = SheetPhoto.objects.select_related("sheet__assignment__expert__user").first()
    assert photo is not None and SheetPhoto.objects.count() >= 5
    assignment = photo.sheet.assignment
    client.force_login(assignment.expert.user)
    page = client.get(f"/judging/{assignment.pk}/").text
    srcs = re.findall(r'<img src="(/files/[^"]+)"', page)
    assert srcs
    response = client.get(srcs[0])
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    other = next(a.expert.user for a in assignment.candidate.assignments.exclude(expert=assignment.expert))
    client.force_login(other)
    assert client.get(srcs[0]).status_code == 404
