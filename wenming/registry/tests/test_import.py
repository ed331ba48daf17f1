import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from wenming.core.models import AuditEntry, Job
from wenming.registry.models import Community, Company, Staff
from wenming.registry.resources import COMMUNITIES, COMPANIES, STAFF
from wenming.testing.factories import credit_code, xlsx

COMPANY_HEADERS = [c.header for c in COMPANIES.columns]
COMMUNITY_HEADERS = [c.header for c in COMMUNITIES.columns]
STAFF_HEADERS = [c.header for c in STAFF.columns]


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Post a file to the import page and run what it queued on commit (the task)."""

    def post(client, resource, fileobj):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("registry:import", args=[resource]), {"file": fileobj})

    return post


def company_row(n, **overrides):
    row = {"name": f"导入物业{n}", "code": credit_code(1000 + n), "district": "海州区", "address": "", "legal": "",
           "contact": "", "phone": ""}
    row.update(overrides)
    return list(row.values())


def test_a_valid_file_imports_every_row_and_reports(client, world, office, upload):
    client.force_login(office)
    response = upload(client, "companies", xlsx(COMPANY_HEADERS, [company_row(i) for i in range(5)]))
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("registry:import_job", args=[job.pk])
    assert job.status == Job.Status.SUCCEEDED and job.report["created"] == 5
    assert Company.objects.filter(name__startswith="导入物业").count() == 5
    assert AuditEntry.objects.filter(action="registry.company.created").count() == 5
    assert AuditEntry.objects.filter(action="registry.import.completed").count() == 1
    page = client.get(response.url).text
    assert "导入成功：新增 5 条" in page


def test_one_bad_row_imports_nothing_and_names_the_row_and_reason(client, world, office, upload):
    client.force_login(office)
    rows = [company_row(i) for i in range(20)]
    rows[10][1] = rows[10][1][:-1] + ("0" if rows[10][1][-1] != "0" else "1")  # data row 11 = sheet row 12
    upload(client, "companies", xlsx(COMPANY_HEADERS, rows))
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.report["errors"] == ["第 12 行：统一社会信用代码：统一社会信用代码校验位错误"]
    assert not Company.objects.filter(name__startswith="导入物业").exists()
    assert not AuditEntry.objects.filter(action="registry.company.created").exists()
    page = client.get(reverse("registry:import_job", args=[job.pk])).text
    assert "第 12 行：统一社会信用代码：统一社会信用代码校验位错误" in page and "未写入任何记录" in page


def test_every_bad_row_is_listed(client, world, office, upload):
    client.force_login(office)
    rows = [company_row(1, district="东海县"), company_row(2), company_row(3, name="")]
    rows.append(company_row(2))  # the same credit code again
    upload(client, "companies", xlsx(COMPANY_HEADERS, rows))
    errors = Job.objects.get().report["errors"]
    assert errors[0] == "第 2 行：注册所在区“东海县”不存在"
    assert errors[1].startswith("第 4 行：企业名称：")
    assert errors[2] == "第 5 行：与第 3 行重复"


def test_reimporting_an_export_with_masked_phones_keeps_the_numbers(client, world, office, upload):
    client.force_login(office)
    exported = client.get(reverse("registry:export", args=["staff"])).content
    sheet = load_workbook(io.BytesIO(exported)).active
    assert "导出于" in sheet["A1"].value  # the caption row: the import reads the headers below it
    rows = [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]
    for row in rows:
        row[5] = "持证"  # certificates
    upload(client, "staff", xlsx(STAFF_HEADERS, rows))
    job = Job.objects.get()
    assert job.status == Job.Status.SUCCEEDED, job.report
    assert job.report["updated"] == 2 and job.report["created"] == 0
    world.staff_a.refresh_from_db()
    assert world.staff_a.certificates == "持证" and world.staff_a.phone.isdigit()


def test_a_district_officer_imports_only_its_own_district(client, world, haizhou_officer, upload):
    client.force_login(haizhou_officer)
    rows = [["新小区一", "海州区", "", "", "", "", "", 300, 200, ""],
            ["新小区二", "连云区", "", "", "", "", "", 300, 200, ""]]
    upload(client, "communities", xlsx(COMMUNITY_HEADERS, rows))
    job = Job.objects.get()
    assert job.report["errors"] == ["第 3 行：所属区不在您的管辖范围"]
    assert not Community.objects.filter(name__startswith="新小区").exists()


def test_occupied_above_total_is_a_row_error(client, world, office, upload):
    client.force_login(office)
    upload(client, "communities", xlsx(COMMUNITY_HEADERS, [["新小区", "海州区", "新海街道", "", "", "", "2015-01-01",
                                                             300, 301, ""]]))
    assert Job.objects.get().report["errors"] == ["第 2 行：入住户数：入住户数（301）不能大于总户数（300）"]


def test_a_company_imports_staff_for_itself_only(client, world, company_a, upload):
    client.force_login(company_a)
    rows = [["赵六", world.company_b.name, "", "保洁员", "2015-01-01", "", "13700000001"]]
    upload(client, "staff", xlsx(STAFF_HEADERS, rows))
    assert Job.objects.get().report["errors"] == ["第 2 行：只能导入本企业的记录"]
    assert not Staff.objects.filter(name="赵六").exists()


def test_wrong_headers_are_refused(client, world, office, upload):
    client.force_login(office)
    upload(client, "companies", xlsx(["名称", "代码"], [["a", "b"]]))
    assert "缺少列" in Job.objects.get().report["errors"][0]


def test_a_file_that_is_not_xlsx_is_refused_by_content(client, world, office, upload):
    client.force_login(office)
    fake = SimpleUploadedFile("companies.xlsx", b"<html><script>alert(1)</script></html>")
    response = upload(client, "companies", fake)
    assert response.status_code == 400 and "不是有效的 Excel" in response.text
    assert not Job.objects.exists()


def test_an_oversize_file_gets_413_and_leaves_nothing(client, world, office, settings, upload):
    settings.IMPORT_MAX_BYTES = 1024
    client.force_login(office)
    big = SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"0" * 4096)
    response = upload(client, "companies", big)
    assert response.status_code == 413 and "文件过大" in response.text
    assert not Job.objects.exists()
    stored = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()] if settings.MEDIA_ROOT.exists() else []
    assert stored == []


@pytest.mark.parametrize("user_fixture, resource", [
    ("company_a", "companies"), ("company_a", "communities"), ("haizhou_officer", "staff"), ("expert", "staff"),
])
def test_roles_that_may_not_import_get_403(client, world, request, user_fixture, resource, upload):
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.get(reverse("registry:import", args=[resource])).status_code == 403
    assert upload(client, resource, xlsx(COMPANY_HEADERS, [company_row(1)])).status_code == 403
    assert client.get(reverse("registry:template", args=[resource])).status_code == 403
    assert not Job.objects.exists()


def test_someone_elses_import_job_is_404(client, world, office, haizhou_officer, upload):
    client.force_login(office)
    upload(client, "companies", xlsx(COMPANY_HEADERS, [company_row(1)]))
    job = Job.objects.get()
    client.force_login(haizhou_officer)
    assert client.get(reverse("registry:import_job", args=[job.pk])).status_code == 404


def test_the_template_round_trips(client, world, office):
    client.force_login(office)
    template = client.get(reverse("registry:template", args=["communities"]))
    sheet = load_workbook(io.BytesIO(template.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == COMMUNITY_HEADERS


def test_the_import_command_reports_counts(world, office, tmp_path, capsys):
    from django.core.management import call_command

    path = tmp_path / "c.xlsx"
    path.write_bytes(xlsx(COMPANY_HEADERS, [company_row(1), company_row(2)]).getvalue())
    call_command("registry_import", "companies", str(path), "--user", "office")
    assert "导入完成：新增 2" in capsys.readouterr().out
