"""A rectification order moves only along supervision.services.TRANSITIONS: each state change
checks the table's right and source states, and every event it records is a row of the table."""

import pytest
from django.core.exceptions import PermissionDenied

from wenming.core.errors import Conflict
from wenming.supervision import services
from wenming.supervision.models import OrderEvent, OrderState, RectificationOrder
from wenming.supervision.tests.conftest import inspect

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(campaign, world, haizhou_officer, at):
    at("2019-09-09 10:00 +0800")
    return RectificationOrder.objects.get(finding__inspection=inspect(campaign, haizhou_officer, world.community_a,
                                                                      {"EN2": "楼道堆放杂物"}))


def test_every_recorded_move_is_a_row_of_the_table(order, haizhou_officer, company_a):
    services.start_rectifying(order, company_a)
    services.save_evidence(order, company_a, text="已清理")
    services.submit_evidence(order, company_a)
    services.reinspect(order, haizhou_officer, passed=False, note="仍有杂物")
    services.save_evidence(order, company_a, text="再次清理")
    services.submit_evidence(order, company_a)
    services.reinspect(order, haizhou_officer, passed=True)
    services.close_order(order, haizhou_officer)
    moves = {(t.sources, t.target) for t in services.TRANSITIONS.values()}
    events = list(OrderEvent.objects.filter(order=order).exclude(from_state="").order_by("pk"))
    assert [e.to_state for e in events] == [OrderState.RECTIFYING, OrderState.EVIDENCE_SUBMITTED, OrderState.RECTIFYING,
                                            OrderState.EVIDENCE_SUBMITTED, OrderState.REINSPECTED, OrderState.CLOSED]
    assert all(any(e.from_state in sources and e.to_state == target for sources, target in moves) for e in events)


def test_a_move_from_a_state_not_in_the_table_is_a_conflict(order, haizhou_officer):
    with pytest.raises(Conflict, match="整改通知当前为“已下达”，只有“已复查合格”时才能销号"):
        services.close_order(order, haizhou_officer)
    order.refresh_from_db()
    assert order.state == OrderState.ISSUED


@pytest.mark.parametrize("who, move", [("company", "close"), ("officer", "start"), ("other_officer", "close")])
def test_the_table_says_who_may_move(order, haizhou_officer, lianyun_officer, company_a, who, move):
    actor = {"company": company_a, "officer": haizhou_officer, "other_officer": lianyun_officer}[who]
    call = {"close": services.close_order, "start": services.start_rectifying}[move]
    with pytest.raises(PermissionDenied):
        call(order, actor)
    assert services.TRANSITIONS[move].who == ("supervisor" if move == "close" else "company")
