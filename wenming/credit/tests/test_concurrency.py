"""The same source event delivered by parallel workers is recorded once (PostgreSQL pass)."""

import pytest

from wenming.credit import services
from wenming.credit.models import CreditRecord
from wenming.testing.parallel import together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_deliveries_of_one_event_make_one_record(campaign, world):
    def deliver():
        return services.record(campaign, world.company_a, "VALID_COMPLAINT", source="complaint",
                               source_key="ticket:42")[1]

    created = together(deliver, count=16)
    assert sorted(created) == [False] * 15 + [True]
    assert CreditRecord.objects.filter(company=world.company_a).count() == 1
    assert services.standing(campaign, world.company_a).score == 89
