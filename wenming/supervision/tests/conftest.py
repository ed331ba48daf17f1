import pytest
import time_machine

from wenming.supervision import services
from wenming.supervision.models import Inspection


@pytest.fixture
def at():
    """Travel to a moment (Beijing time) for the rest of the test; returns the traveller."""
    travellers = []

    def go(moment):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield go
    for traveller in travellers:
        traveller.stop()


def inspect(campaign, officer, community, failures, kind=Inspection.Kind.REGULAR, sample=None, passes=("EN1",)):
    """A submitted inspection where `failures` items fail ({item: note}) and `passes` pass."""
    inspection = services.start_inspection(campaign, officer, community, kind, sample=sample)
    for item in passes:
        services.save_finding(campaign, inspection, officer, item, passed=True)
    for item, note in failures.items():
        services.save_finding(campaign, inspection, officer, item, passed=False, severity="major", note=note)
    return services.submit_inspection(campaign, inspection, officer, confirm_incomplete=True)
