import pytest
from django.urls import reverse

from wenming.core.models import AuditEntry
from wenming.registry.models import Community, Company, Staff


@pytest.mark.parametrize("resource", ["communities", "companies", "staff"])
def test_experts_and_surveyors_get_403(client, world, expert, surveyor, resource):
    for user in (expert, surveyor):
        client.force_login(user)
        assert client.get(reverse("registry:list", args=[resource])).status_code == 403
        assert client.get(reverse("registry:detail", args=[resource, world.community_a.pk])).status_code == 403


@pytest.mark.parametrize("resource", ["communities", "companies", "staff"])
def test_malformed_and_unknown_ids_are_404(client, world, office, resource):
    client.force_login(office)
    for bad in ("abc", "0", "-1", "99999999", "9" * 30):
        assert client.get(f"/registry/{resource}/{bad}/").status_code == 404


def test_unknown_resources_are_404(client, office):
    client.force_login(office)
    assert client.get("/registry/votes/").status_code == 404


@pytest.mark.parametrize("name, method", [
    ("registry:list", "post"), ("registry:export", "post"), ("registry:template", "post"), ("registry:detail", "put"),
    ("registry:detail", "delete"),
])
def test_wrong_methods_are_405(client, world, office, name, method):
    client.force_login(office)
    args = ["communities", world.community_a.pk] if name == "registry:detail" else ["communities"]
    assert getattr(client, method)(reverse(name, args=args)).status_code == 405


def community_form(world, **overrides):
    data = {"name": "海州花园", "district": world.haizhou.pk, "street_name": "新海街道", "committee_name": "",
            "address": "海州区示例路 1 号", "company": world.company_a.pk, "completed_on": "2010-05-01",
            "total_households": "500", "occupied_households": "450", "owners_committee": ""}
    return data | overrides


def test_a_district_officer_edits_a_community_and_the_audit_log_keeps_before_and_after(client, world, haizhou_officer):
    client.force_login(haizhou_officer)
    url = reverse("registry:detail", args=["communities", world.community_a.pk])
    response = client.post(url, community_form(world))
    assert response.status_code == 302
    world.community_a.refresh_from_db()
    assert world.community_a.occupied_households == 450 and world.community_a.street.name == "新海街道"
    entry = AuditEntry.objects.get(action="registry.community.updated")
    assert entry.before["occupied_households"] == 400 and entry.after["occupied_households"] == 450
    assert entry.actor == haizhou_officer and entry.ip == "127.0.0.1"


def test_bad_input_is_a_form_error_and_changes_nothing(client, world, office):
    client.force_login(office)
    url = reverse("registry:detail", args=["communities", world.community_a.pk])
    response = client.post(url, community_form(world, occupied_households="600"))
    assert response.status_code == 400
    assert "入住户数（600）不能大于总户数（500）" in response.text
    world.community_a.refresh_from_db()
    assert world.community_a.occupied_households == 400
    assert not AuditEntry.objects.filter(action__startswith="registry.").exists()


def test_a_district_officer_cannot_move_a_community_to_another_district(client, world, haizhou_officer):
    client.force_login(haizhou_officer)
    url = reverse("registry:detail", args=["communities", world.community_a.pk])
    response = client.post(url, community_form(world, district=world.lianyun.pk))
    assert response.status_code == 400
    world.community_a.refresh_from_db()
    assert world.community_a.district == world.haizhou


def test_a_company_reads_but_cannot_edit_its_communities(client, world, company_a):
    client.force_login(company_a)
    url = reverse("registry:detail", args=["communities", world.community_a.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, community_form(world, occupied_households="10")).status_code == 403
    assert client.get(reverse("registry:create", args=["communities"])).status_code == 403
    world.community_a.refresh_from_db()
    assert world.community_a.occupied_households == 400


def test_a_company_adds_its_own_staff(client, world, company_a):
    client.force_login(company_a)
    response = client.post(reverse("registry:create", args=["staff"]), {
        "name": "王五", "company": world.company_a.pk, "community": world.community_a.pk, "post": "cleaning",
        "entered_trade_on": "2016-01-01", "certificates": "", "phone": "13700001234"})
    assert response.status_code == 302
    assert Staff.objects.filter(name="王五", company=world.company_a).exists()
    assert AuditEntry.objects.get(action="registry.staff.created").after["phone"] == "137****1234"


def test_a_company_cannot_add_staff_to_another_company(client, world, company_a):
    client.force_login(company_a)
    response = client.post(reverse("registry:create", args=["staff"]), {
        "name": "王五", "company": world.company_b.pk, "community": world.community_b.pk, "post": "cleaning",
        "entered_trade_on": "2016-01-01", "phone": "13700001234"})
    assert response.status_code == 400
    assert not Staff.objects.filter(name="王五").exists()


def test_the_office_adds_a_company_with_a_checked_credit_code(client, world, office):
    client.force_login(office)
    data = {"name": "新物业公司", "credit_code": "91320700MA0000001X", "district": world.haizhou.pk}
    response = client.post(reverse("registry:create", args=["companies"]), data)
    assert response.status_code == 400 and "校验位错误" in response.text
    assert not Company.objects.filter(name="新物业公司").exists()


def test_list_search_and_htmx_fragment(client, world, office):
    client.force_login(office)
    response = client.get(reverse("registry:list", args=["communities"]), {"q": "海州"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.text and "海州花园" in response.text and "连云新村" not in response.text


def test_the_export_masks_phones(client, world, office):

    from wenming.testing.workbooks import first_sheet

    client.force_login(office)
    response = client.get(reverse("registry:export", args=["staff"]))
    rows = first_sheet(response.content, scope="全市")[1:]
    phones = {row[6] for row in rows}
    assert phones == {world.staff_a.masked_phone, world.staff_b.masked_phone}


def test_occupancy_filter_agrees_with_the_property(world):
    from wenming.testing.factories import make_community

    edge = make_community(total_households=1000, occupied_households=599)
    exact = make_community(total_households=1000, occupied_households=600)
    eligible = set(Community.objects.with_min_occupancy(60).values_list("pk", flat=True))
    assert exact.pk in eligible and edge.pk not in eligible
    assert str(edge.occupancy_percent) == "59.9"
