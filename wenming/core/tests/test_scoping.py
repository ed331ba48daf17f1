"""One scoping rule (core.scoping) behind every `visible_to` path: a deactivated user and an
officer of another district see nothing through any of them; the own district sees its rows."""

import pytest

from wenming.awards.models import Application, Status
from wenming.core import scoping
from wenming.registry.models import Community, Company, Staff
from wenming.supervision import services as supervision
from wenming.testing.factories import make_candidates


def paths(world):
    """Each path by name: (the queryset it answers for a user, the 海州区 row it must show)."""
    application = make_candidates(world.campaign, world, count=1)[0].application
    return {
        "registry.Community.visible_to": (lambda user: Community.objects.visible_to(user), world.community_a),
        "registry.Company.visible_to": (lambda user: Company.objects.visible_to(user), world.company_a),
        "registry.Staff.visible_to": (lambda user: Staff.objects.visible_to(user), world.staff_a),
        "awards.Application.visible_to": (lambda user: Application.objects.visible_to(user), application),
        "supervision.scoped": (lambda user: supervision.scoped(Community.objects.all(), user), world.community_a),
    }


@pytest.fixture
def scoped_paths(campaign, world):
    world.campaign = campaign
    return paths(world)


PATHS = ["registry.Community.visible_to", "registry.Company.visible_to", "registry.Staff.visible_to",
         "awards.Application.visible_to", "supervision.scoped"]


@pytest.mark.parametrize("path", PATHS)
def test_it_shows_the_own_district_its_rows(scoped_paths, haizhou_officer, path):
    visible, row = scoped_paths[path]
    assert visible(haizhou_officer).filter(pk=row.pk).exists()


@pytest.mark.parametrize("path", PATHS)
def test_a_deactivated_user_sees_nothing(scoped_paths, haizhou_officer, office, path):
    visible, _ = scoped_paths[path]
    for user in (haizhou_officer, office):
        user.is_active = False
        user.save(update_fields=["is_active"])
        assert not visible(user).exists()


@pytest.mark.parametrize("path", PATHS)
def test_an_officer_of_another_district_sees_nothing_of_haizhou(scoped_paths, lianyun_officer, path):
    visible, row = scoped_paths[path]
    assert not visible(lianyun_officer).filter(pk=row.pk).exists()


@pytest.mark.parametrize("path", PATHS)
def test_roles_without_a_scope_see_nothing(scoped_paths, expert, surveyor, path):
    visible, _ = scoped_paths[path]
    assert not visible(expert).exists() and not visible(surveyor).exists()


def test_a_company_sees_no_draft_of_another_company(campaign, world, company_b):
    application = make_candidates(campaign, world, count=1)[0].application
    Application.objects.filter(pk=application.pk).update(status=Status.DRAFT)
    assert not Application.objects.visible_to(company_b).exists()


def test_the_rule_is_written_once():
    """Every scoped path goes through core.scoping; none repeats the role switch."""
    import inspect

    from wenming.awards import models as awards_models
    from wenming.registry import models as registry_models

    for source in (inspect.getsource(registry_models.ScopedQuerySet), inspect.getsource(awards_models.ApplicationQuerySet),
                   inspect.getsource(supervision.scoped)):
        assert "scoping." in source and "Role." not in source and "is_active" not in source
    assert callable(scoping.visible_to)
