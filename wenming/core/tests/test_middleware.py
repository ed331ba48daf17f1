import pytest
import time_machine
from django.urls import reverse
from django.utils.functional import empty

from wenming.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_an_api_call_builds_no_message_storage(client, campaign):
    response = client.get("/api/v1/leaderboard?category=model_community")
    assert response.wsgi_request._messages._wrapped is empty
    assert "messages" not in response.cookies


def test_a_message_added_before_a_redirect_is_shown_after_it(client, office, settings):
    with time_machine.travel("2026-11-26 09:00 +0800", tick=False) as traveller:
        client.post(reverse("core:login"), {"username": "office", "password": PASSWORD})
        traveller.shift(settings.STAFF_IDLE_TIMEOUT.total_seconds() + 1)
        page = client.get(reverse("dashboard:workbench"), follow=True)
    assert "登录已超时，请重新登录。" in page.content.decode()
