"""Shared fixtures: a loaded campaign and personas for every role (STYLE.md §9)."""

import os

import pytest

from wenming.core.roles import Role
from wenming.testing import factories as f


def pytest_configure(config):
    os.environ.setdefault("WENMING_TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.OUTBOX_DIR = tmp_path / "outbox"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def campaign(db):
    from wenming.campaigns.services import load_preset

    campaign, _ = load_preset("lianyungang-2019")
    return campaign


@pytest.fixture
def world(campaign):
    """Two districts, two companies, a community and a worker in each: enough to test scope."""
    return f.make_world()


@pytest.fixture
def office(db):
    return f.make_user("office", role=Role.OFFICE)


@pytest.fixture
def haizhou_officer(world):
    return f.make_user("haizhou", role=Role.DISTRICT, district=world.haizhou)


@pytest.fixture
def lianyun_officer(world):
    return f.make_user("lianyun", role=Role.DISTRICT, district=world.lianyun)


@pytest.fixture
def company_a(world):
    return f.make_user("company_a", role=Role.COMPANY, company=world.company_a)


@pytest.fixture
def company_b(world):
    return f.make_user("company_b", role=Role.COMPANY, company=world.company_b)


@pytest.fixture
def expert(db):
    return f.make_user("expert1", role=Role.EXPERT)


@pytest.fixture
def surveyor(db):
    return f.make_user("surveyor1", role=Role.SURVEYOR)
