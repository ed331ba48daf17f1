import pytest

from wenming.volunteers.models import Activity, Certificate, HelpRequest, Record, RecordState, Station

pytestmark = pytest.mark.django_db


def test_the_demo_has_stations_activities_hours_help_and_certificates(client, demo_day):
    from wenming.demo import build_demo
    from wenming.registry.models import Community

    build_demo(phase="voting", today=demo_day, with_awards=False)
    assert Station.objects.count() > Community.objects.filter(company__isnull=False).count() / 2
    starts = list(Activity.objects.values_list("starts_at", flat=True))
    from django.utils import timezone

    now = timezone.now()  # demo_day's clock: 2026-11-26 10:00 Beijing time, whatever today is
    assert any(s < now for s in starts) and any(s > now for s in starts)
    states = set(Record.objects.values_list("state", flat=True))
    assert {RecordState.CONFIRMED, RecordState.SIGNED_OUT, RecordState.OBJECTED, RecordState.SIGNED_UP} <= states
    assert set(HelpRequest.objects.values_list("state", flat=True)) >= {"open", "taken", "done"}
    certificate = Certificate.objects.first()
    confirmed = Record.objects.filter(volunteer=certificate.volunteer, state=RecordState.CONFIRMED)
    assert certificate.minutes == sum(r.minutes for r in confirmed)
    from wenming.core.models import User

    client.force_login(User.objects.get(username="company1"))
    page = client.get("/volunteers/figures/")
    assert page.status_code == 200 and "按服务站" in page.text
    assert client.get(f"/volunteers/check/?number={certificate.number}").status_code == 200
