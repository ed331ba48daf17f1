"""One way to ask for the current campaign: `campaigns.services.current_campaign`."""

import ast
import importlib
from pathlib import Path

import pytest
from django.http import Http404

import wenming
from wenming.campaigns import services
from wenming.campaigns.models import Campaign
from wenming.campaigns.services import current_campaign


def test_the_current_campaign_is_the_active_one_most_recently_loaded(campaign):
    assert current_campaign() == campaign
    assert current_campaign(or_404=True) == campaign
    assert current_campaign(id_only=True) == campaign.pk


def test_without_a_campaign_there_is_none_or_a_404(db):
    assert current_campaign() is None
    assert current_campaign(id_only=True) is None
    with pytest.raises(Http404, match="尚未加载活动"):
        current_campaign(or_404=True)


def test_a_campaign_switched_off_behind_the_services_back_is_not_served(campaign):
    assert current_campaign(id_only=True) == campaign.pk  # now kept in memory
    Campaign.objects.filter(pk=campaign.pk).update(is_active=False)
    assert current_campaign() is None


@pytest.mark.parametrize(("module", "name"), [
    ("wenming.campaigns.views", "current_campaign_or_404"),
    ("wenming.campaigns.services", "current_campaign_id"),
])
def test_the_old_accessors_are_gone(module, name):
    assert not hasattr(importlib.import_module(module), name)
    assert not hasattr(Campaign.objects, "current")


def test_no_other_module_defines_a_current_campaign_helper():
    root = Path(wenming.__file__).parent
    found = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and "current_campaign" in node.name \
                    and not node.name.startswith("test_"):
                found.append(f"{path.relative_to(root)}:{node.name}")
    assert found == [f"{Path(services.__file__).relative_to(root)}:current_campaign"]
