
import pytest

from wenming.credit import services as credit
from wenming.credit.models import CreditList
from wenming.registry.models import Company
from wenming.supervision.models import Inspection, Interview, OrderState, RectificationOrder, RepeatProblem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("phase", ["apply", "results"])
def test_every_phase_of_the_demo_shows_supervision_and_a_published_list(phase, client, demo_day):
    from wenming.demo import build_demo

    campaign = build_demo(phase=phase, today=demo_day, with_awards=False)
    assert Inspection.objects.filter(kind="regular").values("district").distinct().count() == 3
    assert Inspection.objects.filter(kind="unannounced").exists() and Inspection.objects.filter(kind="self").exists()
    assert RectificationOrder.objects.filter(state=OrderState.OVERDUE).count() >= 3
    assert RectificationOrder.objects.filter(state=OrderState.EVIDENCE_SUBMITTED).exists()
    assert RepeatProblem.objects.filter(interviews__state=Interview.State.NOT_RECTIFIED).count() == 1
    published = CreditList.objects.get(state=CreditList.State.PUBLISHED)
    kinds = set(published.entries.values_list("kind", flat=True))
    assert kinds == {"red", "black"}
    grades = {s.grade for s in credit.standings(campaign, list(Company.objects.all())).values()}
    assert {"3A", "B"} <= grades
    body = client.get("/api/v1/credit/lists").json()
    assert body["red"] and body["black"]
    from wenming.core.models import User

    client.force_login(User.objects.get(username="haizhou"))
    page = client.get("/supervision/").text
    assert "逾期整改" in page and "反复出现问题" in page


def test_the_demo_s_inspection_and_evidence_photos_load_for_those_allowed(client, demo_day):
    import re

    from wenming.core.models import User
    from wenming.demo import build_demo
    from wenming.supervision.models import Photo

    build_demo(phase="voting", today=demo_day, with_awards=False)
    assert Photo.objects.filter(finding__isnull=False).count() >= 10
    evidence_photo = Photo.objects.filter(evidence__isnull=False).select_related("evidence__order").first()
    order = evidence_photo.evidence.order
    company = User.objects.get(role="company", company=order.company)
    client.force_login(company)
    page = client.get(f"/supervision/orders/{order.pk}/").text
    srcs = re.findall(r'<img src="(/files/[^"]+)"', page)
    assert len(srcs) >= 2  # the problem photo and the rectification photo
    for src in srcs:
        response = client.get(src)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    other = User.objects.filter(role="company").exclude(company=order.company).first()
    client.force_login(other)
    assert all(client.get(src).status_code == 404 for src in srcs)


def test_the_demo_has_a_secret_inspection_under_way_and_schedules_due_and_overdue(client, demo_day):
    from wenming.core.models import User
    from wenming.demo import build_demo

    build_demo(phase="voting", today=demo_day, with_awards=False)
    secret = Inspection.objects.get(kind="unannounced", state="draft")
    client.force_login(User.objects.get(username="haizhou"))
    assert client.get(f"/supervision/inspections/{secret.pk}/").status_code == 200
    page = client.get("/supervision/schedule/").text
    assert "已逾期" in page and '<tr class="schedule-overdue">' in page
    assert "定期督查" in client.get("/workbench/").text
    client.force_login(User.objects.get(username="lianyun"))
    assert '<tr class="schedule-due">' in client.get("/supervision/schedule/").text
    company = User.objects.filter(role="company", company=secret.company).first()
    assert company is not None
    client.force_login(company)
    assert client.get(f"/supervision/inspections/{secret.pk}/").status_code == 404
    assert secret.community.name not in client.get("/supervision/inspections/").text.split("<main")[1]
