"""The demo fills the dashboards: in the expert phase every panel has numbers, for the city and
for 海州区's bureau (votes, responses and sheets exist only from their phases on)."""

import pytest

from wenming.core.models import User
from wenming.dashboard import panels


@pytest.mark.django_db
def test_the_expert_phase_demo_fills_every_panel(demo_day):
    from wenming.demo import build_demo

    campaign = build_demo(phase="expert", today=demo_day)
    officer = User.objects.get(username="haizhou")
    for scope in (panels.city_scope(), panels.scope_for(officer)):
        empty = [p.key for p in panels.build(campaign, scope)
                 if not any(isinstance(c, int | float) and c for row in p.rows for c in row[1:])]
        assert not empty, f"{scope.label}: {empty}"
