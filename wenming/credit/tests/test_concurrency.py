"""The same source event delivered by parallel workers is recorded once (PostgreSQL pass)."""

import threading

import pytest
from django.db import connection

from wenming.credit import services
from wenming.credit.models import CreditRecord

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_deliveries_of_one_event_make_one_record(campaign, world):
    barrier = threading.Barrier(16)
    created = []

    def deliver():
        try:
            barrier.wait()
            _, was_created = services.record(campaign, world.company_a, "VALID_COMPLAINT", source="complaint",
                                             source_key="ticket:42")
            created.append(was_created)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(created) == [False] * 15 + [True]
    assert CreditRecord.objects.filter(company=world.company_a).count() == 1
    assert services.standing(campaign, world.company_a).score == 89
