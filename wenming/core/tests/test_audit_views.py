
from django.urls import reverse

from wenming.core import audit
from wenming.testing.workbooks import first_sheet


def test_office_filters_the_audit_log(client, office, world):
    audit.record("registry.company.updated", actor=office, target=world.company_a, after={"name": "新"})
    audit.record("core.user.created", actor=office)
    client.force_login(office)
    response = client.get(reverse("core:audit_list"), {"action": "registry."}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f"修改了物业服务企业 「{world.company_a.name}」" in response.text
    assert "创建了账号" not in response.text


def test_bad_filter_dates_show_a_form_error(client, office):
    client.force_login(office)
    response = client.get(reverse("core:audit_list"), {"since": "2019-12-01", "until": "2019-11-01"})
    assert "起始日期不能晚于截止日期" in response.text


def test_the_export_is_formula_safe(client, office, world):
    audit.record("registry.company.updated", actor=office, target=world.company_a, reason="=HYPERLINK(\"x\")")
    client.force_login(office)
    response = client.get(reverse("core:audit_export"))
    assert response.status_code == 200
    rows = first_sheet(response.content, scope="全市")
    assert rows[0][9] == "原因"
    reasons = [row[9] for row in rows[1:]]
    assert "'=HYPERLINK(\"x\")" in reasons


def test_other_roles_cannot_read_the_audit_log(client, haizhou_officer, company_a):
    for user in (haizhou_officer, company_a):
        client.force_login(user)
        assert client.get(reverse("core:audit_list")).status_code == 403
        assert client.get(reverse("core:audit_export")).status_code == 403


def test_the_audit_log_is_read_only(client, office):
    client.force_login(office)
    assert client.post(reverse("core:audit_list")).status_code == 405
