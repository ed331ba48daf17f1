"""Main journeys in Chromium at phone size (390×844, WeChat user agent)."""


import pytest
from playwright.sync_api import expect

from wenming.registry.models import Company
from wenming.registry.resources import COMPANIES
from wenming.testing.browser import demo_site, log_in, requires_chromium
from wenming.testing.factories import credit_code

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    return demo_site(settings, "voting", with_awards=False)



def test_home_shows_the_timeline_with_the_current_phase(phone, demo):
    phone.goto("/")
    current = phone.locator(".timeline .phase.current")
    assert current.get_attribute("data-phase") == "voting"
    assert "投票评选" in current.inner_text()
    assert phone.locator(".timeline .phase").count() == 6
    assert phone.locator("h1").inner_text() == demo.name
    # Nothing overflows a phone screen sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.shot("home")


def test_login_shows_demo_accounts_then_the_role_workbench(phone, demo):
    phone.goto("/login/")
    assert "wenming-demo" in phone.locator(".demo").inner_text()
    phone.shot("login")
    log_in(phone, "haizhou")
    assert "海州区" in phone.locator(".hero").inner_text()
    assert phone.locator(".todos li").count() >= 1
    phone.shot("workbench")


def test_a_wrong_password_shows_a_chinese_error(phone, demo):
    phone.goto("/login/")
    phone.fill("#id_username", "office")
    phone.fill("#id_password", "not-the-password")
    phone.click("main button[type=submit]")
    assert "用户名或密码错误" in phone.locator("form").inner_text()


def import_companies(page, path, rows, expect_status):
    from wenming.testing.factories import xlsx

    path.write_bytes(xlsx([c.header for c in COMPANIES.columns], rows).getvalue())
    page.goto("/registry/companies/import/")
    page.set_input_files("#id_file", str(path))
    page.click("main button[type=submit]")
    page.wait_for_selector(f"#progress[data-status={expect_status}]")


def test_the_office_imports_companies_from_excel_and_sees_progress(phone, demo, tmp_path):
    good = [[f"浏览器导入物业{i}", credit_code(5000 + i), "海州区", "", "", "", ""] for i in range(30)]
    bad = [row[:] for row in good]
    bad[4][2] = "东海县"
    log_in(phone, "office")

    import_companies(phone, tmp_path / "bad.xlsx", bad, "failed")
    assert "第 6 行：注册所在区“东海县”不存在" in phone.locator(".import-errors").inner_text()
    phone.shot("import-refused")
    assert not Company.objects.filter(name__startswith="浏览器导入物业").exists()

    import_companies(phone, tmp_path / "good.xlsx", good, "succeeded")
    assert "新增 30 条" in phone.locator("#progress").inner_text()
    phone.shot("import-done")
    assert Company.objects.filter(name__startswith="浏览器导入物业").count() == 30

    phone.click("text=查看物业服务企业")
    phone.fill("#id_q", "浏览器导入物业1")
    # "浏览器导入物业1" matches 1 and 10–19: the htmx search swaps in exactly those 11 rows.
    expect(phone.locator("#results tbody tr")).to_have_count(11)
    phone.shot("list-search")
