"""An expert's on-site photos: the expert who owns the sheet and the office see them; another
expert, a company, a district officer and the public get 404."""

import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wenming.core.uploads import clean_image
from wenming.judging import services
from wenming.judging.models import SheetPhoto
from wenming.supervision.tests.test_views import jpeg

pytestmark = pytest.mark.django_db
SCORING = "2019-12-10 10:00 +0800"


@pytest.fixture
def sheet_photo(campaign, candidate, experts, office):
    assignment = services.assign(campaign, office, experts[1], candidate)
    image = clean_image(SimpleUploadedFile("p.jpg", jpeg().read()), max_bytes=1048576).content
    with time_machine.travel(SCORING, tick=False):
        services.save_sheet(assignment, experts[1].user, scores={}, version=0, photos=[("environment.1", image)])
    return SheetPhoto.objects.get()


def test_the_expert_sees_the_photo_on_the_sheet_and_it_loads(client, sheet_photo, experts):
    client.force_login(experts[1].user)
    with time_machine.travel(SCORING, tick=True):
        page = client.get(reverse("judging:sheet", args=[sheet_photo.sheet.assignment_id])).text
        srcs = re.findall(r'<img src="(/files/[^"]+)"', page)
        assert len(srcs) == 1
        response = client.get(srcs[0])
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, no-store"
    assert client.get(srcs[0]).status_code == 404  # seven years later the link has expired


def test_the_office_may_see_it(client, sheet_photo, office):
    client.force_login(office)
    assert client.get(sheet_photo.url).status_code == 200


def test_anyone_else_gets_404(client, sheet_photo, experts, company_a, haizhou_officer):
    for viewer in (experts[2].user, company_a, haizhou_officer, None):
        if viewer is None:
            client.logout()
        else:
            client.force_login(viewer)
        assert client.get(sheet_photo.url).status_code == 404
