"""A district officer never sees another district's records; a company never sees another's."""

import pytest
from django.urls import reverse

from wenming.core.models import ApiToken


def records(world):
    return {
        "communities": (world.community_a, world.community_b),
        "companies": (world.company_a, world.company_b),
        "staff": (world.staff_a, world.staff_b),
    }


@pytest.mark.parametrize("resource", ["communities", "companies", "staff"])
def test_haizhou_officer_gets_404_for_lianyun_records_in_pages(client, world, haizhou_officer, resource):
    own, other = records(world)[resource]
    client.force_login(haizhou_officer)
    assert client.get(reverse("registry:detail", args=[resource, own.pk])).status_code == 200
    assert client.get(reverse("registry:detail", args=[resource, other.pk])).status_code == 404
    listing = client.get(reverse("registry:list", args=[resource])).text
    assert str(own) in listing and str(other) not in listing


@pytest.mark.parametrize("path", ["communities", "companies", "staff"])
def test_haizhou_officer_gets_404_for_lianyun_records_in_the_api(client, world, haizhou_officer, path):
    own, other = records(world)[path]
    _, raw = ApiToken.issue(haizhou_officer)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(f"/api/v1/{path}/{own.pk}", **auth).status_code == 200
    response = client.get(f"/api/v1/{path}/{other.pk}", **auth)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    ids = [item["id"] for item in client.get(f"/api/v1/{path}", **auth).json()["items"]]
    assert own.pk in ids and other.pk not in ids


def test_a_district_sees_an_outside_company_that_manages_a_community_there(world, haizhou_officer):
    from wenming.registry.models import Company
    from wenming.testing.factories import make_community

    make_community(company=world.company_b, district=world.haizhou)
    assert Company.objects.visible_to(haizhou_officer).filter(pk=world.company_b.pk).exists()


@pytest.mark.parametrize("resource", ["communities", "companies", "staff"])
def test_company_b_gets_404_for_company_a_records(client, world, company_b, resource):
    other, own = records(world)[resource]
    client.force_login(company_b)
    assert client.get(reverse("registry:detail", args=[resource, other.pk])).status_code == 404
    assert client.get(reverse("registry:detail", args=[resource, own.pk])).status_code == 200
