"""The back office's grouped navigation (core/navigation.py, base.html): each role sees exactly
the links it saw in the flat list before grouping, the current page is marked, and an entry
never reaches a role it does not name."""

import re
from html.parser import HTMLParser

import pytest
from django.test import RequestFactory
from django.urls import resolve, reverse

from wenming.core import navigation
from wenming.core.roles import Role

pytestmark = pytest.mark.django_db

# Written down from base.html's flat list before the grouping (label -> address), per role.
COMMON = {"工作台": "/workbench/", "通知": "/notifications/"}
STAFF = {"申报": "/applications/", "小区": "/registry/communities/", "企业": "/registry/companies/",
         "人员": "/registry/staff/", "督查整改": "/supervision/", "投诉处理": "/complaints/",
         "志愿服务": "/volunteers/", "信用档案": "/credit/"}
OFFICE_ONLY = {"活动设置": "/campaign/settings/", "公告": "/campaign/announcements/",
               "规则调整": "/campaign/voting-rules/", "候选展示": "/applications/showcase/",
               "公众推荐": "/applications/recommendations/", "投票核查": "/office/votes/",
               "抽奖": "/office/votes/lotteries/", "结果": "/results/office/", "结果异议": "/results/objections/",
               "账号": "/office/users/", "审计日志": "/office/audit/"}
# Pages added since, each with its line in navigation.GROUPS.
ADDED = {"导出中心": "/exports/"}
BOARD = {"数据看板": "/dashboard/"}
PUBLICITY = {"宣传通稿": "/publicity/materials/", "通稿发布记录": "/publicity/postings/"}
TODAY = {
    Role.OFFICE: {**COMMON, **STAFF, "入户调查": "/surveys/", "专家评审": "/judging/", **OFFICE_ONLY, **ADDED,
                  **BOARD, **PUBLICITY, "新闻": "/publicity/news/"},
    Role.DISTRICT: {**COMMON, **STAFF, "入户调查": "/surveys/", **ADDED, **BOARD, **PUBLICITY},
    Role.COMPANY: {**COMMON, **STAFF, **ADDED, **PUBLICITY},
    Role.EXPERT: {**COMMON, "专家评审": "/judging/", "结果确认": "/results/committee/", **ADDED},
    Role.SURVEYOR: {**COMMON, "入户调查": "/surveys/", **ADDED},
    Role.RESIDENT: dict(COMMON),
}


