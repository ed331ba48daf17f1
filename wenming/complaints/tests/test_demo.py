import pytest

from wenming.complaints import services
from wenming.complaints.models import RepeatFlag, State, Ticket
from wenming.credit.models import CreditRecord

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("phase", ["publicity", "voting"])
def test_every_phase_of_the_demo_has_complaints_in_every_state(phase, client, demo_day):
    from wenming.demo import build_demo

    build_demo(phase=phase, today=demo_day, with_awards=False)
    assert set(Ticket.objects.values_list("state", flat=True)) == set(State.values)
    assert Ticket.objects.values("district").distinct().count() == 3
    assert set(Ticket.objects.values_list("source", flat=True)) == {"resident", "desk", "hotline"}
    assert services.escalated(Ticket.objects.all()).count() >= 2
    assert Ticket.objects.filter(round__gt=1, state=State.FOLLOWED_UP).exists()  # reopened, then fixed
    answered = Ticket.objects.filter(state=State.ANSWERED)
    assert any(services.who_may_follow_up(t, user=t.handler) for t in answered)  # the company must call
    codes = set(CreditRecord.objects.filter(source="complaint").values_list("code", flat=True))
    assert codes == {"VALID_COMPLAINT", "COMPLAINT_OVERDUE"}
    assert not CreditRecord.objects.filter(source_key="demo:complaint").exists()
    assert RepeatFlag.objects.filter(category="sanitation").exists()
    from wenming.core.models import User

    client.force_login(User.objects.get(username="company1"))
    page = client.get("/complaints/")
    assert page.status_code == 200 and "已超时" in page.text
