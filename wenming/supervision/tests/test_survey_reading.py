"""SV0 (小区问卷入户率) is read from the survey's coverage, never typed by the inspector."""

import pytest
from django.urls import reverse

from wenming.supervision import services
from wenming.supervision.models import Finding, Inspection
from wenming.surveys import services as surveys
from wenming.surveys.tests.test_survey import IN_WINDOW, answers
from wenming.testing.factories import make_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def surveyed(campaign, world, surveyor, office, at):
    """Haizhou Garden: 10 occupied households, 7 reached (70%)."""
    community = make_register(world.community_a, buildings=1, units=1, floors=10, per_floor=1)
    surveys.assign(campaign, office, surveyor, [community])
    at(IN_WINDOW)
    for floor in range(1, 8):
        surveys.record_response(campaign, community, household=("1", "1", f"{floor}01"), answers=answers(campaign),
                                client_id=f"sv0-{floor:05d}", channel="surveyor", surveyor=surveyor)
    return community


def test_sv0_reads_the_coverage_whatever_the_inspector_types(client, campaign, surveyed, haizhou_officer):
    inspection = services.start_inspection(campaign, haizhou_officer, surveyed, Inspection.Kind.REGULAR)
    client.force_login(haizhou_officer)
    url = reverse("supervision:inspection", args=[inspection.pk])
    page = client.get(url).text
    assert "实测值：<strong>70.00 %</strong>（由入户调查自动读取，不需填写）" in page
    assert 'name="value_SV0" inputmode' not in page  # nothing to type
    response = client.post(url, {"value_SV0": "100"})  # a typed value is not taken
    assert response.status_code == 302
    finding = Finding.objects.get(inspection=inspection, item="SV0")
    assert (finding.value, finding.passed) == (70, True)


def test_sv0_fails_below_the_target(campaign, world, haizhou_officer, at):
    make_register(world.community_a, buildings=1, units=1, floors=10, per_floor=1)
    at(IN_WINDOW)
    inspection = services.start_inspection(campaign, haizhou_officer, world.community_a, Inspection.Kind.REGULAR)
    finding = services.save_finding(campaign, inspection, haizhou_officer, "SV0", value="99")
    assert (finding.value, finding.passed) == (0, False)