class _Nav(HTMLParser):
    """The main navigation's links ({label: href}), the one marked current, and group names."""

    def __init__(self):
        super().__init__()
        self.depth, self.links, self.current, self.groups, self._a, self._summary = 0, {}, [], [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and attrs.get("aria-label") == "主导航":
            self.depth = 1
        elif self.depth and tag == "nav":
            self.depth += 1
        if self.depth and tag == "a":
            self._a = {"href": attrs["href"], "text": "", "current": attrs.get("aria-current")}
        if self.depth and tag == "summary":
            self._summary = ""

    def handle_endtag(self, tag):
        if self.depth and tag == "a" and self._a:
            label = re.sub(r"\s*\d+$", "", self._a["text"].strip())
            self.links[label] = self._a["href"]
            if self._a["current"] == "page":
                self.current.append(label)
            self._a = None
        if self.depth and tag == "summary":
            self.groups.append(self._summary.strip())
            self._summary = None
        if self.depth and tag == "nav":
            self.depth -= 1

    def handle_data(self, data):
        if self._a is not None:
            self._a["text"] += data
        if self._summary is not None:
            self._summary += data


def nav_of(html):
    parser = _Nav()
    parser.feed(html)
    return parser


def _user(role, world):
    from wenming.testing import factories as f

    extra = {Role.DISTRICT: {"district": world.haizhou}, Role.COMPANY: {"company": world.company_a}}.get(role, {})
    return f.make_user(f"nav_{role}", role=role, **extra)


@pytest.mark.parametrize("role", list(TODAY))
def test_each_role_sees_exactly_the_links_it_saw_before_the_grouping(client, campaign, world, role):
    client.force_login(_user(role, world))
    nav = nav_of(client.get(reverse("core:inbox")).text)
    assert nav.links == TODAY[role]
    assert nav.current == ["通知"]


def test_the_office_finds_its_links_in_areas():
    office = [g.label for g, _ in navigation.visible(Role.OFFICE)]
    assert office == ["", "申报评选", "投票", "督查与信用", "基础数据", "入户调查", "志愿服务", "宣传", "数据",
                      "系统"]
    assert [g.label for g, _ in navigation.visible(Role.SURVEYOR)] == ["", "入户调查", "数据"]


def test_the_page_rendered_shows_areas_as_groups_and_lone_entries_as_links(client, campaign, world, office):
    client.force_login(office)
    nav = nav_of(client.get(reverse("core:inbox")).text)
    # 入户调查, 志愿服务: one link each
    assert nav.groups == ["申报评选", "投票", "督查与信用", "基础数据", "宣传", "数据", "系统"]


@pytest.mark.parametrize(("path", "label", "role"), [
    ("/supervision/", "督查整改", Role.OFFICE),
    ("/supervision/orders/", "督查整改", Role.DISTRICT),
    ("/registry/companies/", "企业", Role.OFFICE),
    ("/registry/staff/new/", "人员", Role.COMPANY),
    ("/applications/", "申报", Role.COMPANY),
    ("/applications/showcase/", "候选展示", Role.OFFICE),
    ("/office/votes/lotteries/", "抽奖", Role.OFFICE),
    ("/office/votes/", "投票核查", Role.OFFICE),
    ("/results/objections/", "结果异议", Role.OFFICE),
    ("/results/office/", "结果", Role.OFFICE),
    ("/campaign/announcements/new/", "公告", Role.OFFICE),
    ("/office/users/new/", "账号", Role.OFFICE),
    ("/workbench/", "工作台", Role.SURVEYOR),
    ("/dashboard/", "数据看板", Role.DISTRICT),
    ("/exports/", "导出中心", Role.COMPANY),
])
def test_the_current_page_is_marked_once(campaign, world, path, label, role):
    request = RequestFactory().get(path)
    request.user = _user(role, world)
    request.resolver_match = resolve(path)
    links = [link for group in navigation.menu(request) for link in group.links]
    assert [link.label for link in links if link.current] == [label]


def test_the_current_page_is_marked_on_the_rendered_page_and_its_group_too(client, campaign, world, office):
    client.force_login(office)
    html = client.get(reverse("supervision:repeats")).text
    assert nav_of(html).current == ["督查整改"]
    assert '<summary class="current">督查与信用</summary>' in html


def test_a_page_outside_the_menu_marks_nothing(campaign, world):
    request = RequestFactory().get("/privacy/")
    request.user = _user(Role.OFFICE, world)
    request.resolver_match = resolve("/privacy/")
    assert not any(link.current for group in navigation.menu(request) for link in group.links)


@pytest.mark.parametrize("role", list(TODAY))
def test_a_role_never_sees_an_entry_that_does_not_name_it(campaign, world, role):
    request = RequestFactory().get("/")
    request.user = _user(role, world)
    request.resolver_match = resolve("/")
    shown = {link.label for group in navigation.menu(request) for link in group.links}
    named = {e.label for g in navigation.GROUPS for e in g.entries if role in e.roles}
    assert shown == named == set(TODAY[role])


def test_a_new_entry_is_one_line_and_an_unknown_url_name_is_left_out(campaign, world):
    groups = (*navigation.GROUPS[:1], navigation.Group("看板", (
        navigation.Entry("新页面", "core:audit_list", (Role.DISTRICT,), current=("core:audit_",)),
        navigation.Entry("未安装", "nowhere:page", (Role.DISTRICT,)),
    )))
    request = RequestFactory().get("/office/audit/")
    request.user = _user(Role.DISTRICT, world)
    request.resolver_match = resolve("/office/audit/")
    shown = navigation.menu(request, groups=groups)
    assert [(g.label, [(link.label, link.current) for link in g.links]) for g in shown] == [
        ("", [("工作台", False), ("通知", False)]), ("看板", [("新页面", True)])]


def test_the_unread_count_stays_on_the_notifications_link(client, campaign, world, office,
                                                          django_capture_on_commit_callbacks):
    from wenming.core import notifications

    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify([office], "测试通知")
    client.force_login(office)
    html = client.get(reverse("dashboard:workbench")).text
    assert 'aria-label="通知，1 条未读"' in html
    assert nav_of(html).links["通知"] == "/notifications/"


def test_the_menu_follows_the_script_prefix_and_escapes_what_it_shows(campaign, world):
    """Addresses are reversed once per process and prefix: a deployment under a sub-path gets
    its own, and a label is escaped like any text on the page."""
    from django.urls import set_script_prefix

    request = RequestFactory().get("/workbench/")
    request.user = _user(Role.DISTRICT, world)
    request.resolver_match = resolve("/workbench/")
    assert navigation.menu(request)[0].links[0].href == "/workbench/"
    set_script_prefix("/wenming/")
    try:
        assert navigation.menu(request)[0].links[0].href == "/wenming/workbench/"
    finally:
        set_script_prefix("/")
    html = navigation.menu_html([navigation.Shown("<区>", [navigation.Link('甲"乙', "/a/?b=1&c=2", count=3),
                                                           navigation.Link("<丙>", "/c/", current=True)])])
    assert html == ('<li class="menu-group"><details name="main-menu"><summary class="current">&lt;区&gt;</summary>'
                    '<ul><li><a href="/a/?b=1&amp;c=2" aria-label="甲&quot;乙，3 条未读">甲&quot;乙 '
                    '<span class="badge">3</span></a></li>'
                    '<li><a href="/c/" aria-current="page">&lt;丙&gt;</a></li></ul></details></li>')
