"""Two schedulers sweeping at once remind and escalate each overdue step once (PostgreSQL pass)."""


import pytest
import time_machine
from django.utils import timezone

from wenming.complaints import services
from wenming.complaints.models import TicketEvent
from wenming.core.models import Notification, Resident
from wenming.core.roles import Role
from wenming.testing.factories import make_user
from wenming.testing.parallel import together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_sweeps_send_each_reminder_and_escalation_once(campaign, world):
    company = make_user("company_a", role=Role.COMPANY, company=world.company_a)
    officer = make_user("haizhou", role=Role.DISTRICT, district=world.haizhou)
    resident = Resident.objects.create(phone="13912345678", consent_version="1", consented_at=timezone.now())
    with time_machine.travel("2019-09-27 10:00 +0800", tick=False):
        for n in range(20):
            services.file_ticket(campaign, services.Filing(
                community=world.community_a, category="repair", urgency="normal", description=f"第 {n} 处门禁损坏",
                phone=resident.phone), source="resident", resident=resident)
    with time_machine.travel("2019-09-30 09:00 +0800", tick=False):
        results = together(lambda: services.sweep(campaign))
    assert sum(r for r, _ in results) == 20 and sum(e for _, e in results) == 20
    assert TicketEvent.objects.filter(kind="reminded").count() == 20
    assert TicketEvent.objects.filter(kind="escalated").count() == 20
    assert Notification.objects.filter(user=company, message__contains="超过时限").count() == 20
    assert Notification.objects.filter(user=officer, message__contains="上报本区住建局").count() == 20
