import datetime

import pytest
import time_machine

from wenming.judging.models import Sheet
from wenming.results.models import Run
from wenming.surveys.models import Response

pytestmark = pytest.mark.django_db
# The demo places the phases around `today` and then acts through the campaign clock, which
# reads the real time: both must be the same day.
TODAY = datetime.date(2026, 11, 26)


def test_the_expert_phase_demo_has_coverage_and_partly_filled_sheets(client):
    from wenming.demo import build_demo

    with time_machine.travel("2026-11-26 10:00 +0800"):
        build_demo(phase="expert", today=TODAY)
    submitted = Sheet.objects.filter(submitted_at__isnull=False).count()
    assert Response.objects.values("community").distinct().count() >= 12
    assert 0 < submitted < Sheet.objects.count() and Sheet.objects.filter(version__gt=0, submitted_at=None).exists()
    assert not Run.objects.exists()


def test_the_results_phase_demo_publishes_every_award(client):
    from wenming.demo import build_demo

    with time_machine.travel("2026-11-26 10:00 +0800"):
        build_demo(phase="results", today=TODAY)
    assert Run.objects.filter(state=Run.State.PUBLISHED).count() == 3
    body = client.get("/api/v1/results?category=model_worker").json()
    assert len(body["items"]) == 12 and body["items"][0]["rank"] == 1
    assert "第 1 名" in client.get("/results/").text
    # The first award was corrected after publication; the first run is in the public history.
    corrected = Run.objects.get(state=Run.State.PUBLISHED, supersedes__isnull=False)
    assert corrected.supersedes.state == Run.State.SUPERSEDED and corrected.correction_reason
    page = client.get("/results/").text
    assert "更正记录" in page and f"更正原因：{corrected.correction_reason}" in page
